import type { BackupState } from '@contract/backup-routes.js';

/** Bytes as a person reads them: the same words the dashboard's backup card uses. */
export { formatBytes as bytes } from '@contract/format-bytes.js';

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
