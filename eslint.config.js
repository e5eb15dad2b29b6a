// @ts-check
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Imports a folder may not make: the layer rules of STYLE.md. */
const restrict = (group, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group, message }] }],
});

/** What core/ may not import: it reaches the outside world through injected ports. */
const CORE_LAYER = [
  'express',
  'electron',
  'dockerode',
  'better-sqlite3',
  '**/http/**',
  '**/infra/**',
];
const CORE_LAYER_MESSAGE =
  'core/ holds use cases: it reaches the engine, disk and database through injected ports, never express or electron.';
const CORE_TESTS = ['**/*.test.ts', '**/*.test-support.ts'];
const FS_MODULES = ['fs', 'node:fs', 'fs/promises', 'node:fs/promises'];

/**
 * The core files outside the archive format (core/backup/archive/, which streams and extracts
 * files by design) that still use node:fs directly. A list to shrink, never to grow: each is a
 * candidate for a port in infra/.
 */
const CORE_FS_TODAY = [
  // Walks the stateful folders (lstat refuses links) and streams their files into an archive.
  'server/src/core/backup/backup-contents.ts',
  // The backups folder: listing, sizes, free space and removal of archives.
  'server/src/core/backup/backup-service.ts',
  // lstat along a path built from an archive's metadata: proves no link leads it out.
  'server/src/core/backup/contained-path.ts',
  // A fresh machine's stack folder and settings written from an archive before any stack exists.
  'server/src/core/backup/fresh-install.ts',
  // The recovery key file: 0600, written by atomic rename.
  'server/src/core/backup/key-store.ts',
  // A user-given archive path checked to be a file before it is opened.
  'server/src/core/backup/restore-service.ts',
  // statfs: the free space a restore needs, before anything changes.
  'server/src/core/backup/restore-space.ts',
  // Staging and the rename swap of whole data folders, chown as root: the restore's data path.
  'server/src/core/backup/restore-staging.ts',
  'server/src/core/backup/restore-swap.ts',
  // The compose templates shipped with the program, read once like a module (not user state).
  'server/src/core/stack/render/templates.ts',
];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'artifacts/**',
      'test-results/**',
      'playwright-report/**',
      'tests/rig/images/**/*.{json,html,sql,sh,conf}',
      'tests/fixtures/medianest-source/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/require-await': 'off',
      // Issue 22: no hand-written file over 400 lines (split by subject before it grows past).
      'max-lines': ['error', { max: 400 }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    // A sandboxed preload can only require('electron'): it has to be CommonJS.
    files: ['electron/preload/**/*.cts'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    // Scripts the stack mounts into MediaNest's containers and runs with their `node`: CommonJS.
    files: ['compose-templates/files/shims/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The rig's stand-in programs: CommonJS, run by the base image's node.
    files: ['tests/rig/images/**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: {
      '@typescript-eslint/no-require-imports': 'off',
      // `const crypto = require('node:crypto')` names the module Node also offers as a global.
      'no-redeclare': ['error', { builtinGlobals: false }],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                'node:*',
                'electron',
                'dockerode',
                'better-sqlite3',
                'express',
                '**/server/src/!(contract)/**',
                '**/server/src/*.ts',
                '**/electron/**',
              ],
              message:
                'The renderer talks to the server only through server/src/contract (typed client + SSE).',
            },
            {
              group: ['**/server/src/contract', '**/server/src/contract/**'],
              message:
                "Import the contract as '@contract' (or '@contract/<file>.js'), not by a relative path.",
            },
          ],
        },
      ],
    },
  },
  {
    // Playwright fixtures must destructure their first parameter, even when they need nothing.
    files: ['tests/e2e/**/*.ts'],
    rules: { 'no-empty-pattern': ['error', { allowObjectPatternsAsParameters: true }] },
  },
  {
    files: ['renderer/vite.config.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['server/src/contract/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: restrict(
      ['node:*', 'express', 'dockerode', 'better-sqlite3', 'electron', '../*'],
      'The contract imports zod only.',
    ),
  },
  {
    files: ['server/src/core/**/*.ts'],
    // Tests and their support files may bring real adapters in (a test of a use case on disk).
    ignores: CORE_TESTS,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ group: CORE_LAYER, message: CORE_LAYER_MESSAGE }],
          paths: FS_MODULES.map((name) => ({
            name,
            message:
              'core/ reaches the disk through the FileSystem port; node:fs belongs to infra/ and to the archive format (core/backup/archive/).',
          })),
        },
      ],
    },
  },
  {
    // The same layer rule, without the node:fs one (a later entry replaces the rule's options).
    files: ['server/src/core/backup/archive/**/*.ts', ...CORE_FS_TODAY],
    ignores: CORE_TESTS,
    rules: restrict(CORE_LAYER, CORE_LAYER_MESSAGE),
  },
  {
    files: ['server/src/http/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: restrict(
      ['electron', 'dockerode', 'better-sqlite3', '**/infra/**'],
      'http/ calls core/, which calls infra/.',
    ),
  },
  {
    files: ['server/src/infra/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: restrict(
      ['express', 'electron', '**/http/**'],
      'infra/ adapts the outside world; it knows nothing of HTTP or Electron.',
    ),
  },
  {
    files: ['server/src/infra/**/*.ts'],
    ignores: ['server/src/infra/docker/**', '**/*.test.ts'],
    rules: restrict(
      ['express', 'electron', 'dockerode', '**/http/**'],
      'Only infra/docker imports dockerode; infra/ knows nothing of HTTP or Electron.',
    ),
  },
  {
    files: ['server/src/*.ts', 'server/src/app/**/*.ts', 'server/src/cli/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: restrict(
      ['electron', 'dockerode'],
      'Nothing in server/ imports electron; only infra/docker imports dockerode.',
    ),
  },
  {
    files: ['server/src/**/*.ts'],
    ignores: ['server/src/cli.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'exit',
          message: 'Only server/src/cli.ts may exit the process.',
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "CallExpression[callee.object.name='process'][callee.property.name=/^(on|once)$/]",
          message: 'Only server/src/cli.ts may trap signals.',
        },
      ],
    },
  },
  {
    files: ['electron/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: restrict(
      [
        '**/server/src/!(contract|index)*',
        '**/server/src/!(contract)/**',
        'dockerode',
        'better-sqlite3',
        'express',
      ],
      "electron/ uses only the server's public entry (server/src/index.ts) and the contract.",
    ),
  },
);
