/**
 * The known defects of MediaNest's own files that make a build from its checkout fail (reference
 * R5), found by reading the checkout before anything is sent to the engine: a build that cannot
 * work is refused in seconds, with where and what to do, instead of failing after minutes of npm.
 * Reads files only (no engine, no network); a checkout without these defects gives no finding.
 */
import { posix } from 'node:path';
import type { CheckoutFinding } from '../../contract/images-routes.js';
import {
  covers,
  parseStages,
  stageCopies,
  stagesNeededBy,
  startWorkdir,
  type Copy,
  type Stage,
} from './dockerfile.js';
import { DockerIgnore } from './dockerignore.js';
import { lineOfKey, parseJsonc } from './jsonc.js';
import type { SourceTree } from './source-tree.js';

/** What the checks read: whether a path is a file or a folder, and a file's text. */
export type CheckoutFiles = Pick<SourceTree, 'stat' | 'readText'>;

export interface Checkout {
  /** Absolute path of the checkout, without a trailing slash. */
  root: string;
  /** The Dockerfile, relative to root. */
  dockerfile: string;
  /** Each service being built and its stage (backend -> backend-production). */
  targets: Readonly<Record<string, string>>;
}

const ELSEWHERE =
  'or use images built elsewhere: a registry image, or an archive loaded with `images load FILE`, chosen as "My own images" in Settings.';

/** `tsconfig` module kinds whose output is ES modules whatever package.json says. */
const ESM_OUTPUT = new Set(['es6', 'es2015', 'es2020', 'es2022', 'esnext', 'preserve']);

const NPM_CI = /\bnpm\s+(ci|clean-install|install-clean)\b/;

