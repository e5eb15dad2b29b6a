/**
 * The import graph of our own source files, and the two things lint asks of it (STYLE.md, the
 * README's layout section): no import circles anywhere, and core areas importing one another only
 * in the intended direction. Pure functions over a graph, so a unit test can feed it fixtures;
 * scripts/check-imports.mjs runs them on the tree. Only relative imports are followed: a package
 * is never part of a circle of ours.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

const SOURCE = /\.(ts|tsx|mts|cts)$/;
const TEST = /\.test\.(ts|tsx)$|\.test-support\.ts$|\.spec\.ts$/;

/** Every source file under `folder` (repo-relative, POSIX separators), skipping declarations. */
export function sourceFiles(root, folder) {
  const found = [];
  const walk = (dir) => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir)) {
      if (name === 'node_modules' || name === 'dist') continue;
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (SOURCE.test(name) && !name.endsWith('.d.ts'))
        found.push(posix(relative(root, path)));
    }
  };
  walk(join(root, folder));
  return found.sort();
}

const posix = (path) => path.split(sep).join('/');

/**
 * The file a relative specifier names, as the compiler finds it: `./x.js` is `./x.ts` (NodeNext),
 * `./x` is `./x.ts`, `./x.tsx` or `./x/index.ts` (Bundler, the renderer). Undefined when none exists.
 */
export function resolveSpecifier(root, from, specifier) {
  const base = resolve(root, dirname(from), specifier);
  const stem = base.replace(/\.(c|m)?js$/, '');
  const candidates = [
    base,
    ...['.ts', '.tsx', '.mts', '.cts'].map((ext) => stem + ext),
    ...['index.ts', 'index.tsx'].map((name) => join(base, name)),
  ];
  const hit = candidates.find((path) => SOURCE.test(path) && existsSync(path));
  return hit === undefined ? undefined : posix(relative(root, hit));
}

/** file -> the files it imports (static, type-only, re-exports and dynamic `import()` alike). */
export function importGraph(root, files) {
  const graph = new Map();
  for (const file of files) {
    const info = ts.preProcessFile(readFileSync(join(root, file), 'utf8'), true, true);
    const targets = new Set();
    for (const { fileName } of info.importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const target = resolveSpecifier(root, file, fileName);
      if (target !== undefined) targets.add(target);
    }
    graph.set(file, [...targets].sort());
  }
  return graph;
}

/**
 * The import circles of a graph: each strongly connected set of files with more than one file
 * (or a file importing itself), as one circle through them, starting from its first file by name
 * so a report reads the same every run.
 */
export function findCycles(graph) {
  let counter = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const sets = [];
  // Iterative Tarjan: a long chain of imports must not overflow the call stack.
  for (const start of [...graph.keys()].sort()) {
    if (index.has(start)) continue;
    const work = [{ node: start, next: 0 }];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const edges = graph.get(frame.node) ?? [];
      if (frame.next < edges.length) {
        const to = edges[frame.next++];
        if (!index.has(to)) {
          index.set(to, counter);
          low.set(to, counter++);
          stack.push(to);
          onStack.add(to);
          work.push({ node: to, next: 0 });
        } else if (onStack.has(to)) {
          low.set(frame.node, Math.min(low.get(frame.node), index.get(to)));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent), low.get(frame.node)));
      }
      if (low.get(frame.node) === index.get(frame.node)) {
        const members = [];
        let member;
        do {
          member = stack.pop();
          onStack.delete(member);
          members.push(member);
        } while (member !== frame.node);
        const selfLoop = (graph.get(frame.node) ?? []).includes(frame.node);
        if (members.length > 1 || selfLoop) sets.push(members.sort());
      }
    }
  }
  return sets
    .map((members) => circleThrough(graph, members))
    .sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

/** One circle inside a strongly connected set: the shortest way from its first file back to it. */
function circleThrough(graph, members) {
  const inside = new Set(members);
  const first = members[0];
  const cameFrom = new Map();
  const queue = [first];
  for (let head = 0; head < queue.length; head += 1) {
    const node = queue[head];
    for (const to of graph.get(node) ?? []) {
      if (!inside.has(to)) continue;
      if (to === first) {
        const back = [first, node];
        while (back[back.length - 1] !== first) back.push(cameFrom.get(back[back.length - 1]));
        return back.reverse();
      }
      if (!cameFrom.has(to)) {
        cameFrom.set(to, node);
        queue.push(to);
      }
    }
  }
  return [first, first];
}

/** The core area a file belongs to (`server/src/core/backup/archive/x.ts` -> `backup`), or undefined. */
export function coreArea(file) {
  const match = /^server\/src\/core\/(.+)$/.exec(file);
  if (!match) return undefined;
  const parts = match[1].split('/');
  return parts.length === 1 ? '(root)' : parts[0];
}

/** Each area with every area it may reach through the ones it builds on. */
function reachable(direction) {
  const closure = {};
  const visit = (area, seen) => {
    for (const next of direction[area] ?? []) {
      if (seen.has(next)) continue;
      seen.add(next);
      visit(next, seen);
    }
    return seen;
  };
  for (const area of Object.keys(direction)) closure[area] = visit(area, new Set());
  return closure;
}

/** The circles of the intended direction itself (it must be a ladder, not a loop). */
export function areaCycles(direction) {
  const graph = new Map(
    Object.entries(direction).map(([area, below]) => [area, [...below].sort()]),
  );
  return findCycles(graph);
}

/**
 * Imports between core areas that the intended direction does not allow: `direction` maps each
 * area to the areas it builds on; it may import those and, through them, what they build on
 * (its own files and core's root always). Core's root imports no area. Tests and their support
 * files are left out, as the layer rules of eslint.config.js leave them out: a test may bring two
 * areas together. An area missing from `direction` is reported too, so a new one is placed on
 * purpose.
 */
export function directionProblems(graph, direction) {
  const may = reachable(direction);
  const problems = [];
  for (const [file, targets] of graph) {
    const from = coreArea(file);
    if (from === undefined || TEST.test(file)) continue;
    if (from !== '(root)' && may[from] === undefined) {
      problems.push(`${file}: core area "${from}" has no place in the intended direction`);
      continue;
    }
    for (const target of targets) {
      const to = coreArea(target);
      if (to === undefined || to === from || to === '(root)') continue;
      if (from !== '(root)' && may[from].has(to)) continue;
      const who = from === '(root)' ? "core's root" : `core/${from}`;
      problems.push(`${file} imports ${target}: ${who} may not import core/${to}`);
    }
  }
  return problems.sort();
}

/**
 * Imports out of a sealed folder to anywhere but the places it may use (`may`: folder prefixes
 * ending in "/" or single files). Tests inside the folder are held to it as well: a format's tests
 * need nothing of its users either.
 */
export function sealedProblems(graph, sealed) {
  const problems = [];
  for (const [file, targets] of graph) {
    for (const { folder, may, why } of sealed) {
      if (!file.startsWith(folder)) continue;
      for (const target of targets) {
        const allowed = may.some((place) =>
          place.endsWith('/') ? target.startsWith(place) : target === place,
        );
        if (!allowed) problems.push(`${file} imports ${target}: ${why}`);
      }
    }
  }
  return problems.sort();
}
