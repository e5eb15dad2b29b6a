import { beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../app-error.js';
import { UpdateApplier, type ServiceImages, type UpdatePorts } from './update-apply.js';
import type { UpdateHistory, UpdateRecord } from './update-history.js';
import type { UpdateJournal, UpdateJournalEntry } from './update-journal.js';

const V1 = 'rig/backend:v1';
const V2 = 'rig/backend:v2';
const MIGRATIONS: Record<string, string[]> = {
  [V1]: ['1_init', '2_more', '3_last'],
  [V2]: ['1_init', '2_more', '3_last', '4_tags'],
  'rig/backend:v2-code-only': ['1_init', '2_more', '3_last'],
  'rig/backend:v3': ['1_init', '2_more', '3_last', '4_tags'],
};

/** A stack on an engine, as far as the update sees it: what is rendered, running and stored. */
class FakeStack implements UpdatePorts {
  calls: string[] = [];
  rendered: ServiceImages = { backend: V1, migrate: V1, frontend: 'rig/frontend:1' };
  applied = [...(MIGRATIONS[V1] ?? [])];
  snapshots = new Map<string, string[]>();
  removed: string[] = [];
  alerts: UpdateRecord[] = [];
  failUp: (images: ServiceImages) => string | undefined = () => undefined;
  failCheck = false;

  currentImages = (): ServiceImages => ({ ...this.rendered });
  spaceProblem = async (): Promise<string | undefined> => undefined;
  ensureImages = async (images: string[]): Promise<void> => {
    this.calls.push(`pull ${images.join(',')}`);
  };
  checkImages = async (): Promise<void> => {
    this.calls.push('check');
    if (this.failCheck) throw new AppError('conflict', 'the image has no /app/backend');
  };
  imageMigrations = async (image: string): Promise<string[]> => MIGRATIONS[image] ?? [];
  appliedMigrations = async (): Promise<string[]> => [...this.applied];
  stopApp = async (): Promise<void> => {
    this.calls.push('stop app');
  };
  snapshot = async (): Promise<string> => {
    const id = `snap-${this.snapshots.size + 1}`;
    this.snapshots.set(id, [...this.applied]);
    this.calls.push(`snapshot ${id}`);
    return id;
  };
  renderImages = async (images: ServiceImages): Promise<void> => {
    this.rendered = { ...images };
    this.calls.push(`render ${images.backend}`);
  };
  up = async (): Promise<void> => {
    this.calls.push(`up ${this.rendered.backend}`);
    // The migrate job: what the rendered backend has and the database has not, applied.
    for (const name of MIGRATIONS[this.rendered.backend ?? ''] ?? [])
      if (!this.applied.includes(name)) this.applied.push(name);
    const failure = this.failUp(this.rendered);
    if (failure) throw new AppError('conflict', failure);
  };
  verifyAnswers = async (): Promise<void> => undefined;
  down = async (): Promise<void> => {
    this.calls.push('down');
  };
  restore = async (id: string): Promise<void> => {
    this.applied = [...(this.snapshots.get(id) ?? [])];
    this.calls.push(`restore ${id}`);
  };
  removeImage = async (image: string): Promise<void> => {
    this.removed.push(image);
  };
  rolledBack = (record: UpdateRecord): void => {
    this.alerts.push(record);
  };
}

function memoryJournal(): UpdateJournal & { steps: string[]; entry?: UpdateJournalEntry } {
  const journal: UpdateJournal & { steps: string[]; entry?: UpdateJournalEntry } = {
    steps: [],
    read: async () => journal.entry,
    write: async (entry) => {
      journal.entry = entry;
      journal.steps.push(entry.step);
    },
    clear: async () => {
      delete journal.entry;
      journal.steps.push('cleared');
    },
  };
  return journal;
}

function memoryHistory(): UpdateHistory {
  const records: UpdateRecord[] = [];
  return {
    list: () => [...records],
    add(record) {
      const at = records.findIndex((r) => r.id === record.id);
      if (at >= 0) records.splice(at, 1);
      records.unshift(record);
    },
  };
}

let stack: FakeStack;
let journal: ReturnType<typeof memoryJournal>;
let history: UpdateHistory;
let applier: UpdateApplier;

beforeEach(() => {
  stack = new FakeStack();
  journal = memoryJournal();
  history = memoryHistory();
  applier = new UpdateApplier({ ports: stack, journal, history, now: () => new Date() });
});

const toV2 = { images: { backend: V2, migrate: V2 }, target: 'v2' };

describe('applying an update', () => {
  it('snapshots the quiet stack, then migrates and starts the new images, and records it', async () => {
    const steps: string[] = [];
    const record = await applier.apply(toV2, (step) => steps.push(step));
    expect(stack.calls).toEqual([
      `pull ${V2}`,
      'check',
      'stop app',
      'snapshot snap-1',
      `render ${V2}`,
      `up ${V2}`,
    ]);
    expect(journal.steps).toEqual(['stopping', 'applying', 'committing', 'cleared']);
    expect(record).toMatchObject({
      result: 'succeeded',
      snapshotId: 'snap-1',
      to: { backend: V2 },
    });
    expect(history.list()).toEqual([record]);
    expect(stack.applied).toContain('4_tags');
    expect(steps[0]).toBe('Preflight: free space');
    // The old image stays for a rollback; the next successful update lets it go.
    expect(stack.removed).toEqual([]);
    await applier.apply({
      images: { backend: 'rig/backend:v3', migrate: 'rig/backend:v3' },
      target: 'v3',
    });
    expect(stack.removed).toEqual([V1]);
  });

  it('rolls back by itself when the new version does not become healthy: old images, snapshot restored', async () => {
    stack.failUp = (images) =>
      images.backend === V2 ? 'backend did not become healthy within 60 s' : undefined;
    const error = await applier.apply(toV2).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).message).toMatch(/rolled back: backend did not become healthy/);
    expect(stack.calls.slice(4)).toEqual([
      `render ${V2}`,
      `up ${V2}`,
      `render ${V1}`,
      'down',
      'restore snap-1',
      `up ${V1}`,
    ]);
    expect(stack.rendered.backend).toBe(V1);
    expect(stack.applied).toEqual(MIGRATIONS[V1]);
    expect(journal.entry).toBeUndefined();
    expect(history.list()[0]).toMatchObject({
      result: 'rolled-back',
      reason: 'backend did not become healthy within 60 s',
      snapshotId: 'snap-1',
    });
    expect(stack.alerts).toHaveLength(1);
  });

  it('without new migrations, a rollback is the old images again, no restore', async () => {
    stack.failUp = (images) => (images.backend === V1 ? undefined : 'unhealthy');
    await expect(
      applier.apply({ images: { backend: 'rig/backend:v2-code-only' }, target: 'x' }),
    ).rejects.toThrow(/rolled back/);
    expect(stack.calls).not.toContain('down');
    expect(stack.calls.at(-1)).toBe(`up ${V1}`);
  });

  it('refuses an older image over a newer database before changing anything, naming the migration', async () => {
    stack.applied.push('4_tags');
    await expect(
      applier.apply({ images: { backend: 'rig/backend:v2-code-only' }, target: 'old' }),
    ).rejects.toThrow(/does not know migration 4_tags/);
    expect(stack.calls).not.toContain('stop app');
    expect(journal.steps).toEqual([]);
  });

  it('a failed images check stops nothing and records nothing', async () => {
    stack.failCheck = true;
    await expect(applier.apply(toV2)).rejects.toThrow(/no \/app\/backend/);
    expect(stack.calls).toEqual([`pull ${V2}`, 'check']);
    expect(history.list()).toEqual([]);
  });

  it('refuses an update to what already runs', async () => {
    await expect(applier.apply({ images: { backend: V1 }, target: 'v1' })).rejects.toThrow(
      /already runs/,
    );
  });
});

