#!/usr/bin/env node
/**
 * Lint for the import graph (the README's "Layout" section): no import circle anywhere in
 * server/src, renderer/src or electron, and the core areas importing one another only downwards.
 * Run in the lint stage of scripts/test.sh (`node scripts/check-imports.mjs`); exits 1 with one
 * line per problem.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  areaCycles,
  directionProblems,
  findCycles,
  importGraph,
  sealedProblems,
  sourceFiles,
} from './import-graph.mjs';

/**
 * The intended direction between core areas: each area and the areas it builds on (and, through
 * them, what those build on). Files at core's root (app-error, the engine and exec ports, the
 * FileSystem port, the stack's names) are shared by all and import no area.
 */
export const CORE_DIRECTION = {
  // Foundations: they import no other area.
  auth: [],
  doctor: [],
  events: [],
  jobs: [],
  logs: [],
  secrets: [],
  tar: [],
  // The stack renders with the secrets, checks the host with the doctor, reads image files as tar.
  stack: ['doctor', 'secrets', 'tar'],
  // Areas built on the stack.
  health: ['stack'],
  images: ['stack', 'tar'],
  settings: ['stack'],
  support: ['logs', 'tar'],
  alerts: ['settings'],
  // The update check reads the rendered stack's images and keeps its answers in the settings.
  updates: ['stack', 'settings'],
  // The app's own releases: version tags compared as the update check does, answers in the settings.
  'app-release': ['updates'],
  // The desktop's side of pairing: the exchange's proofs come from auth.
  remote: ['auth'],
  // Backup and restore drive the whole stack, its secrets and settings, as jobs.
  backup: ['stack', 'settings', 'secrets', 'doctor', 'jobs'],
};

/** Folders whose files may import only the listed places (a format below its use cases). */
export const SEALED = [
  {
    folder: 'server/src/core/backup/archive/',
    may: [
      'server/src/core/backup/archive/',
      'server/src/core/app-error.ts',
      'server/src/contract/',
    ],
    why: 'the archive format imports nothing from the backup use cases',
  },
];

const ROOTS = ['server/src', 'renderer/src', 'electron'];

function main() {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const graph = importGraph(
    root,
    ROOTS.flatMap((folder) => sourceFiles(root, folder)),
  );
  const problems = [
    ...findCycles(graph).map((circle) => `import circle: ${circle.join(' -> ')}`),
    ...areaCycles(CORE_DIRECTION).map(
      (circle) => `CORE_DIRECTION has a circle: ${circle.join(' -> ')}`,
    ),
    ...directionProblems(graph, CORE_DIRECTION),
    ...sealedProblems(graph, SEALED),
  ];
  for (const problem of problems) console.error(problem);
  if (problems.length > 0) {
    console.error(`${problems.length} import problem(s); see the README's "Layout" section.`);
    process.exitCode = 1;
  } else {
    console.log(`Imports: ${graph.size} files, no circles, core areas in their direction.`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
