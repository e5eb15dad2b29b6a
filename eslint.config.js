// @ts-check
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Imports a folder may not make: the layer rules of STYLE.md. */
const restrict = (group, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group, message }] }],
});

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'artifacts/**',
      'test-results/**',
      'playwright-report/**',
      'tests/rig/images/**',
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
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      ...reactHooks.configs.recommended.rules,
      ...restrict(
        [
          'node:*',
          'electron',
          'dockerode',
          'better-sqlite3',
          'express',
          '**/server/src/!(contract)/**',
          '**/server/src/*.ts',
          '**/electron/**',
        ],
        'The renderer talks to the server only through server/src/contract (typed client + SSE).',
      ),
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
    ignores: ['**/*.test.ts'],
    rules: restrict(
      ['express', 'electron', 'dockerode', 'better-sqlite3', '**/http/**', '**/infra/**'],
      'core/ holds use cases: it reaches the engine, disk and database through injected ports, never express or electron.',
    ),
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
