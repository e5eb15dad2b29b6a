import type { BackupRecord } from './ports.js';

/**
 * The newest backup that passed verification (the one a restore would trust), or undefined: what
 * the storage page, the backup-age alert and /metrics all call "the last successful backup".
 */
export function lastVerifiedBackup(
  records: ReadonlyArray<Pick<BackupRecord, 'state' | 'createdAt'>>,
): Date | undefined {
  let newest: number | undefined;
  for (const record of records) {
    if (record.state !== 'verified' && record.state !== 'verified-restorable') continue;
    const at = Date.parse(record.createdAt);
    if (newest === undefined || at > newest) newest = at;
  }
  return newest === undefined ? undefined : new Date(newest);
}
