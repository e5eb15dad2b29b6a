import { AppError } from '../app-error.js';

const RFC3339 = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/;

/**
 * RFC 3339 with exactly nine fractional digits in UTC, the one form log times take here so that
 * string order is time order. The engine's RFC3339Nano trims trailing zeros; this puts them back.
 */
export function normalizeTime(value: string): string | undefined {
  const match = RFC3339.exec(value);
  if (!match?.[1]) return undefined;
  const fraction = (match[2] ?? '').padEnd(9, '0');
  if (match[3] === 'Z') return `${match[1]}.${fraction}Z`;
  const ms = Date.parse(`${match[1]}${match[3]}`);
  if (Number.isNaN(ms)) return undefined;
  return `${new Date(ms).toISOString().slice(0, 19)}.${fraction}Z`;
}

/** A normalised time as the engine's `since`/`until` parameter: Unix seconds with nanoseconds. */
export function toEngineTimestamp(time: string): string {
  const seconds = Math.floor(Date.parse(`${time.slice(0, 19)}Z`) / 1000);
  return `${seconds}.${time.slice(20, 29)}`;
}

export function fromDate(date: Date): string {
  const iso = date.toISOString();
  return `${iso.slice(0, 23)}000000Z`;
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `since`/`until` as a user gives them: RFC 3339, Unix seconds, or a duration before now. */
export function parseTimeArg(value: string, now: Date, field: string): string {
  const duration = /^(\d+)(ms|s|m|h|d)$/.exec(value);
  if (duration?.[1] && duration[2]) {
    return fromDate(new Date(now.getTime() - Number(duration[1]) * (UNITS[duration[2]] ?? 0)));
  }
  if (/^\d+(\.\d+)?$/.test(value)) {
    const [whole = '0', fraction = ''] = value.split('.');
    const date = new Date(Number(whole) * 1000);
    if (!Number.isNaN(date.getTime())) {
      return `${date.toISOString().slice(0, 19)}.${fraction.slice(0, 9).padEnd(9, '0')}Z`;
    }
  }
  const normalised = normalizeTime(value);
  if (normalised && !Number.isNaN(Date.parse(normalised.slice(0, 19) + 'Z'))) return normalised;
  throw new AppError(
    'validation_failed',
    `${field}: "${value}" is not a time (RFC 3339, Unix seconds, or a duration such as 15m)`,
    { field },
  );
}
