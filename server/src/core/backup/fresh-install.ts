/**
 * "Restore from a backup" on a machine with no stack yet: the archive's settings and secrets
 * (ENCRYPTION_KEY among them: without it the restored database is partly unreadable) become this
 * home's, so `init` renders the same stack; the data is restored afterwards as in any restore.
 * The archive may come from anywhere, so its settings pass the stack's own schema and its secrets
 * a check of name, type and size, all before this home's secrets folder is touched.
 */
import { lstat, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../app-error.js';
import { SECRET_NAMES } from '../secrets/catalogue.js';
import { STACK_CONFIG_KEY } from '../settings/settings-repository.js';
import { parseStackConfig } from '../stack/config.js';
import type { ArchiveReader } from './archive/format.js';
import { removeTree } from './archive/file-batches.js';

/** settings.json holds one stack configuration: a few KiB. */
const MAX_SETTINGS_BYTES = 1024 * 1024;
/** The largest secret is nginx's self-signed certificate and key (a few KiB of PEM). */
const MAX_SECRET_BYTES = 64 * 1024;

function refused(field: string, why: string): AppError {
  return new AppError(
    'unsafe_entry',
    `The backup archive's ${field} cannot be installed from (${why}); nothing was changed.`,
    { field },
  );
}

/** The stack configuration of the archive's settings, through the stack's own schema. */
async function archiveConfig(staging: string, dataDir: string): Promise<Record<string, unknown>> {
  const path = join(staging, 'config', 'settings.json');
  const info = await lstat(path).catch(() => undefined);
  if (!info?.isFile()) {
    throw new AppError('restore_failed', 'The archive holds no stack settings to install from.');
  }
  if (info.size > MAX_SETTINGS_BYTES) throw refused('config/settings.json', 'it is too large');
  let settings: unknown;
  try {
    settings = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    throw refused('config/settings.json', 'it is not JSON');
  }
  const config =
    typeof settings === 'object' && settings !== null && !Array.isArray(settings)
      ? (settings as Record<string, unknown>)[STACK_CONFIG_KEY]
      : undefined;
  if (typeof config !== 'object' || config === null) {
    throw new AppError('restore_failed', 'The archive holds no stack settings to install from.');
  }
  try {
    // The data goes where this machine keeps it, not where the old one did.
    return { ...parseStackConfig({ ...config, dataDir }) };
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    throw refused(`config/settings.json ${STACK_CONFIG_KEY}`, error.message);
  }
}

/** The archive's secrets, by name: each a known secret, a regular file, of a sane size. */
async function archiveSecrets(staging: string): Promise<Map<string, Buffer>> {
  const folder = join(staging, 'secrets');
  const names = await readdir(folder).catch(() => [] as string[]);
  const secrets = new Map<string, Buffer>();
  for (const name of names.sort()) {
    const field = `secrets/${name.slice(0, 100)}`;
    if (!(SECRET_NAMES as readonly string[]).includes(name)) {
      throw refused(field, `not a secret this app knows (known: ${SECRET_NAMES.join(', ')})`);
    }
    const info = await lstat(join(folder, name));
    if (!info.isFile()) throw refused(field, 'not a regular file');
    if (info.size > MAX_SECRET_BYTES) throw refused(field, 'it is too large');
    secrets.set(name, await readFile(join(folder, name)));
  }
  return secrets;
}

export async function settingsFromArchive(
  deps: { reader: ArchiveReader; secretsDir: string; stagingDir: string; dataDir: string },
  archive: { path: string; key: Uint8Array },
): Promise<Record<string, unknown>> {
  await removeTree(deps.stagingDir);
  try {
    await deps.reader.extract(archive.path, archive.key, deps.stagingDir, {
      prefixes: ['config/', 'secrets/'],
    });
    const config = await archiveConfig(deps.stagingDir, deps.dataDir);
    const secrets = await archiveSecrets(deps.stagingDir);
    await mkdir(deps.secretsDir, { recursive: true, mode: 0o700 });
    for (const [name, value] of secrets) {
      const target = join(deps.secretsDir, name);
      // A secret this home already has is kept: init never overwrites one either.
      if (await lstat(target).catch(() => undefined)) continue;
      // 0600 whatever mode the archive recorded; never through a link or over a file.
      await writeFile(target, value, { mode: 0o600, flag: 'wx' });
    }
    return config;
  } finally {
    await removeTree(deps.stagingDir);
  }
}
