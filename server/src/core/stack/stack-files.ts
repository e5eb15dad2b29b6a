import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { parse } from 'yaml';
import { AppError } from '../app-error.js';
import type { FileSystem } from '../file-system.js';
import {
  PLEX_CLIENT_ID_PLACEHOLDER,
  PLEX_CLIENT_SECRET_PLACEHOLDER,
} from '../secrets/catalogue.js';
import { ComposeFileSchema, PROJECT_NAME, type ComposeFile } from './compose-model.js';
import type { StackConfig } from './config.js';
import { planStack, type StackPlan } from './plan.js';
import { renderStack } from './render.js';
import type { OwnershipFix } from './stack-gateway.js';
import { messageOf } from '../../contract/errors.js';

export interface StackLocation {
  stackDir: string;
  composeFile: string;
  secretsDir: string;
  /** The compose project; "medianest" unless a test runs several stacks on one engine. */
  project?: string;
}

/** Reads and validates the rendered compose file: it is input like any other, and may have been edited. */
export async function readComposeFile(
  fs: FileSystem,
  location: StackLocation,
): Promise<ComposeFile> {
  if (!(await fs.exists(location.composeFile))) {
    // `notInstalled`: a state, not a failure, for a page that shows the install (the UI words it).
    throw new AppError(
      'conflict',
      `There is no stack at ${location.stackDir} yet: run \`medianest-appliance init\` first.`,
      { notInstalled: true },
    );
  }
  let raw: unknown;
  try {
    raw = parse(await fs.readText(location.composeFile));
  } catch (error) {
    throw new AppError(
      'validation_failed',
      `${location.composeFile} is not valid YAML: ${messageOf(error)}`,
    );
  }
  const parsed = ComposeFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') ?? '';
    throw new AppError(
      'validation_failed',
      `${location.composeFile}: ${where}: ${issue?.message ?? 'invalid'}`,
      {
        field: where,
      },
    );
  }
  return parsed.data;
}

async function sha256(fs: FileSystem, path: string): Promise<string | undefined> {
  try {
    const stat = await fs.stat(path);
    if (stat.isDirectory) return undefined;
    return createHash('sha256')
      .update(await fs.readText(path))
      .digest('hex');
  } catch {
    return undefined;
  }
}

/** The plan for the stack in this home, with the contents of every mounted file in the config hashes. */
export async function loadPlan(fs: FileSystem, location: StackLocation): Promise<StackPlan> {
  const compose = await readComposeFile(fs, location);
  const paths = new Set<string>();
  for (const service of Object.values(compose.services)) {
    for (const volume of service.volumes ?? []) paths.add(volume.source);
  }
  for (const secret of Object.values(compose.secrets ?? {})) {
    paths.add(secret.file.startsWith('/') ? secret.file : join(location.stackDir, secret.file));
  }
  const fileHashes = new Map<string, string>();
  await Promise.all(
    [...paths].map(async (path) => {
      const hash = await sha256(fs, path);
      if (hash) fileHashes.set(path, hash);
    }),
  );
  return planStack(compose, {
    project: location.project ?? PROJECT_NAME,
    composeFile: location.composeFile,
    workingDir: location.stackDir,
    fileHashes,
  });
}

/**
 * The plan `config` would give, rendered in memory and never written. Its config hashes are not
 * those of the files (none exist yet): for reading what the services are, not for reconciling.
 */
export function renderedPlan(config: StackConfig, location: StackLocation): StackPlan {
  const { compose } = renderStack(config, { stackDir: location.stackDir });
  return planStack(compose, {
    project: location.project ?? PROJECT_NAME,
    composeFile: location.composeFile,
    workingDir: location.stackDir,
    fileHashes: new Map(),
  });
}

/** Writable mounts and secret copies whose owner is not the user the container runs as. */
export async function ownershipFixes(fs: FileSystem, plan: StackPlan): Promise<OwnershipFix[]> {
  const fixes: OwnershipFix[] = [];
  const seen = new Set<string>();
  for (const service of plan.services) {
    const user = service.definition.user;
    if (!user) continue;
    const [uid = 0, gid = uid] = user.split(':').map(Number);
    const paths = [
      ...(service.definition.volumes ?? []).filter((v) => !v.read_only).map((v) => v.source),
      ...service.secretMounts.map((s) => s.source),
    ];
    for (const path of paths) {
      if (seen.has(path)) continue;
      seen.add(path);
      const stat = await fs.stat(path).catch(() => undefined);
      if (!stat) continue;
      if (stat.uid !== uid || stat.gid !== gid)
        fixes.push({ path, uid, gid, recursive: stat.isDirectory });
    }
  }
  return fixes;
}

/** Applies owner fixes directly when this process is root (no helper container needed). */
export async function chownLocally(fs: FileSystem, fixes: OwnershipFix[]): Promise<void> {
  const walk = async (
    path: string,
    uid: number,
    gid: number,
    recursive: boolean,
  ): Promise<void> => {
    await fs.chown(path, uid, gid);
    if (!recursive) return;
    const stat = await fs.stat(path);
    if (!stat.isDirectory) return;
    for (const entry of await fs.listDir(path)) await walk(join(path, entry), uid, gid, true);
  };
  for (const fix of fixes) await walk(fix.path, fix.uid, fix.gid, fix.recursive);
}

/** Documented public placeholders, stored as secret files only because MediaNest wants them there. */
const PUBLIC_VALUES = new Set([PLEX_CLIENT_ID_PLACEHOLDER, PLEX_CLIENT_SECRET_PLACEHOLDER]);

/** Every current secret value, for masking them in anything shown to the user. */
export async function secretValues(fs: FileSystem, secretsDir: string): Promise<string[]> {
  if (!(await fs.exists(secretsDir))) return [];
  const values: string[] = [];
  for (const name of await fs.listDir(secretsDir)) {
    const stat = await fs.stat(join(secretsDir, name)).catch(() => undefined);
    if (!stat || stat.isDirectory) continue;
    const value = (await fs.readText(join(secretsDir, name))).trim();
    if (value.length >= 8 && !PUBLIC_VALUES.has(value)) values.push(value);
  }
  return values;
}
