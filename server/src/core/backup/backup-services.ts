/** The backup area as its users (routes, CLI verbs) see it, whatever assembles it. */
import type { BackupService } from './backup-service.js';
import type { RecoveryKeyStore } from './key-store.js';
import type { RestoreService } from './restore-service.js';

export interface BackupServices {
  backups: BackupService;
  restore: RestoreService;
  keys: RecoveryKeyStore;
  backupsDir: () => string;
  /** The stack's data folder; rejects when there is no stack yet. */
  dataDir: () => Promise<string>;
  /** Whether this home has a stack (settings from `init`). */
  installed: () => boolean;
  /** A new machine: init and up from the archive's settings and secrets, before the restore. */
  installFrom: (file: string, key: Uint8Array) => Promise<void>;
}