describe('after a kill', () => {
  const entry = (step: UpdateJournalEntry['step'], extra: Partial<UpdateJournalEntry> = {}) => ({
    id: 'u1',
    step,
    from: { backend: V1, migrate: V1, frontend: 'rig/frontend:1' },
    to: { backend: V2, migrate: V2, frontend: 'rig/frontend:1' },
    target: 'v2',
    startedAt: new Date().toISOString(),
    changesDatabase: true,
    ...extra,
  });

  it('does nothing without a journal', async () => {
    expect(await applier.recover()).toBeUndefined();
    expect(stack.calls).toEqual([]);
  });

  it('finishes the commit of an update past its health gate', async () => {
    journal.entry = entry('committing', { snapshotId: 'snap-1' });
    stack.rendered = { ...entry('committing').to };
    expect(await applier.recover()).toMatch(/commit was finished/);
    expect(stack.calls).toEqual([]);
    expect(history.list()[0]).toMatchObject({ id: 'u1', result: 'succeeded' });
    expect(journal.entry).toBeUndefined();
  });

  it('a commit killed after its record, run again: the images the update before replaced go, one record', async () => {
    await applier.apply(toV2);
    const V3 = 'rig/backend:v3';
    stack.failUp = () => undefined;
    // The commit of v2 -> v3 got as far as its record, then the kill: the journal still says so.
    const killed = { ...entry('committing'), id: 'u3', from: { ...stack.rendered } };
    killed.to = { ...killed.from, backend: V3, migrate: V3 };
    journal.entry = killed;
    history.add({
      id: 'u3',
      kind: 'update',
      from: { backend: V2, migrate: V2 },
      to: { backend: V3, migrate: V3 },
      target: 'v3',
      startedAt: killed.startedAt,
      durationMs: 1234,
      result: 'succeeded',
    });
    stack.rendered = { ...killed.to };
    expect(await applier.recover()).toMatch(/commit was finished/);
    expect(stack.removed).toEqual([V1]);
    expect(history.list().map((r) => [r.id, r.durationMs === 1234])).toEqual([
      ['u3', true],
      [expect.any(String), false],
    ]);
    expect(journal.entry).toBeUndefined();
  });

  it('clears the journal only after the clean-up of the images, so a kill in it is finished later', async () => {
    await applier.apply(toV2);
    const steps: string[] = [];
    const order: string[] = [];
    const clear = journal.clear.bind(journal);
    journal.clear = async () => {
      order.push('journal cleared');
      await clear();
    };
    stack.removeImage = async (image) => {
      order.push(`removed ${image}`);
    };
    await applier.apply(
      { images: { backend: 'rig/backend:v3', migrate: 'rig/backend:v3' }, target: 'v3' },
      (step) => steps.push(step),
    );
    expect(order).toEqual([`removed ${V1}`, 'journal cleared']);
    expect(steps.slice(-3)).toEqual([
      'Committing',
      'Removing the images the update before replaced',
      'Updated',
    ]);
  });

  it('rolls back one killed while applying: old images and the snapshot', async () => {
    stack.snapshots.set('snap-1', [...(MIGRATIONS[V1] ?? [])]);
    stack.rendered = { ...entry('applying').to };
    stack.applied.push('4_tags');
    journal.entry = entry('applying', { snapshotId: 'snap-1' });
    expect(await applier.recover()).toMatch(/rolled back: interrupted/);
    expect(stack.calls).toEqual([`render ${V1}`, 'down', 'restore snap-1', `up ${V1}`]);
    expect(stack.applied).toEqual(MIGRATIONS[V1]);
    expect(history.list()[0]).toMatchObject({ result: 'rolled-back' });
  });

  it('starts the old version again after a kill during the stop or the snapshot', async () => {
    journal.entry = entry('stopping');
    await applier.recover();
    expect(stack.calls).toEqual([`render ${V1}`, `up ${V1}`]);
  });

  it('runs an interrupted rollback again, keeping its reason', async () => {
    stack.snapshots.set('snap-1', [...(MIGRATIONS[V1] ?? [])]);
    journal.entry = entry('rolling-back', { snapshotId: 'snap-1', reason: 'migration 5 failed' });
    expect(await applier.recover()).toMatch(/migration 5 failed/);
    expect(stack.calls).toContain('restore snap-1');
    expect(history.list()[0]).toMatchObject({ reason: 'migration 5 failed' });
  });
});

describe('the manual rollback', () => {
  it('goes back to the previous version with the database from before the update', async () => {
    await applier.apply(toV2);
    const record = await applier.rollbackLast();
    expect(record).toMatchObject({ kind: 'rollback', result: 'succeeded', to: { backend: V1 } });
    expect(stack.calls.slice(-5)).toEqual([
      'snapshot snap-2',
      `render ${V1}`,
      'down',
      'restore snap-1',
      `up ${V1}`,
    ]);
    expect(stack.applied).toEqual(MIGRATIONS[V1]);
  });

  it('says so when there is nothing to roll back', async () => {
    await expect(applier.rollbackLast()).rejects.toThrow(/no successful update/);
  });
});
