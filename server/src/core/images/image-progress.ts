import { AppError } from '../app-error.js';

/**
 * What a build or a load reports as it goes. Every kind carries `step` (one plain line for a
 * person) and, when known, `percent` and `bytes`: a job forwards them as they are.
 */
export type ImageProgress =
  | { kind: 'phase'; step: string; percent: number }
  | {
      kind: 'context';
      step: string;
      service: string;
      percent: number;
      bytes: { done: number; total: number };
    }
  | {
      kind: 'step';
      step: string;
      service: string;
      /** The builder's step count (BuildKit's grows while it learns the build graph). */
      current: number;
      total: number;
      cached: boolean;
      percent: number;
    }
  | { kind: 'output'; step: string; service?: string; line: string; percent: number }
  | { kind: 'archive'; step: string; percent: number; bytes: { done: number; total: number } };

export type ImageProgressListener = (progress: ImageProgress) => void;

/** A refused value, named by its field, as every validation error of the API is. */
export function refuse(field: string, rule: string): never {
  throw new AppError('validation_failed', `${field}: ${rule}`, { fields: { [field]: rule } });
}

const REPORT_EVERY_BYTES = 1024 * 1024;

/**
 * Reports byte progress at most once per percent and per MB (and at the start and the end), so
 * a multi-gigabyte transfer sends about a hundred events and a small one two.
 */
export function byteReporter(
  total: number,
  report: (done: number, fraction: number) => void,
): (done: number) => void {
  let lastPercent = -1;
  let lastBytes = -Infinity;
  return (done) => {
    const fraction = total > 0 ? Math.min(1, done / total) : 1;
    const whole = Math.floor(fraction * 100);
    const edge = done === 0 || done >= total;
    if (whole === lastPercent || (!edge && done - lastBytes < REPORT_EVERY_BYTES)) return;
    lastPercent = whole;
    lastBytes = done;
    report(done, fraction);
  };
}

/** A percent that never goes back (BuildKit's step total can grow mid-build). */
export function monotonic(): (percent: number) => number {
  let high = 0;
  return (percent) => {
    high = Math.max(high, Math.min(100, Math.round(percent * 10) / 10));
    return high;
  };
}
