/** Plain-language figures for the UI. */

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
