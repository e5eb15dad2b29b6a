/**
 * Runs the update check inside the server every `check.everyHours` (daily by default) while
 * `check.enabled`. Never during a job (an `up` pulling, a backup, a CLI verb holding the job
 * lock): a check that comes due then waits a minute and looks again. The first check after a
 * start comes a little later, so a starting server answers first.
 */
import type { UpdateSettings } from '../../contract/updates-routes.js';

export interface UpdateSchedulerDeps {
  settings: () => UpdateSettings;
  /** When the last check ran (persisted, so a restart does not check again at once). */
  lastCheckAt: () => Date | undefined;
  check: () => Promise<unknown>;
  /** Whether a job runs now, here or in another process. */
  jobRunning: () => boolean;
  now: () => Date;
  onError: (message: string, error: unknown) => void;
  /** Delay of the first check when none ever ran, or the last is overdue (default a minute). */
  startDelayMs?: number;
  /** How long a due check waits for a running job before looking again (default a minute). */
  busyRetryMs?: number;
}

const HOUR = 3_600_000;

export class UpdateScheduler {
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private startedAt = 0;

  constructor(private readonly deps: UpdateSchedulerDeps) {}

  start(): void {
    this.stopped = false;
    this.startedAt = this.deps.now().getTime();
    this.arm();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The settings changed: the timer follows at once rather than within the hour. */
  changed(): void {
    this.arm();
  }

  /** When the next scheduled check runs; undefined while checks are off or the scheduler stopped. */
  next(): Date | undefined {
    const { check } = this.deps.settings();
    if (this.stopped || !check.enabled) return undefined;
    const last = this.deps.lastCheckAt()?.getTime();
    const earliest = this.startedAt + (this.deps.startDelayMs ?? 60_000);
    const due = last === undefined ? earliest : Math.max(last + check.everyHours * HOUR, earliest);
    return new Date(due);
  }

  /** Re-armed at least hourly, so a changed setting or clock is picked up. */
  private arm(delayMs?: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    const next = this.next();
    const wait = delayMs ?? (next ? Math.max(0, next.getTime() - this.deps.now().getTime()) : HOUR);
    this.timer = setTimeout(() => void this.tick(), Math.min(wait, HOUR));
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    const next = this.next();
    if (!next || next > this.deps.now()) return this.arm();
    if (this.deps.jobRunning()) return this.arm(this.deps.busyRetryMs ?? 60_000);
    try {
      await this.deps.check();
    } catch (error) {
      this.deps.onError('the scheduled update check did not run', error);
      // Not installed, or the engine is away: look again in an hour rather than in a loop.
      this.arm(HOUR);
      return;
    }
    this.arm();
  }
}
