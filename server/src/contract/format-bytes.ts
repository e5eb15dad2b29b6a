/** How a size reads, the same in the UI, the CLI, doctor's checks and job progress. */

const UNITS = ['KB', 'MB', 'GB', 'TB'] as const;

/**
 * Bytes as a person reads them, the one way every screen and message says a size: `512 bytes`,
 * `3.4 MB`, `12 MB`, `1.5 GB`. Powers of 1024, as the desktop's file managers count a file's size.
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 1024) {
    const n = Math.max(0, Math.round(Number.isFinite(bytes) ? bytes : 0));
    return `${n} ${n === 1 ? 'byte' : 'bytes'}`;
  }
  let value = bytes / 1024;
  let unit = 0;
  // Rounding can reach 1024 (1023.96 KB): carry it to the next unit so no size reads "1024 KB".
  while (Math.round(value * 10) / 10 >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const shown = value >= 9.95 ? Math.round(value).toString() : value.toFixed(1);
  return `${shown} ${UNITS[unit]}`;
}
