import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  areaCycles,
  directionProblems,
  findCycles,
  importGraph,
  sealedProblems,
  sourceFiles,
} from './import-graph.mjs';

const graphOf = (edges) => new Map(Object.entries(edges));

let root;
afterEach(() => root && rmSync(root, { recursive: true, force: true }));

/** A fixture tree: path -> source text. */
function tree(files) {
  root = mkdtempSync(join(tmpdir(), 'mn-imports-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return importGraph(root, sourceFiles(root, 'src'));
}

describe('the cycle finder', () => {
  it('finds a circle through type-only imports and re-exports, and names it in order', () => {
    const graph = tree({
      'src/archive.ts': "import type { EntryTable } from './entry-table.js';\nexport type A = 1;\n",
      'src/entry-table.ts': "import type { A } from './archive.js';\nexport class EntryTable {}\n",
      'src/reader.ts': "export * from './archive.js';\n",
    });
    expect(findCycles(graph)).toEqual([['src/archive.ts', 'src/entry-table.ts', 'src/archive.ts']]);
  });

  it('finds nothing once the circle is opened', () => {
    const graph = tree({
      'src/manifest-entry.ts': 'export interface ManifestEntry { path: string }\n',
      'src/archive.ts': "import type { EntryTable } from './entry-table.js';\nexport type A = 1;\n",
      'src/entry-table.ts':
        "import type { ManifestEntry } from './manifest-entry.js';\nexport class EntryTable {}\n",
    });
    expect(findCycles(graph)).toEqual([]);
  });

  it('follows extension-less, folder-index and dynamic imports (the renderer), not packages', () => {
    const graph = tree({
      'src/ui/index.tsx': "import { s } from '../state/store';\nexport const C = s;\n",
      'src/state/store.ts':
        "import 'zod';\nexport const s = 1;\nexport const load = () => import('../ui');\n",
    });
    expect(graph.get('src/state/store.ts')).toEqual(['src/ui/index.tsx']);
    expect(findCycles(graph)).toEqual([
      ['src/state/store.ts', 'src/ui/index.tsx', 'src/state/store.ts'],
    ]);
  });

  it('ignores an import that only a comment mentions', () => {
    const graph = tree({
      'src/a.ts': "// import { b } from './b.js';\nexport const a = 1;\n",
      'src/b.ts': "import { a } from './a.js';\nexport const b = a;\n",
    });
    expect(findCycles(graph)).toEqual([]);
  });

  it('reports a file that imports itself, and each separate circle once', () => {
    const graph = graphOf({
      'x.ts': ['x.ts'],
      'a.ts': ['b.ts'],
      'b.ts': ['c.ts'],
      'c.ts': ['a.ts', 'b.ts'],
      'd.ts': ['a.ts'],
    });
    expect(findCycles(graph)).toEqual([
      ['a.ts', 'b.ts', 'c.ts', 'a.ts'],
      ['x.ts', 'x.ts'],
    ]);
  });

  it('walks a long chain without overflowing the stack', () => {
    const edges = {};
    for (let i = 0; i < 20_000; i += 1) edges[`f${i}`] = [`f${i + 1}`];
    edges.f20000 = ['f0'];
    const [circle] = findCycles(graphOf(edges));
    expect(circle).toHaveLength(20_002);
  });
});

describe('the direction between core areas', () => {
  const direction = { secrets: [], stack: ['secrets'], settings: ['stack'] };
  const core = (path) => `server/src/core/${path}`;

  it('refuses an import against the direction, and allows one along it, directly or through', () => {
    const graph = graphOf({
      [core('secrets/catalogue.ts')]: [core('stack/config.ts')],
      [core('stack/init.ts')]: [core('secrets/store.ts'), core('app-error.ts')],
      [core('settings/repo.ts')]: [core('secrets/catalogue.ts')],
    });
    expect(directionProblems(graph, direction)).toEqual([
      `${core('secrets/catalogue.ts')} imports ${core('stack/config.ts')}: core/secrets may not import core/stack`,
    ]);
  });

  it('leaves tests out, reports an area with no place, and keeps the root free of areas', () => {
    const graph = graphOf({
      [core('secrets/x.test.ts')]: [core('stack/config.ts')],
      [core('backup/service.ts')]: [core('stack/config.ts')],
      [core('service-exec.ts')]: [core('stack/gateway.ts')],
    });
    expect(directionProblems(graph, direction)).toEqual([
      `${core('backup/service.ts')}: core area "backup" has no place in the intended direction`,
      `${core('service-exec.ts')} imports ${core('stack/gateway.ts')}: core's root may not import core/stack`,
    ]);
  });

  it('finds a circle in the direction itself', () => {
    expect(areaCycles({ a: ['b'], b: ['a'], c: [] })).toEqual([['a', 'b', 'a']]);
    expect(areaCycles(direction)).toEqual([]);
  });
});

describe('sealed folders', () => {
  it('refuses an import out of the folder but to the places it may use', () => {
    const sealed = [
      { folder: 'core/archive/', may: ['core/archive/', 'core/app-error.ts'], why: 'no' },
    ];
    const graph = graphOf({
      'core/archive/reader.ts': ['core/archive/format.ts', 'core/app-error.ts'],
      'core/archive/writer.ts': ['core/backup-service.ts'],
      'core/backup-service.ts': ['core/archive/writer.ts'],
    });
    expect(sealedProblems(graph, sealed)).toEqual([
      'core/archive/writer.ts imports core/backup-service.ts: no',
    ]);
  });
});
