/**
 * Runs the scheduled backups inside the server: a timer to the next run; a run missed while the
 * machine was off runs once at the next start. Each run goes through the JobRunner (one job at a
 * time: a manual backup during a scheduled one gets its "busy" answer), and after a verified
 * backup the retention prunes, deleting only backups beyond the kept ones and never a failed
 * one's betters.
 */
import type { BackupKind, BackupSchedule } from '../../contract/backup-routes.js';
import type { JobContext, JobRunner } from '../jobs/job-runner.js';
import { nextRunOf, nextScheduledRun } from './backup-schedule.js';
import type { BackupRecord } from './ports.js';

export interface SchedulerDeps {
  schedule: () => BackupSchedule;
  /** Takes and verifies a backup of `kind`, reporting progress to the job. */
  backup: (kind: BackupKind, ctx: JobContext) => Promise<unknown>;
  /** The catalogue, newest first. */
  list: () => BackupRecord[];
  /** Deletes a backup's archive and row. */
  remove: (record: BackupRecord) => Promise<void>;
  /** When the last scheduled run of each kind started (ISO), persisted across restarts. */
  lastRun: {
    get: (kind: 'daily' | 'weekly') => string | undefined;
    set: (kind: 'daily' | 'weekly', at: string) => void;
  };
  runner: JobRunner;
  now: () => Date;
  onError: (message: string, error: unknown) => void;
}

const GOOD = new Set(['verified', 'verified-restorable']);

/**
 * The backups retention deletes: of the verified backups of each scheduled kind, all but the
 * newest `keep`. Manual and safety backups, failed and unverified ones are never counted or
 * deleted here.
 */
export function toPrune(
  records: BackupRecord[],
  retention: BackupSchedule['retention'],
): BackupRecord[] {
  const prune: BackupRecord[] = [];
  for (const kind of ['daily', 'weekly'] as const) {
    const good = records
      .filter((r) => r.kind === kind && GOOD.has(r.state))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    prune.push(...good.slice(retention[kind]));
  }
  return prune;
}

export class BackupScheduler {
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;

  constructor(private readonly deps: SchedulerDeps) {}

  start(): void {
    this.stopped = false;
    this.catchUp();
    this.arm();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** A run due since the last one (the machine was off at the time) runs now, once. */
  private catchUp(): void {
    const schedule = this.deps.schedule();
    for (const kind of ['weekly', 'daily'] as const) {
      if (!schedule[kind].enabled) continue;
      const last = this.deps.lastRun.get(kind);
      if (!last) {
        // A new home: nothing is missed before the first scheduled time.
        this.deps.lastRun.set(kind, this.deps.now().toISOString());
        continue;
      }
      const next = nextRunOf(schedule, kind, new Date(last));
      if (next && next <= this.deps.now()) {
        this.run(kind);
        return;
      }
    }
  }

  private arm(): void {
    if (this.stopped) return;
    const next = nextScheduledRun(this.deps.schedule(), this.deps.now());
    if (!next) return;
    // Re-armed at least hourly, so a changed schedule or clock is picked up.
    const delay = Math.min(Math.max(0, next.at.getTime() - this.deps.now().getTime()), 3_600_000);
    this.timer = setTimeout(() => {
      if (next.at <= this.deps.now()) this.run(next.kind);
      this.arm();
    }, delay);
    this.timer.unref();
  }

  /** Starts a scheduled backup as a job; a running job makes it wait for the next start or run. */
  run(kind: 'daily' | 'weekly'): void {
    this.deps.lastRun.set(kind, this.deps.now().toISOString());
    try {
      const { done } = this.deps.runner.start('backup', async (ctx) => {
        await this.deps.backup(kind, ctx);
        ctx.progress('Applying retention', 100);
        for (const record of toPrune(this.deps.list(), this.deps.schedule().retention)) {
          await this.deps.remove(record);
        }
      });
      done.catch((error: unknown) => this.deps.onError(`scheduled ${kind} backup failed`, error));
    } catch (error) {
      this.deps.onError(`scheduled ${kind} backup did not start`, error);
    }
  }
}
