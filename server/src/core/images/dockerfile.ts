/**
 * Just enough Dockerfile reading to check a build before it starts: the names of its stages, so
 * a missing target is reported by name ("has no stage frontend-production; its stages: …"), and
 * what each stage copies and runs, with line numbers, so a known defect is reported where it is.
 */
import { posix } from 'node:path';

/** One instruction: its keyword upper-cased, its arguments, the line it starts on (1-based). */
export interface Instruction {
  line: number;
  keyword: string;
  args: string;
}

/** Logical lines: comments dropped, `\` continuations joined (the default escape character). */
export function dockerfileInstructions(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let current = '';
  let start = 0;
  const push = (line: string): void => {
    const match = /^(\S+)\s*(.*)$/s.exec(line.trim());
    if (match?.[1]) {
      instructions.push({ line: start, keyword: match[1].toUpperCase(), args: match[2] ?? '' });
    }
    current = '';
  };
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line.startsWith('#')) continue;
    if (current === '') start = index + 1;
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    push(current + line);
  }
  if (current) push(current);
  return instructions;
}

/** The stage names (`FROM image AS name`), lower-cased as the builders treat them, in order. */
export function dockerfileStages(text: string): string[] {
  return parseStages(text).flatMap((stage) => (stage.name ? [stage.name] : []));
}

/** Whether a build-time feature only BuildKit has is used (e.g. `RUN --mount=type=cache`). */
export function needsBuildKit(text: string): boolean {
  return dockerfileInstructions(text).some(
    (i) =>
      ['RUN', 'COPY', 'ADD'].includes(i.keyword) &&
      /^(--[a-z-]+(=\S*)?\s+)*--(mount|link|chmod|exclude|parents)\b/i.test(i.args),
  );
}

export interface Stage {
  /** Lower-cased, when the FROM names it. */
  name: string | undefined;
  index: number;
  /** The image or earlier stage it starts from, lower-cased. */
  base: string;
  /** The line of its FROM. */
  line: number;
  /** Every instruction after the FROM, up to the next. */
  instructions: Instruction[];
}

export function parseStages(text: string): Stage[] {
  const stages: Stage[] = [];
  for (const instruction of dockerfileInstructions(text)) {
    if (instruction.keyword === 'FROM') {
      const args = instruction.args.split(/\s+/).filter((w) => w && !w.startsWith('--'));
      const named = args.length >= 3 && args[1]?.toUpperCase() === 'AS' && args[2];
      stages.push({
        name: named ? named.toLowerCase() : undefined,
        index: stages.length,
        base: (args[0] ?? '').toLowerCase(),
        line: instruction.line,
        instructions: [],
      });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

/** A COPY or ADD: from the context, or from another stage (`--from`). */
export interface Copy {
  line: number;
  from: string | undefined;
  sources: string[];
  dest: string;
  /** The working folder the destination is relative to. */
  workdir: string;
}

function words(args: string): string[] {
  if (args.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(args);
      if (Array.isArray(parsed) && parsed.every((p) => typeof p === 'string')) return parsed;
    } catch {
      // Not the JSON form after all: split it as words, as the builder would.
    }
  }
  return args.split(/\s+/).filter(Boolean);
}

/** The copies of a stage, with the working folder at each (WORKDIR as it stood, `/` at first). */
export function stageCopies(stage: Stage, inheritedWorkdir = '/'): Copy[] {
  const copies: Copy[] = [];
  let workdir = inheritedWorkdir;
  for (const { keyword, args, line } of stage.instructions) {
    if (keyword === 'WORKDIR') workdir = posix.resolve(workdir, args.trim() || '.');
    if (keyword !== 'COPY' && keyword !== 'ADD') continue;
    const all = args.split(/\s+/);
    const flags = [];
    while (all[0]?.startsWith('--')) flags.push(all.shift() ?? '');
    const rest = words(all.join(' '));
    if (rest.length < 2) continue;
    const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
    copies.push({
      line,
      from: from?.toLowerCase(),
      sources: rest.slice(0, -1),
      dest: rest.at(-1) ?? '',
      workdir,
    });
  }
  return copies;
}

/** Whether a COPY source (relative to the context) brings `file` along: itself, a folder of it, a glob. */
export function covers(source: string, file: string): boolean {
  const cleaned = posix.normalize(`/${source}`).replace(/^\/+|\/+$/g, '');
  if (cleaned === '' || cleaned === '.') return true;
  const pattern = new RegExp(
    `^${cleaned
      .split('')
      .map((ch) =>
        ch === '*' ? '[^/]*' : ch === '?' ? '[^/]' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&'),
      )
      .join('')}$`,
  );
  const parts = file.split('/');
  return parts.some((_, i) => pattern.test(parts.slice(0, i + 1).join('/')));
}

/** Its WORKDIR at the end, following FROM through earlier stages. */
export function finalWorkdir(stages: readonly Stage[], stage: Stage): string {
  const parent = stages.find((s) => s.index < stage.index && s.name === stage.base);
  let workdir = parent ? finalWorkdir(stages, parent) : '/';
  for (const { keyword, args } of stage.instructions) {
    if (keyword === 'WORKDIR') workdir = posix.resolve(workdir, args.trim() || '.');
  }
  return workdir;
}

/** The workdir a stage starts with (its parent stage's final one, `/` for an image). */
export function startWorkdir(stages: readonly Stage[], stage: Stage): string {
  const parent = stages.find((s) => s.index < stage.index && s.name === stage.base);
  return parent ? finalWorkdir(stages, parent) : '/';
}

/** The stage a `FROM` or `--from` names, by name or index; undefined for an outside image. */
export function stageNamed(stages: readonly Stage[], ref: string): Stage | undefined {
  return /^\d+$/.test(ref) ? stages[Number(ref)] : stages.find((s) => s.name === ref.toLowerCase());
}

/** The stages a target needs: itself, what it starts FROM, what it COPYs `--from`, and theirs. */
export function stagesNeededBy(stages: readonly Stage[], target: string): Stage[] {
  const needed = new Set<Stage>();
  const visit = (stage: Stage | undefined): void => {
    if (!stage || needed.has(stage)) return;
    needed.add(stage);
    const parent = stages.find((s) => s.index < stage.index && s.name === stage.base);
    visit(parent);
    for (const copy of stageCopies(stage)) if (copy.from) visit(stageNamed(stages, copy.from));
  };
  visit(stageNamed(stages, target));
  return [...needed].sort((a, b) => a.index - b.index);
}
