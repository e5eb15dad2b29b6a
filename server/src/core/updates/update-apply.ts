/**
 * Applying an update (issue 18, section 2), one job in five steps, each reported as progress:
 * 1. preflight: free space, the new images present (pulled or built) while the old ones keep
 *    serving, `images check` on them, their migrations against the database's (a downgrade across
 *    a migration is refused);
 * 2. the app services stopped (the database quiet) and a verified safety snapshot taken;
 * 3. the new images rendered into the stack, which is brought up: the migrate job applies the new
 *    migrations, services are recreated, the start is health-gated;
 * 4. commit: the update recorded; the old images stay on the engine until the next successful
 *    update, so a rollback needs no network;
 * 5. on any failure: rolled back by itself (the old images, the database restored from the
 *    snapshot when it changed), recorded with the reason, and said.
 * The journal is written before each step; `recover` finishes or rolls back what a kill left.
 */
import { randomUUID } from 'node:crypto';
import { messageOf } from '../../contract/errors.js';
import { AppError } from '../app-error.js';
import type { UpdateHistory, UpdateRecord } from './update-history.js';
import type { UpdateJournal, UpdateJournalEntry } from './update-journal.js';
import type { ServiceImages, UpdatePorts, UpdateProgress } from './update-ports.js';

export type { ServiceImages, UpdatePorts, UpdateProgress };

export interface UpdateApplyDeps {
  ports: UpdatePorts;
  journal: UpdateJournal;
  history: UpdateHistory;
  now: () => Date;
}

export interface UpdateRequest {
  /** The new image per service that changes. */
  images: ServiceImages;
  /** How the user named it (a tag or a reference). */
  target: string;
  /** A manual rollback: the database comes back from this snapshot (refusing nothing). */
  restoreFrom?: string;
  kind?: UpdateRecord['kind'];
}

/** The backend's image carries the migrations (migrate runs it). */
const MIGRATIONS_FROM = 'backend';

export class UpdateApplier {
  constructor(private readonly deps: UpdateApplyDeps) {}

  private record(
    entry: UpdateJournalEntry,
    result: UpdateRecord['result'],
    reason?: string,
  ): UpdateRecord {
    const changed = Object.keys(entry.to).filter((s) => entry.to[s] !== entry.from[s]);
    const pick = (images: ServiceImages): ServiceImages =>
      Object.fromEntries(changed.map((s) => [s, images[s] ?? '']));
    const record: UpdateRecord = {
      id: entry.id,
      kind: entry.restoreFrom ? 'rollback' : 'update',
      from: pick(entry.from),
      to: pick(entry.to),
      target: entry.target,
      startedAt: entry.startedAt,
      durationMs: Math.max(0, this.deps.now().getTime() - Date.parse(entry.startedAt)),
      ...(entry.snapshotId ? { snapshotId: entry.snapshotId } : {}),
      result,
      ...(reason ? { reason } : {}),
    };
    this.deps.history.add(record);
    return record;
  }

  /** Step 1: nothing is changed; a refusal says why. Returns whether migrations would run. */
  private async preflight(
    from: ServiceImages,
    to: ServiceImages,
    request: UpdateRequest,
    progress: UpdateProgress,
  ): Promise<boolean> {
    const { ports } = this.deps;
    progress('Preflight: free space', 1);
    const space = await ports.spaceProblem();
    if (space) throw new AppError('insufficient_space', space);
    const changed = [...new Set(Object.keys(to).filter((s) => to[s] !== from[s]))];
    progress('Preflight: the new images (the running version keeps serving)', 3);
    await ports.ensureImages([...new Set(changed.map((s) => to[s] ?? ''))], progress);
    progress('Preflight: images check', 20);
    await ports.checkImages(to);
    const image = to[MIGRATIONS_FROM];
    if (!image || image === from[MIGRATIONS_FROM]) return request.restoreFrom !== undefined;
    progress('Preflight: migrations', 24);
    const [wanted, applied] = await Promise.all([
      ports.imageMigrations(image),
      ports.appliedMigrations(),
    ]);
    const unknown = applied.filter((name) => !wanted.includes(name));
    if (unknown.length > 0 && !request.restoreFrom) {
      throw new AppError(
        'conflict',
        `${image} does not know migration ${unknown.at(-1)}, which the database has: it is older than the data. Going back across a migration needs the database from before it: roll back to the previous version (\`update rollback\`) or restore a backup. Nothing was changed.`,
        { migration: unknown.at(-1) },
      );
    }
    return request.restoreFrom !== undefined || wanted.some((name) => !applied.includes(name));
  }

