/**
 * "Restore from a backup" on a machine with no stack yet: the archive's settings and secrets
 * (ENCRYPTION_KEY among them: without it the restored database is partly unreadable) become this
 * home's, so `init` renders the same stack; the data is restored afterwards as in any restore.
 */
import { copyFile, mkdir, readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../app-error.js';
import { STACK_CONFIG_KEY } from '../settings/settings-repository.js';
import type { ArchiveReader } from './archive.js';
import { removeTree } from './file-batches.js';

export async function settingsFromArchive(
  deps: { reader: ArchiveReader; secretsDir: string; stagingDir: string; dataDir: string },
  archive: { path: string; key: Uint8Array },
): Promise<Record<string, unknown>> {
  await removeTree(deps.stagingDir);
  try {
    await deps.reader.extract(archive.path, archive.key, deps.stagingDir, {
      prefixes: ['config/', 'secrets/'],
    });
    const settings = JSON.parse(
      await readFile(join(deps.stagingDir, 'config', 'settings.json'), 'utf8'),
    ) as Record<string, unknown>;
    const config = settings[STACK_CONFIG_KEY];
    if (typeof config !== 'object' || config === null) {
      throw new AppError('restore_failed', 'The archive holds no stack settings to install from.');
    }
    await mkdir(deps.secretsDir, { recursive: true, mode: 0o700 });
    const staged = join(deps.stagingDir, 'secrets');
    for (const name of await readdir(staged)) {
      const target = join(deps.secretsDir, name);
      // A secret this home already has is kept: init never overwrites one either.
      if (await stat(target).catch(() => undefined)) continue;
      await copyFile(join(staged, name), target);
    }
    // The data goes where this machine keeps it, not where the old one did.
    return { ...(config as Record<string, unknown>), dataDir: deps.dataDir };
  } finally {
    await removeTree(deps.stagingDir);
  }
}
