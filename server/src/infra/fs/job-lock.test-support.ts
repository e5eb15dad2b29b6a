import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { jobLockPath } from './file-job-lock.js';

/**
 * Writes `<home>/job.lock` as another holder would have (by default a CLI `backup` of this very
 * process, so a live one), for tests of what meets a held or stale lock. Returns the text written.
 */
export function writeLockHolder(homeRoot: string, fields: Record<string, unknown> = {}): string {
  const text = JSON.stringify({
    owner: 'cli',
    kind: 'backup',
    pid: process.pid,
    host: hostname(),
    startedAt: '2026-11-26T09:00:00.000Z',
    nonce: 'other',
    ...fields,
  });
  writeFileSync(jobLockPath(homeRoot), text);
  return text;
}
