/**
 * Just enough Dockerfile reading to check a build before it starts: the names of its stages, so
 * a missing target is reported by name ("has no stage frontend-production; its stages: …").
 */

/** Logical lines: comments dropped, `\` continuations joined (the default escape character). */
function logicalLines(text: string): string[] {
  const lines: string[] = [];
  let current = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('#')) continue;
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    lines.push(current + line);
    current = '';
  }
  if (current) lines.push(current);
  return lines;
}

/** The stage names (`FROM image AS name`), lower-cased as the builders treat them, in order. */
export function dockerfileStages(text: string): string[] {
  const stages: string[] = [];
  for (const line of logicalLines(text)) {
    const words = line.split(/\s+/);
    if (words[0]?.toUpperCase() !== 'FROM') continue;
    const args = words.slice(1).filter((w) => !w.startsWith('--'));
    if (args.length >= 3 && args[1]?.toUpperCase() === 'AS' && args[2]) {
      stages.push(args[2].toLowerCase());
    }
  }
  return stages;
}

/** Whether a build-time feature only BuildKit has is used (e.g. `RUN --mount=type=cache`). */
export function needsBuildKit(text: string): boolean {
  return logicalLines(text).some((line) =>
    /^(RUN|COPY|ADD)\s+(--[a-z-]+(=\S*)?\s+)*--(mount|link|chmod|exclude|parents)\b/i.test(line),
  );
}
