import { posix } from 'node:path';
import { AppError } from '../app-error.js';
import type { FileSystem } from '../file-system.js';
import { SECRET_CATALOGUE, secretSpec, type SecretName, type SecretSpec } from './catalogue.js';
import { generateSecret, type RandomSource } from './generate.js';
import { createSelfSignedPem, selfSignedPemIsCurrent } from './self-signed.js';

/**
 * The canonical secret files: <home>/stack/secrets/<name>, mode 0600, in a 0700 folder, written
 * atomically through the FileSystem port. Values never leave this module except to the per-service
 * copies `init` makes; everything it reports is names, ages and consumers.
 */

const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

/** The folder of per-service copies inside the secrets folder; not a secret itself. */
export const BY_SERVICE_DIR = 'by-service';

export interface EnsureSecretsOptions {
  /** Defaults to node:crypto's randomBytes. */
  random?: RandomSource;
  /** The user's Plex values; placeholders are written when absent and nothing is there yet. */
  plex?: { clientId?: string; clientSecret?: string };
  /** Names the self-signed certificate must cover (see selfSignedHosts). */
  tlsHosts?: readonly string[];
  now?: () => Date;
}

export interface EnsureSecretsResult {
  /** Written because they did not exist (or were empty). */
  created: SecretName[];
  /** Left exactly as they were. */
  kept: SecretName[];
  /** Rewritten: a derived value whose source changed, a new Plex value, an expiring certificate. */
  updated: SecretName[];
}

/** The names plus everything they are derived from, in catalogue (generation) order. */
function withSources(names: readonly string[]): SecretSpec[] {
  const wanted = new Set<string>();
  const add = (name: string): void => {
    const spec = secretSpec(name);
    if (!spec) throw new AppError('internal', `Unknown secret "${name}".`);
    wanted.add(name);
    if (spec.source.kind === 'derived') add(spec.source.from);
  };
  names.forEach(add);
  return SECRET_CATALOGUE.filter((spec) => wanted.has(spec.name));
}

/**
 * Creates the secrets folder (0700) and every named secret that is missing (0600), keeping the
 * ones that exist: `init` on an existing home keeps its secrets. Derived values (the database and
 * Redis URLs) are rebuilt from their source, so the two always agree.
 */
export async function ensureSecrets(
  fs: FileSystem,
  secretsDir: string,
  names: readonly string[],
  options: EnsureSecretsOptions = {},
): Promise<EnsureSecretsResult> {
  const specs = withSources(names);
  const now = options.now ?? (() => new Date());
  await fs.mkdir(secretsDir, DIR_MODE);
  await fs.chmod(secretsDir, DIR_MODE);

  const result: EnsureSecretsResult = { created: [], kept: [], updated: [] };
  const values = new Map<SecretName, string>();
  for (const spec of specs) {
    const path = posix.join(secretsDir, spec.name);
    const current = (await fs.exists(path)) ? await fs.readText(path) : undefined;
    const wanted = desiredValue(spec, current, values, options, now());
    if (wanted === undefined || wanted === current) {
      result.kept.push(spec.name);
      values.set(spec.name, current ?? '');
      const { mode } = await fs.stat(path);
      if ((mode & 0o777) !== FILE_MODE) await fs.chmod(path, FILE_MODE);
      continue;
    }
    await fs.writeFile(path, wanted, FILE_MODE);
    values.set(spec.name, wanted);
    (current ? result.updated : result.created).push(spec.name);
  }
  return result;
}

/** The value a secret should hold, or undefined to keep what is there. */
function desiredValue(
  spec: SecretSpec,
  current: string | undefined,
  values: ReadonlyMap<SecretName, string>,
  options: EnsureSecretsOptions,
  now: Date,
): string | undefined {
  const present = current !== undefined && current.length > 0;
  const source = spec.source;
  switch (source.kind) {
    case 'random':
      return present ? undefined : generateSecret(options.random, source.alsoAccept);
    case 'derived':
      return source.build(values.get(source.from) ?? '');
    case 'setting':
      return options.plex?.[source.setting] ?? (present ? undefined : source.placeholder);
    case 'self-signed-tls': {
      const hosts = options.tlsHosts ?? ['localhost', '127.0.0.1'];
      return present && selfSignedPemIsCurrent(current, hosts, now)
        ? undefined
        : createSelfSignedPem(hosts, now);
    }
  }
}

/** What `secrets list` shows: never a value. */
export interface SecretListing {
  name: string;
  /** ISO time of the last write. */
  modifiedAt: string;
  ageSeconds: number;
  /** The services that mount it; empty for a file the catalogue does not know. */
  consumers: string[];
  description?: string;
}

/** Names, ages (from mtime) and consumers of the secrets in `secretsDir`, sorted by name. */
export async function listSecrets(
  fs: FileSystem,
  secretsDir: string,
  now: Date = new Date(),
): Promise<SecretListing[]> {
  if (!(await fs.exists(secretsDir))) return [];
  const listing: SecretListing[] = [];
  for (const name of (await fs.listDir(secretsDir)).sort()) {
    // Dot files are the FileSystem port's temporary files; by-service holds copies.
    if (name.startsWith('.') || name === BY_SERVICE_DIR) continue;
    const stat = await fs.stat(posix.join(secretsDir, name));
    if (stat.isDirectory) continue;
    const spec = secretSpec(name);
    listing.push({
      name,
      modifiedAt: new Date(stat.mtimeMs).toISOString(),
      ageSeconds: Math.max(0, Math.floor((now.getTime() - stat.mtimeMs) / 1000)),
      consumers: [...new Set(spec?.consumers.map((c) => c.service) ?? [])],
      ...(spec ? { description: spec.description } : {}),
    });
  }
  return listing;
}
