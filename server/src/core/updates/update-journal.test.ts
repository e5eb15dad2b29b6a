import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NodeFileSystem } from '../../infra/fs/node-file-system.js';
import type { SettingsRepository } from '../settings/settings-repository.js';
import { settingsUpdateHistory, UPDATE_HISTORY_KEY, type UpdateRecord } from './update-history.js';
import {
  fileUpdateJournal,
  UPDATE_JOURNAL_FILE,
  type UpdateJournalEntry,
} from './update-journal.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const entry: UpdateJournalEntry = {
  id: 'u1',
  step: 'applying',
  from: { backend: 'mn/backend:1' },
  to: { backend: 'mn/backend:2' },
  target: '2',
  startedAt: '2026-12-07T10:00:00.000Z',
  snapshotId: 'snap-1',
  changesDatabase: true,
};

describe('the update journal file', () => {
  it('keeps the step across processes and is gone once cleared', async () => {
    const home = mkdtempSync(join(tmpdir(), 'mna-journal-'));
    dirs.push(home);
    const journal = fileUpdateJournal(new NodeFileSystem(), home);
    expect(await journal.read()).toBeUndefined();
    await journal.write(entry);
    expect(await fileUpdateJournal(new NodeFileSystem(), home).read()).toEqual(entry);
    await journal.clear();
    expect(await journal.read()).toBeUndefined();
  });

  it('stops with its path when the file is not a journal, rather than guess a step', async () => {
    const home = mkdtempSync(join(tmpdir(), 'mna-journal-'));
    dirs.push(home);
    writeFileSync(join(home, UPDATE_JOURNAL_FILE), '{"step":"somewhere"');
    await expect(fileUpdateJournal(new NodeFileSystem(), home).read()).rejects.toThrow(
      /update-journal\.json is not a readable update journal/,
    );
  });
});

describe('the update history', () => {
  const record = (id: string): UpdateRecord => ({
    id,
    kind: 'update',
    from: { backend: 'a' },
    to: { backend: 'b' },
    target: 'b',
    startedAt: '2026-12-07T10:00:00.000Z',
    durationMs: 1000,
    result: 'succeeded',
  });
  const settings = (): SettingsRepository => {
    const values = new Map<string, unknown>();
    return { get: (k) => values.get(k), set: (k, v) => void values.set(k, v) };
  };

  it('lists newest first, one row per update, the last 50', () => {
    const store = settings();
    const history = settingsUpdateHistory(store);
    for (let i = 0; i < 60; i += 1) history.add(record(`u${i}`));
    history.add({ ...record('u59'), result: 'rolled-back' });
    const list = history.list();
    expect(list).toHaveLength(50);
    expect(list[0]).toMatchObject({ id: 'u59', result: 'rolled-back' });
    expect(list[1]?.id).toBe('u58');
  });

  it('reads a value it cannot parse as no history', () => {
    const store = settings();
    store.set(UPDATE_HISTORY_KEY, [{ id: 1 }]);
    expect(settingsUpdateHistory(store).list()).toEqual([]);
  });
});
