import { AppError, toAppError } from '../app-error.js';

/**
 * Every value a rotation handles (old, new, derived, verifiers), so that whatever leaves it (an
 * error message, job history, an event) can be scrubbed of them. The last line of defence: no
 * message is built from a value in the first place.
 */
export class Scrubber {
  private readonly values = new Set<string>();

  add(...values: Array<string | undefined>): void {
    for (const value of values) if (value && value.length >= 8) this.values.add(value);
  }

  text(text: string): string {
    let out = text;
    for (const value of this.values) out = out.split(value).join('[redacted]');
    return out;
  }

  /**
   * The error as an AppError whose message and details hold none of the values, and which
   * carries no cause: a cause is logged as it is, and a raw engine or psql error may quote input.
   */
  error(error: unknown): AppError {
    const known = error instanceof AppError ? error : undefined;
    const base = known ?? toAppError(error);
    const message =
      known || !(error instanceof Error) ? base.message : `${base.message} (${error.message})`;
    const details = base.details
      ? (JSON.parse(this.text(JSON.stringify(base.details))) as Record<string, unknown>)
      : undefined;
    return new AppError(base.code, this.text(message), details);
  }
}
