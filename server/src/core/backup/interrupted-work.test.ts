import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createArchiveReader } from './archive/reader.js';
import type { BackupService } from './backup-service.js';
import { recoverInterrupted } from './interrupted-work.js';
import type { RestoreJournalEntry } from './ports.js';
import { fakeState } from './restore-harness.test-support.js';
import { RestoreService } from './restore-service.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A restore killed while swapping its data in, and what its recovery asks of the stack. */
function killedRestore(): { restore: RestoreService; stack: string[] } {
  const dataDir = mkdtempSync(join(tmpdir(), 'mna-interrupted-'));
  dirs.push(dataDir);
  let journal: RestoreJournalEntry | undefined = {
    step: 'swapping',
    source: 'safety snapshot',
    startedAt: new Date(0).toISOString(),
  };
  const stack: string[] = [];
  const state = fakeState();
  const restore = new RestoreService({
    backups: {} as BackupService,
    reader: createArchiveReader(),
    state: () => state,
    stack: () => ({
      stop: async (services) => void stack.push(`stop ${services.join(',')}`),
      start: async (services) => void stack.push(`start ${services.join(',')}`),
    }),
    journal: {
      read: () => journal,
      write: (entry) => void (journal = entry),
      clear: () => void (journal = undefined),
    },
    localKey: () => Promise.reject(new Error('not used')),
    dataDir: () => Promise.resolve(dataDir),
    now: () => new Date(0),
    freeBytes: () => Promise.resolve(1024 ** 4),
  });
  return { restore, stack };
}

const noBackups = { recover: async () => ({ interrupted: [] }) };

describe('settling an interrupted restore before the verb', () => {
  it('rolls it back and starts the app again', async () => {
    const { restore, stack } = killedRestore();
    const said = await recoverInterrupted({ restore, backups: noBackups });
    expect(said).toEqual(['An interrupted restore (from safety snapshot) was rolled back.']);
    expect(stack.filter((s) => s.startsWith('start ')).at(-1)).toBe(
      'start redis,backend,frontend,nginx',
    );
  });

  it('leaves the app stopped when an interrupted update follows: its own rollback starts it', async () => {
    // The restore was the update's rollback: the database it puts back is the new version's,
    // which the old images (rendered already) refuse to start on.
    const { restore, stack } = killedRestore();
    const said = await recoverInterrupted({ restore, backups: noBackups }, { updateFollows: true });
    expect(said).toEqual(['An interrupted restore (from safety snapshot) was rolled back.']);
    expect(stack.filter((s) => s.includes('backend'))).toEqual([
      'stop redis,backend,frontend,nginx',
    ]);
    expect(await restore.recover()).toBeUndefined();
  });
});