interface Json {
  text: string;
  value: Record<string, unknown>;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const strings = (v: unknown): string[] =>
  typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((s) => typeof s === 'string') : [];

/** A copy and its stage. */
type StageCopy = Copy & { stage: Stage };

export async function findCheckoutDefects(
  files: CheckoutFiles,
  checkout: Checkout,
): Promise<CheckoutFinding[]> {
  const at = (relative: string) => `${checkout.root}/${relative}`;
  const read = async (relative: string): Promise<string | undefined> =>
    (await files.stat(at(relative)))?.kind === 'file' ? files.readText(at(relative)) : undefined;
  const json = async (relative: string): Promise<Json | undefined> => {
    const text = await read(relative);
    if (text === undefined) return undefined;
    try {
      const value = parseJsonc(text);
      // A file npm or tsc would refuse anyway is not one of these defects.
      return isRecord(value) ? { text, value } : undefined;
    } catch {
      return undefined;
    }
  };

  const dockerfile = checkout.dockerfile;
  const text = (await read(dockerfile)) ?? '';
  const stages = parseStages(text);
  const copiesOf = (needed: readonly Stage[]): StageCopy[] =>
    needed.flatMap((stage) =>
      stageCopies(stage, startWorkdir(stages, stage)).map((c) => ({ ...c, stage })),
    );
  const needed = [
    ...new Set(Object.values(checkout.targets).flatMap((t) => stagesNeededBy(stages, t))),
  ].sort((a, b) => a.index - b.index);
  const backendTarget = checkout.targets.backend;
  const backendCopies = backendTarget ? copiesOf(stagesNeededBy(stages, backendTarget)) : [];

  const findings: CheckoutFinding[] = [];
  const ignored = lockfileIgnored(
    dockerfile,
    await read('.dockerignore'),
    needed,
    copiesOf(needed),
  );
  if (ignored) findings.push(ignored);

  const rootPackage = await json('package.json');
  const workspaces = workspacePatterns(rootPackage?.value.workspaces);
  if (workspaces.length > 0) {
    for (const [service, target] of Object.entries(checkout.targets)) {
      const stage = stages.find((s) => s.name === target);
      const missing =
        stage && hoistedDepsMissing(dockerfile, service, stage, copiesOf([stage]), workspaces);
      if (missing) findings.push(missing);
    }
  }

  const tsconfig = backendTarget ? await json('backend/tsconfig.json') : undefined;
  const tsconfigCopy = backendCopies.find(
    (c) => !c.from && c.sources.some((s) => covers(s, 'backend/tsconfig.json')),
  );
  if (tsconfig && tsconfigCopy) {
    for (const extended of strings(tsconfig.value.extends).filter((e) => e.startsWith('.'))) {
      let file = posix.join('backend', extended);
      if (file.startsWith('../')) continue;
      if (!file.endsWith('.json')) file += '.json';
      const present = (await files.stat(at(file)))?.kind === 'file';
      const copied = backendCopies.some((c) => !c.from && c.sources.some((s) => covers(s, file)));
      if (present && copied) continue;
      findings.push(
        extendsNotCopied({ extended, file, present, dockerfile, tsconfig, tsconfigCopy }),
      );
    }
    const output = await moduleKind(tsconfig, 'backend/tsconfig.json', json);
    const backendPackage = await json('backend/package.json');
    if (output && ESM_OUTPUT.has(output.value.toLowerCase()) && backendPackage) {
      if (backendPackage.value.type !== 'module') findings.push(esmWithoutTypeModule(output));
    }
  }

  const publicCopy = copiesOf(needed).find((c) =>
    c.sources.some((s) => /(^|\/)frontend\/public$/.test(posix.normalize(s).replace(/\/+$/, ''))),
  );
  if (publicCopy && (await files.stat(at('frontend/public')))?.kind !== 'dir') {
    findings.push({
      code: 'frontend-public-missing',
      file: dockerfile,
      line: publicCopy.line,
      problem: `\`${dockerfile}\` copies \`frontend/public\` at line ${publicCopy.line}, but the checkout has no \`frontend/public\` folder: the build stops there.`,
      action: `Create the folder in the checkout (\`mkdir frontend/public\`; empty is enough); ${ELSEWHERE}`,
    });
  }
  return findings;
}

function lockfileIgnored(
  dockerfile: string,
  ignoreText: string | undefined,
  needed: readonly Stage[],
  copies: readonly StageCopy[],
): CheckoutFinding | undefined {
  if (ignoreText === undefined) return undefined;
  const excluded = new DockerIgnore(ignoreText).excludedBy('package-lock.json');
  if (!excluded) return undefined;
  const ci = needed
    .flatMap((s) => s.instructions)
    .find((i) => i.keyword === 'RUN' && NPM_CI.test(i.args));
  // A glob or a folder that would bring it copies what is there; only a COPY naming it fails.
  const copy = copies.find(
    (c) => !c.from && c.sources.some((s) => posix.normalize(`/${s}`) === '/package-lock.json'),
  );
  if (!ci && !copy) return undefined;
  const written = ignoreText.split(/\r?\n/)[excluded.line - 1]?.trim() ?? excluded.pattern;
  return {
    code: 'lockfile-ignored',
    file: '.dockerignore',
    line: excluded.line,
    problem:
      ci && (!copy || ci.line <= copy.line)
        ? `\`.dockerignore\` leaves \`package-lock.json\` out of what is sent to Docker (line ${excluded.line}: \`${written}\`), but \`${dockerfile}\` runs \`npm ci\` at line ${ci.line}, which refuses to install without that lockfile.`
        : `\`.dockerignore\` leaves \`package-lock.json\` out of what is sent to Docker (line ${excluded.line}: \`${written}\`), but \`${dockerfile}\` copies it at line ${copy?.line ?? 0}: the build stops there.`,
    action: `Add the line \`!package-lock.json\` at the end of \`.dockerignore\` (or delete line ${excluded.line}); ${ELSEWHERE}`,
  };
}

/** `workspaces` as npm takes it: a list of folders (globs allowed), or `{ packages: [...] }`. */
function workspacePatterns(value: unknown): string[][] {
  const list = isRecord(value) ? strings(value.packages) : strings(value);
  return list
    .map((p) => p.replace(/^\.\//, '').replace(/\/+$/, ''))
    .filter(Boolean)
    .map((p) => p.split('/'));
}

/** How many trailing segments of `dir` a workspace pattern matches (0: none). */
function workspaceDepth(dir: string[], patterns: readonly string[][]): number {
  for (const pattern of patterns) {
    if (pattern.length > dir.length) continue;
    const tail = dir.slice(dir.length - pattern.length);
    if (pattern.every((p, i) => p === '*' || p === '**' || p === tail[i])) return pattern.length;
  }
  return 0;
}

/**
 * npm installs a workspace's dependencies in the root `node_modules` (hoisting) and leaves only
 * conflicting versions in `<workspace>/node_modules`; a runtime stage that copies only the latter
 * has almost nothing to run with.
 */
function hoistedDepsMissing(
  dockerfile: string,
  service: string,
  stage: Stage,
  copies: readonly StageCopy[],
  workspaces: readonly string[][],
): CheckoutFinding | undefined {
  const own: { copy: StageCopy; source: string; root: string; suffix: string }[] = [];
  const other: string[] = [];
  for (const copy of copies.filter((c) => c.from)) {
    for (const source of copy.sources) {
      const path = posix.normalize(source).replace(/\/+$/, '') || '/';
      const parts = path.split('/');
      const depth =
        parts.at(-1) === 'node_modules' ? workspaceDepth(parts.slice(0, -1), workspaces) : 0;
      if (depth > 0) {
        const root = parts.slice(0, -1 - depth).join('/') || '/';
        own.push({ copy, source, root, suffix: parts.slice(-1 - depth).join('/') });
      } else other.push(path);
    }
  }
  const first = own[0];
  if (!first) return undefined;
  const rootModules = posix.join(first.root, 'node_modules');
  // The root folder itself, or a folder holding it (`COPY --from=deps /app ./`).
  if (other.some((p) => p === rootModules || rootModules.startsWith(`${p === '/' ? '' : p}/`))) {
    return undefined;
  }
  const dest = posix.resolve(first.copy.workdir, first.copy.dest);
  // The root node_modules belongs where the workspaces' parent landed (/app for /app/backend/...).
  const destRoot = dest.endsWith(`/${first.suffix}`)
    ? dest.slice(0, -first.suffix.length - 1) || '/'
    : first.root;
  const example = `COPY --from=${first.copy.from ?? ''} ${rootModules} ${posix.join(destRoot, 'node_modules')}`;
  const stageName = stage.name ?? String(stage.index);
  return {
    code: 'workspace-deps-not-copied',
    file: dockerfile,
    line: first.copy.line,
    problem: `The root \`package.json\` declares npm workspaces, so \`npm ci\` puts most dependencies in the root \`node_modules\` folder; but stage \`${stageName}\` of \`${dockerfile}\` copies only ${own.map((o) => `\`${o.source}\``).join(', ')} (line ${first.copy.line}), never the root one: the ${service} would stop at start for want of its dependencies.`,
    action: `Add \`${example}\` to stage \`${stageName}\`; ${ELSEWHERE}`,
  };
}

function extendsNotCopied(at: {
  extended: string;
  file: string;
  present: boolean;
  dockerfile: string;
  tsconfig: Json;
  tsconfigCopy: StageCopy;
}): CheckoutFinding {
  const { extended, file, present, dockerfile, tsconfig, tsconfigCopy } = at;
  const line = lineOfKey(tsconfig.text, 'extends');
  const where = line === undefined ? {} : { line };
  if (!present) {
    return {
      code: 'tsconfig-extends-not-copied',
      file: 'backend/tsconfig.json',
      ...where,
      problem: `\`backend/tsconfig.json\` extends \`${extended}\`, which is not in the checkout: TypeScript stops with error TS5083 (cannot read file).`,
      action: `Put \`${file}\` back into the checkout and have \`${dockerfile}\` copy it; ${ELSEWHERE}`,
    };
  }
  // Where backend/tsconfig.json lands in the image, and so where the file it extends must be.
  const dest = posix.resolve(tsconfigCopy.workdir, tsconfigCopy.dest);
  const intoFolder =
    tsconfigCopy.dest.endsWith('/') ||
    tsconfigCopy.sources.length > 1 ||
    /[*?]/.test(tsconfigCopy.sources[0] ?? '');
  const backendDir = intoFolder ? dest : posix.dirname(dest);
  const wanted = posix.resolve(backendDir, posix.relative('backend', file));
  const stageName = tsconfigCopy.stage.name ?? String(tsconfigCopy.stage.index);
  return {
    code: 'tsconfig-extends-not-copied',
    file: 'backend/tsconfig.json',
    ...where,
    problem: `\`backend/tsconfig.json\` extends \`${extended}\`, but \`${dockerfile}\` never copies \`${file}\` into the backend's build: TypeScript stops with error TS5083 (cannot read file).`,
    action: `Add \`COPY ${file} ${wanted}\` to stage \`${stageName}\` of \`${dockerfile}\` (after line ${tsconfigCopy.line}); ${ELSEWHERE}`,
  };
}

/** `compilerOptions.module` of a tsconfig, or of the first file up its `extends` chain that sets it. */
async function moduleKind(
  config: Json,
  file: string,
  json: (relative: string) => Promise<Json | undefined>,
  depth = 0,
): Promise<{ value: string; file: string; line: number | undefined } | undefined> {
  const options = config.value.compilerOptions;
  if (isRecord(options) && typeof options.module === 'string') {
    return { value: options.module, file, line: lineOfKey(config.text, 'module') };
  }
  const parent = strings(config.value.extends).find((e) => e.startsWith('.'));
  if (!parent || depth >= 8) return undefined;
  let next = posix.join(posix.dirname(file), parent);
  if (!next.endsWith('.json')) next += '.json';
  const loaded = next.startsWith('../') ? undefined : await json(next);
  return loaded && moduleKind(loaded, next, json, depth + 1);
}

function esmWithoutTypeModule(module: {
  value: string;
  file: string;
  line: number | undefined;
}): CheckoutFinding {
  const which =
    module.file === 'backend/tsconfig.json'
      ? '`backend/tsconfig.json`'
      : `\`${module.file}\`, which \`backend/tsconfig.json\` extends,`;
  return {
    code: 'esm-without-type-module',
    file: module.file,
    ...(module.line === undefined ? {} : { line: module.line }),
    problem: `${which} compiles the backend to ES modules (\`"module": "${module.value}"\`), but \`backend/package.json\` has no \`"type": "module"\`: Node loads the output as CommonJS and the backend stops at its first \`import\`.`,
    action: `Set \`"module": "CommonJS"\` in \`${module.file}\` (adding \`"type": "module"\` to \`backend/package.json\` instead also needs a \`.js\` extension on every relative import and no \`@/\` path aliases in the output); ${ELSEWHERE}`,
  };
}
