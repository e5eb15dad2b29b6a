import type { BackupState } from '../../../../server/src/contract/backup-routes.js';

/** Bytes as a person reads them. */
export function bytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} bytes`;
}

export const when = (iso: string): string => new Date(iso).toLocaleString();

/** Each state in words, and the badge colour it gets. */
export const STATE: Record<
  BackupState,
  { label: string; badge: 'ok' | 'warn' | 'fail' | 'unknown' }
> = {
  running: { label: 'Being written', badge: 'unknown' },
  complete: { label: 'Complete, not yet verified', badge: 'warn' },
  verified: { label: 'Verified', badge: 'ok' },
  'verified-restorable': { label: 'Verified restorable', badge: 'ok' },
  failed: { label: 'Failed', badge: 'fail' },
  missing: { label: 'File missing', badge: 'fail' },
};
