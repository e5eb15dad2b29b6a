/**
 * A new machine restored from a backup: the archive's settings and secrets become this home's
 * stack (init, then up), and its key becomes the local recovery key, before the restore itself.
 */
import type { FileSystem } from '../file-system.js';
import type { StackConfigStore } from '../settings/stack-settings.js';
import type { PullPolicy } from '../stack/config.js';
import { initStack } from '../stack/init-service.js';
import { settingsFromArchive } from './fresh-install.js';

export interface InstallFromArchiveDeps {
  fs: FileSystem;
  reader: Parameters<typeof settingsFromArchive>[0]['reader'];
  location: { stackDir: string; secretsDir: string; dataDir: string; stagingDir: string };
  stackConfig: StackConfigStore;
  adoptKey: (key: Uint8Array) => Promise<unknown>;
  up: (pullPolicy: PullPolicy) => Promise<unknown>;
  now: () => Date;
}

export async function installFromArchive(
  deps: InstallFromArchiveDeps,
  archive: { path: string; key: Uint8Array },
): Promise<void> {
  const { stackDir, secretsDir, dataDir, stagingDir } = deps.location;
  const config = await settingsFromArchive(
    { reader: deps.reader, secretsDir, stagingDir, dataDir },
    archive,
  );
  const result = await initStack({ fs: deps.fs, now: deps.now }, { stackDir, secretsDir, config });
  // The Plex credentials live in the secrets folder, never in appliance.db.
  const { plex: _plex, ...storable } = result.config;
  deps.stackConfig.save(storable);
  await deps.adoptKey(archive.key);
  await deps.up(result.config.pullPolicy);
}
