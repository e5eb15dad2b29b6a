/** Plain-language figures for the UI. */

const UNITS = ['KB', 'MB', 'GB', 'TB'] as const;

/**
 * Bytes as a person reads them, the one way every screen says a size (the backups list, its
 * panel, the dashboard, the charts): `512 bytes`, `3.4 MB`, `12 MB`, `1.5 GB`. Powers of 1024, as
 * the desktop's file managers count a file's size.
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

/** `1 match`, `2 matches`, `1,234 lines`: a count with its noun in the right number. */
export function plural(n: number, one: string, many: string): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.floor(seconds)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 86_400)
    return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
  return `${Math.floor(seconds / 86_400)} d ${Math.floor((seconds % 86_400) / 3600)} h`;
}

export function uptimeOf(startedAt: string | null, now = Date.now()): string {
  if (!startedAt) return '—';
  return formatDuration(Math.max(0, (now - Date.parse(startedAt)) / 1000));
}

export function formatTime(iso: string): string {
  return new Date(iso).toLocaleString();
}
