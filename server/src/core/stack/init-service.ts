import { posix } from 'node:path';
import { AppError } from '../app-error.js';
import type { FileSystem } from '../file-system.js';
import { BY_SERVICE_DIR, ensureSecrets } from '../secrets/secret-store.js';
import { selfSignedHosts } from '../secrets/self-signed.js';
import { absolutePathRule, parseStackConfig, type StackConfig } from './config.js';
import { composeToYaml, envToText, renderStack, type RenderedStack } from './render.js';

/**
 * `init`: validate the user's input, generate the secrets that are missing, render the stack into
 * <home>/stack and create the data folders. Everything that can be refused is checked before the
 * first write, so a bad input leaves the home untouched. Running it again keeps every secret.
 */

export interface InitDeps {
  fs: FileSystem;
  now(): Date;
}

export interface InitInput {
  /** <home>/stack */
  stackDir: string;
  /** <home>/stack/secrets */
  secretsDir: string;
  /** Raw user input (flags, wizard); validated here. dataDir defaults to <home>/data. */
  config: unknown;
}

export interface InitResult {
  config: StackConfig;
  rendered: RenderedStack;
  createdSecrets: string[];
  keptSecrets: string[];
  /** Rewritten: a URL whose password changed, a new Plex value, a renewed self-signed certificate. */
  updatedSecrets: string[];
}

const STACK_DIR_MODE = 0o755;
const COPY_MODE = 0o400;

function refusePath(field: string, value: string): void {
  const rule = absolutePathRule(value) ?? (value.endsWith('/') ? 'must not end with a slash' : '');
  if (rule)
    throw new AppError('validation_failed', `${field}: ${rule}`, { fields: { [field]: rule } });
}

/** Validates, generates, renders and writes the stack. See the module comment. */
export async function initStack(deps: InitDeps, input: InitInput): Promise<InitResult> {
  const { fs } = deps;
  refusePath('stackDir', input.stackDir);
  refusePath('secretsDir', input.secretsDir);
  const config = parseStackConfig(input.config, {
    dataDir: posix.join(posix.dirname(input.stackDir), 'data'),
  });
  const rendered = renderStack(config, { stackDir: input.stackDir });
  const compose = composeToYaml(rendered.compose, input.stackDir);
  const root = fs.uid() === 0;

  await fs.mkdir(input.stackDir, STACK_DIR_MODE);
  const secrets = await ensureSecrets(
    fs,
    input.secretsDir,
    [...new Set(rendered.secretCopies.map((copy) => copy.name))],
    { plex: config.plex, tlsHosts: selfSignedHosts(config.domain), now: () => deps.now() },
  );

  for (const file of rendered.files) {
    const path = posix.join(input.stackDir, file.path);
    await fs.mkdir(posix.dirname(path), STACK_DIR_MODE);
    await fs.writeFile(path, file.content, file.mode);
  }
  // Only this user (and `docker compose` run by it) reads these two; the files above are mounted
  // into containers, whose users must read them, so they keep 0644/0755.
  await fs.writeFile(posix.join(input.stackDir, 'compose.yaml'), compose, 0o600);
  await fs.writeFile(posix.join(input.stackDir, '.env'), envToText(rendered.env), 0o600);

  await writeSecretCopies(fs, input, rendered, root);
  await fs.mkdir(config.dataDir, STACK_DIR_MODE);
  for (const dir of rendered.dataDirs) {
    // Parents (the data folder, logs/, certbot/) stay the app's own, readable, not 0700.
    await fs.mkdir(posix.dirname(dir.path), STACK_DIR_MODE);
    await fs.mkdir(dir.path, dir.mode);
    const stat = await fs.stat(dir.path);
    if (root) await fs.chown(dir.path, dir.uid, dir.gid);
    // Once the reconciler has handed a folder to its container's user, only root may change it.
    if (root || stat.uid === fs.uid()) await fs.chmod(dir.path, dir.mode);
  }

  return {
    config,
    rendered,
    createdSecrets: secrets.created,
    keptSecrets: secrets.kept,
    updatedSecrets: secrets.updated,
  };
}

/**
 * Copies each canonical secret to the place its service mounts it from, mode 0400. Only root can
 * give a copy to the container's user; otherwise the reconciler does (through the engine). A copy
 * strictly newer than its canonical file is left alone, so it keeps the owner the reconciler gave
 * it. Equal times say nothing: file times move in clock ticks (several ms), so a secret rewritten
 * in the tick its copy was made (a rotation, then its grace dropped) would keep a stale copy.
 */
async function writeSecretCopies(
  fs: FileSystem,
  input: InitInput,
  rendered: RenderedStack,
  root: boolean,
): Promise<void> {
  const copiesDir = posix.join(input.stackDir, 'secrets', BY_SERVICE_DIR);
  await fs.mkdir(copiesDir, 0o700);
  await fs.chmod(copiesDir, 0o700);
  const services = new Set<string>(rendered.secretCopies.map((copy) => copy.service));
  for (const stale of await fs.listDir(copiesDir)) {
    if (!services.has(stale)) await fs.remove(posix.join(copiesDir, stale));
  }
  for (const copy of rendered.secretCopies) {
    const canonical = posix.join(input.secretsDir, copy.name);
    await fs.mkdir(posix.dirname(copy.path), 0o700);
    const fresh =
      (await fs.exists(copy.path)) &&
      (await fs.stat(copy.path)).mtimeMs > (await fs.stat(canonical)).mtimeMs;
    if (!fresh) await fs.writeFile(copy.path, await fs.readText(canonical), COPY_MODE);
    if (root) {
      await fs.chown(copy.path, copy.uid, copy.gid);
      await fs.chmod(copy.path, COPY_MODE);
    }
  }
  // Per-service copies of a secret no longer mounted there go too.
  for (const service of services) {
    const dir = posix.join(copiesDir, service);
    const wanted = new Set(
      rendered.secretCopies.filter((c) => c.service === service).map((c) => c.name as string),
    );
    for (const name of await fs.listDir(dir)) {
      if (!wanted.has(name) && !name.startsWith('.')) await fs.remove(posix.join(dir, name));
    }
  }
}