  async apply(
    request: UpdateRequest,
    progress: UpdateProgress = () => undefined,
  ): Promise<UpdateRecord> {
    const { ports, journal, now } = this.deps;
    const pending = await journal.read();
    if (pending) {
      throw new AppError(
        'conflict',
        `An earlier update (to ${pending.target}) did not finish; run any stack verb first to settle it.`,
      );
    }
    const from = ports.currentImages();
    const to: ServiceImages = { ...from, ...request.images };
    if (Object.keys(to).every((s) => to[s] === from[s])) {
      throw new AppError(
        'conflict',
        `The stack already runs ${request.target}: nothing to update.`,
      );
    }
    for (const service of Object.keys(request.images)) {
      if (!(service in from))
        throw new AppError('validation_failed', `service: ${service} is not in this stack.`, {
          field: 'service',
        });
    }
    const startedAt = now().toISOString();
    const changesDatabase = await this.preflight(from, to, request, progress);
    let entry: UpdateJournalEntry = {
      id: randomUUID(),
      step: 'stopping',
      from,
      to,
      target: request.target,
      startedAt,
      changesDatabase,
      ...(request.restoreFrom ? { restoreFrom: request.restoreFrom } : {}),
    };
    await journal.write(entry);
    try {
      progress('Stopping the app for the safety snapshot', 28);
      await ports.stopApp();
      const snapshotId = await ports.snapshot((step, percent) =>
        progress(`Safety snapshot: ${step}`, 30 + (percent ?? 0) * 0.3),
      );
      entry = { ...entry, step: 'applying', snapshotId };
      await journal.write(entry);
      progress('Rendering the stack with the new images', 62);
      await ports.renderImages(to);
      if (request.restoreFrom) {
        progress('Restoring the database from before the update', 65);
        await ports.down();
        await ports.restore(request.restoreFrom, (step) => progress(`Restore: ${step}`, 70));
      }
      progress('Migrations, new containers, health gate', 75);
      await ports.up((step, percent) => progress(step, percent ?? 80));
      progress('Checking that the new version answers', 90);
      await ports.verifyAnswers();
      entry = { ...entry, step: 'committing' };
      await journal.write(entry);
    } catch (error) {
      const reason = messageOf(error);
      const record = await this.rollback(entry, reason, progress);
      throw new AppError(
        'conflict',
        `The update to ${request.target} failed and was rolled back: ${reason}`,
        { rolledBack: true, record },
      );
    }
    return this.commit(entry, progress);
  }

  /**
   * Step 4: recorded, the images the update before replaced removed, and only then the journal
   * cleared: a kill anywhere in it leaves the journal, and the recovery runs it again (the record
   * it wrote is kept, an image already gone is no error). Clearing first lost the removal to a
   * kill, and a commit run again took its own record for the update before.
   */
  private async commit(entry: UpdateJournalEntry, progress: UpdateProgress): Promise<UpdateRecord> {
    progress('Committing', 95);
    const { history, ports } = this.deps;
    const before = history.list().find((r) => r.result === 'succeeded' && r.id !== entry.id);
    const record =
      history.list().find((r) => r.id === entry.id && r.result === 'succeeded') ??
      this.record(entry, 'succeeded');
    // The images the previous successful update replaced go now; this one's stay for a rollback.
    const keep = new Set([...Object.values(entry.from), ...Object.values(entry.to)]);
    const old = [...new Set(Object.values(before?.from ?? {}))].filter((i) => !keep.has(i));
    if (old.length > 0) {
      progress('Removing the images the update before replaced', 97);
      for (const image of old) await ports.removeImage(image).catch(() => undefined);
    }
    await this.deps.journal.clear();
    progress('Updated', 100);
    return record;
  }

