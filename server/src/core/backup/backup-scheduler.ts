/**
 * Runs the scheduled backups inside the server, on schedule.ts's slots: a timer to the next one;
 * slots missed while the machine was off are served by one backup at the next start. Each run goes
 * through the JobRunner (one job at a time: a manual backup during a scheduled one gets its "busy"
 * answer), and after a verified backup retention.ts's plan removes only good backups beyond the
 * kept set.
 */
import type { BackupKind, BackupSchedule } from '../../contract/backup-routes.js';
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
  private run(slots: Slot[]): void {
    const { lastRuns } = this.deps;
    // Marked before it runs: a slot never runs twice, even when the backup fails or is refused.
    lastRuns.set(markRun(lastRuns.get(), slots));
    const kind = slots.some((s) => s.kind === 'weekly') ? 'weekly' : 'daily';
    try {
      const { done } = this.deps.runner.start('backup', async (ctx) => {
        await this.deps.backup(kind, ctx);
        ctx.progress('Applying retention', 100);
        await pruneScheduled(this.deps);
      });
      done.catch((error: unknown) => this.deps.onError(`scheduled ${kind} backup failed`, error));
    } catch (error) {
      this.deps.onError(`scheduled ${kind} backup did not start`, error);
    }
  }
}
