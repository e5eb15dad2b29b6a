/**
 * Where a follow of one container got to, so that reopening it (after a restart) neither repeats
 * nor misses a line. The engine's `since` is inclusive: a reopen from the last time seen resends
 * the lines that carry exactly that time, and this skips as many of them as were already taken.
 */
export class ResumePoint {
  private last: string | undefined;
  private atLast = 0;
  private toSkip = 0;

  get time(): string | undefined {
    return this.last;
  }

  /** Call before reading a reopened stream that starts at `time`. */
  reopen(): void {
    this.toSkip = this.atLast;
  }

  /** Whether the line is new; records it when it is. */
  accept(time: string): boolean {
    if (this.last === undefined || time > this.last) {
      this.last = time;
      this.atLast = 1;
      this.toSkip = 0;
      return true;
    }
    if (time < this.last) return false;
    if (this.toSkip > 0) {
      this.toSkip--;
      return false;
    }
    this.atLast++;
    return true;
  }
}
