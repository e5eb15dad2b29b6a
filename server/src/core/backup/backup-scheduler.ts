/**
 * Runs the scheduled backups inside the server, on schedule.ts's slots: a timer to the next one;
 * slots missed while the machine was off are served by one backup at the next start. Each run goes
 * through the JobRunner (one job at a time: a manual backup during a scheduled one gets its "busy"
 * answer), and after a verified backup retention.ts's plan removes only good backups beyond the
 * kept set. A slot that comes due while another job runs (here, or a CLI verb holding the job
 * lock) is not lost: it waits and tries again until that job has finished.
 */
import type { BackupKind, BackupSchedule } from '../../contract/backup-routes.js';
import { AppError } from '../app-error.js';
import type { JobContext, JobRunner } from '../jobs/job-runner.js';
import type { BackupRecord } from './ports.js';
import { planRetention } from './retention.js';
import { markRun, missedRuns, nextRun, type LastRuns, type Slot } from './schedule.js';

export interface SchedulerDeps {
  schedule: () => BackupSchedule;
  /** The IANA zone the schedule's times are in. */
  timeZone: () => string;
  /** Takes and verifies a backup of `kind`, reporting progress to the job. */
  backup: (kind: BackupKind, ctx: JobContext) => Promise<unknown>;
  /** The catalogue, newest first. */
  list: () => BackupRecord[];
  /** Deletes a backup's archive and row. */
  remove: (record: BackupRecord) => Promise<void>;
  /** The slots already run, persisted across restarts. */
  lastRuns: { get: () => LastRuns; set: (runs: LastRuns) => void };
  runner: JobRunner;
  now: () => Date;
  onError: (message: string, error: unknown) => void;
  /** How long a slot refused as busy waits before it tries again (default a minute). */
  busyRetryMs?: number;
}

/** The kinds retention governs: what the schedule made. */
const SCHEDULED: ReadonlySet<BackupKind> = new Set(['daily', 'weekly']);

/**
 * Scheduled good backups beyond what retention keeps. Manual backups and the safety snapshots
 * taken before a restore are the user's: they never count toward retention and are never pruned;
 * failed or unverified backups are never touched either.
 */
export function toPrune(
  records: BackupRecord[],
  retention: BackupSchedule['retention'],
  zone: string,
  now: Date,
): BackupRecord[] {
  const scheduled = records.filter((r) => SCHEDULED.has(r.kind));
  const remove = new Set(planRetention(scheduled, retention, zone, now).remove);
  return scheduled.filter((r) => remove.has(r.id));
}

/**
 * Retention applied now: each scheduled backup `toPrune` names is removed (archive, then row), in
 * order, `removing` told before each. The scheduler runs it after a verified scheduled backup;
 * `backups prune` runs it on its own.
 */
export async function pruneScheduled(
  deps: Pick<SchedulerDeps, 'schedule' | 'timeZone' | 'list' | 'remove' | 'now'>,
  removing: (record: BackupRecord) => void = () => undefined,
): Promise<BackupRecord[]> {
  const { retention } = deps.schedule();
  const pruned = toPrune(deps.list(), retention, deps.timeZone(), deps.now());
  for (const record of pruned) {
    removing(record);
    await deps.remove(record);
  }
  return pruned;
}

export class BackupScheduler {
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  /** Slots refused as busy, run with the next attempt. */
  private waiting: Slot[] = [];
  private retry: NodeJS.Timeout | undefined;

  constructor(private readonly deps: SchedulerDeps) {}

  start(): void {
    this.stopped = false;
    const { schedule, timeZone, lastRuns, now } = this.deps;
    const missed = missedRuns(schedule(), timeZone(), lastRuns.get(), now());
    if (missed.length > 0) this.run(missed);
    this.arm();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
  }

  /** When the next scheduled backup runs, if any is enabled. */
  next(): Date | undefined {
    const { schedule, timeZone, lastRuns, now } = this.deps;
    return nextRun(schedule(), timeZone(), lastRuns.get(), now())?.at;
  }

  private arm(): void {
    if (this.stopped) return;
    const { schedule, timeZone, lastRuns, now } = this.deps;
    const next = nextRun(schedule(), timeZone(), lastRuns.get(), now());
    if (!next) return;
    // Re-armed at least hourly, so a changed schedule, zone or clock is picked up.
    const delay = Math.min(Math.max(0, next.at.getTime() - now().getTime()), 3_600_000);
    this.timer = setTimeout(() => {
      if (next.at <= this.deps.now()) this.run(next.slots);
      this.arm();
    }, delay);
    this.timer.unref();
  }

  /** One backup serves every slot due (a Sunday's daily and weekly): it counts as weekly then. */
  private run(due: Slot[]): void {
    const { lastRuns } = this.deps;
    const ran = lastRuns.get();
    // Slots still waiting join this run; any a later run has served since are dropped.
    const slots = [...this.waiting, ...due].filter((slot) => {
      const last = ran[slot.kind];
      return last === undefined || slot.date > last;
    });
    this.waiting = [];
    if (slots.length === 0) return;
    const kind = slots.some((s) => s.kind === 'weekly') ? 'weekly' : 'daily';
    try {
      const { done } = this.deps.runner.start('backup', async (ctx) => {
        await this.deps.backup(kind, ctx);
        ctx.progress('Applying retention', 100);
        await pruneScheduled(this.deps);
      });
      // Marked once started: a slot never runs twice, even when the backup fails.
      lastRuns.set(markRun(ran, slots));
      done.catch((error: unknown) => this.deps.onError(`scheduled ${kind} backup failed`, error));
    } catch (error) {
      if (error instanceof AppError && error.code === 'busy') {
        this.waiting = slots;
        this.retryLater();
        this.deps.onError(`scheduled ${kind} backup waits for the running job`, error);
        return;
      }
      // Refused for any other reason: marked too, so a broken setup does not retry in a loop.
      lastRuns.set(markRun(ran, slots));
      this.deps.onError(`scheduled ${kind} backup did not start`, error);
    }
  }

  private retryLater(): void {
    if (this.stopped || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      if (!this.stopped) this.run([]);
    }, this.deps.busyRetryMs ?? 60_000);
    this.retry.unref();
  }
}