  /**
   * Step 5: the old images rendered again and, when the database changed, the snapshot restored
   * (restore recreates the app from the old images and gates on health); otherwise an `up` of
   * the old images. Idempotent: a rollback interrupted is run again from its start.
   */
  private async rollback(
    entry: UpdateJournalEntry,
    reason: string,
    progress: UpdateProgress,
  ): Promise<UpdateRecord> {
    const { ports, journal } = this.deps;
    await journal.write({ ...entry, step: 'rolling-back', reason });
    progress(`Rolling back: ${reason}`, 85);
    try {
      await ports.renderImages(entry.from);
      if (entry.changesDatabase && entry.snapshotId) {
        progress('Rolling back: restoring the safety snapshot', 88);
        await ports.down();
        await ports.restore(entry.snapshotId, (step) => progress(`Rolling back: ${step}`, 90));
      }
      await ports.up((step) => progress(`Rolling back: ${step}`, 95));
    } catch (rollbackError) {
      const both = `${reason}; the rollback failed too: ${messageOf(rollbackError)}${entry.snapshotId ? ` (the safety snapshot ${entry.snapshotId} holds the state from before)` : ''}`;
      const record = this.record(entry, 'failed', both);
      await journal.clear();
      ports.rolledBack(record);
      throw new AppError('conflict', `The update to ${entry.target} failed: ${both}`, { record });
    }
    const record = this.record(entry, 'rolled-back', reason);
    await journal.clear();
    ports.rolledBack(record);
    return record;
  }

  /** Whether an update a kill interrupted waits to be settled by `recover`. */
  async interrupted(): Promise<boolean> {
    return (await this.deps.journal.read()) !== undefined;
  }

  /**
   * At start (before any verb that touches the stack): an update a kill interrupted is settled.
   * Past its health gate it is committed; anything earlier is rolled back (after only the stop,
   * that is starting the old version again). Returns one line a user reads, or undefined.
   */
  async recover(progress: UpdateProgress = () => undefined): Promise<string | undefined> {
    const entry = await this.deps.journal.read();
    if (!entry) return undefined;
    if (entry.step === 'committing') {
      await this.commit(entry, progress);
      return `An interrupted update (to ${entry.target}) had passed its health check; its commit was finished.`;
    }
    const reason =
      entry.step === 'rolling-back' && entry.reason
        ? entry.reason
        : 'interrupted (the app stopped during the update)';
    await this.rollback(entry, reason, progress);
    return `An interrupted update (to ${entry.target}) was rolled back: ${reason}.`;
  }

  /**
   * The manual rollback: back to the version before the newest successful update, the database
   * from that update's snapshot when the update changed it (what was written since is lost,
   * which the CLI asks to confirm).
   */
  async rollbackLast(progress: UpdateProgress = () => undefined): Promise<UpdateRecord> {
    const last = this.deps.history.list().find((r) => r.result === 'succeeded');
    if (!last) throw new AppError('conflict', 'There is no successful update to roll back.');
    const current = this.deps.ports.currentImages();
    const moved = Object.keys(last.to).filter((s) => current[s] !== last.to[s]);
    if (moved.length > 0) {
      throw new AppError(
        'conflict',
        `The stack no longer runs what the last update installed (${moved.join(', ')} changed since); nothing was changed.`,
      );
    }
    const needsRestore =
      last.snapshotId !== undefined &&
      (await this.migrationsSince(last.from[MIGRATIONS_FROM], last.to[MIGRATIONS_FROM]));
    return this.apply(
      {
        images: last.from,
        target: `${Object.values(last.from).join(', ')} (rollback)`,
        kind: 'rollback',
        ...(needsRestore && last.snapshotId ? { restoreFrom: last.snapshotId } : {}),
      },
      progress,
    );
  }

  /** Whether going from `older` to `newer` backend added migrations. */
  private async migrationsSince(older?: string, newer?: string): Promise<boolean> {
    if (!older || !newer || older === newer) return false;
    const [before, after] = await Promise.all([
      this.deps.ports.imageMigrations(older),
      this.deps.ports.imageMigrations(newer),
    ]);
    return after.some((name) => !before.includes(name));
  }
}
