/**
 * A task run in rounds on a timer: a round at once, then the wait the owner names, then the next,
 * until stopped. Never a round on top of an unfinished one; the timer never keeps a CLI process or
 * a test runner alive; `stop` waits for a round under way. The engine watcher and the deep checks
 * run on it.
 */
export class Rounds {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private round: Promise<void> | undefined;
  private running = false;

  /** `nextDelayMs` is asked after each round: the wait before the next one. */
  constructor(
    private readonly task: () => Promise<void>,
    private readonly nextDelayMs: () => number,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.round;
  }

  /** One round now, or the one under way. */
  runOnce(): Promise<void> {
    this.round ??= this.task().finally(() => (this.round = undefined));
    return this.round;
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      void this.runOnce().finally(() => this.schedule(this.nextDelayMs()));
    }, delayMs);
    this.timer.unref?.();
  }
}
