import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { NodeSourceTree } from '../../infra/fs/node-source-tree.js';
import { findCheckoutDefects } from './checkout-defects.js';

const DOCKERFILE = 'config/docker/Dockerfile.consolidated';
const BOTH = { backend: 'backend-production', frontend: 'frontend-production' };
const ELSEWHERE =
  'or use images built elsewhere: a registry image, or an archive loaded with `images load FILE`, chosen as "My own images" in Settings.';

/** MediaNest's consolidated Dockerfile in its shape, with the R5 defects mended. */
const MENDED = [
  '# syntax=docker/dockerfile:1',
  'FROM node:20-alpine AS base',
  'WORKDIR /app',
  '',
  'FROM base AS backend-deps',
  'COPY backend/package*.json ./backend/',
  'COPY shared/package*.json ./shared/',
  'COPY package*.json ./',
  'RUN --mount=type=cache,target=/root/.npm \\',
  '    npm ci --workspace=backend --workspace=shared --omit=dev',
  '',
  'FROM base AS backend-build',
  'COPY backend/package*.json ./backend/',
  'COPY shared/package*.json ./shared/',
  'COPY package*.json tsconfig.base.json ./',
  'RUN npm ci --workspace=backend --workspace=shared',
  'COPY shared/ ./shared/',
  'COPY backend/src/ ./backend/src/',
  'COPY backend/tsconfig*.json ./backend/',
  'WORKDIR /app/backend',
  'RUN npm run build',
  '',
  'FROM base AS frontend-deps',
  'COPY frontend/package*.json ./frontend/',
  'COPY package*.json ./',
  'RUN npm ci --workspace=frontend --omit=dev',
  '',
  'FROM base AS frontend-build',
  'COPY frontend/package*.json ./frontend/',
  'COPY package*.json ./',
  'RUN npm ci --workspace=frontend',
  'COPY frontend/ ./frontend/',
  'WORKDIR /app/frontend',
  'RUN npm run build',
  '',
  '# Not a target: what it copies does not matter.',
  'FROM base AS development',
  'COPY . .',
  '',
  'FROM base AS backend-production',
  'COPY --from=backend-deps /app/node_modules ./node_modules',
  'COPY --from=backend-deps /app/backend/node_modules ./backend/node_modules',
  'COPY --from=backend-deps /app/shared/node_modules ./shared/node_modules',
  'COPY --from=backend-build /app/backend/dist ./backend/dist',
  'COPY backend/package.json ./backend/',
  'WORKDIR /app/backend',
  'CMD ["node", "dist/server.js"]',
  '',
  'FROM base AS frontend-production',
  'COPY --from=frontend-deps /app/node_modules ./node_modules',
  'COPY --from=frontend-deps /app/frontend/node_modules ./frontend/node_modules',
  'COPY --from=frontend-build /app/frontend/.next ./frontend/.next',
  'COPY --from=frontend-build /app/frontend/public ./frontend/public',
  'COPY frontend/package.json ./frontend/',
  'WORKDIR /app/frontend',
  'CMD ["npm", "start"]',
].join('\n');

/** As MediaNest's develop branch has it: no root node_modules, no tsconfig.base.json copied. */
const AS_IS = MENDED.replace('COPY package*.json tsconfig.base.json ./', 'COPY package*.json ./')
  .replace('COPY --from=backend-deps /app/node_modules ./node_modules\n', '')
  .replace('COPY --from=frontend-deps /app/node_modules ./node_modules\n', '');

const IGNORE = ['# Development files', 'node_modules', '**/node_modules', '.git', '.env*', '*.md'];

/** tsconfig as TypeScript allows it: comments, trailing commas, `/*` inside strings. */
const tsconfig = (module: string) =>
  [
    '{',
    '  "extends": "../tsconfig.base.json",',
    '  "compilerOptions": {',
    '    // Compiled for Node 20',
    `    "module": "${module}", /* the output format */`,
    '    "outDir": "./dist",',
    '    "paths": { "@/*": ["./*"], },',
    '  },',
    '}',
  ].join('\n');

const CLEAN: Record<string, string> = {
  '.dockerignore': IGNORE.join('\n'),
  [DOCKERFILE]: MENDED,
  'package.json': JSON.stringify({
    name: 'medianest',
    workspaces: ['backend', 'frontend', 'shared'],
  }),
  'package-lock.json': '{}',
  'tsconfig.base.json': '{ "compilerOptions": { "strict": true } }',
  'backend/package.json': JSON.stringify({ name: '@medianest/backend', type: 'commonjs' }),
  'backend/tsconfig.json': tsconfig('commonjs'),
  'backend/src/server.ts': 'export {};\n',
  'frontend/package.json': '{ "name": "@medianest/frontend" }',
  'frontend/public/robots.txt': '',
  'shared/package.json': '{ "name": "@medianest/shared" }',
};

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A checkout in a temp folder: CLEAN with `changes` (a null removes the file). */
function checkout(changes: Record<string, string | null> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'mna-checkout-'));
  made.push(root);
  for (const [path, text] of Object.entries({ ...CLEAN, ...changes })) {
    if (text === null) continue;
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const find = (root: string, targets: Record<string, string> = BOTH) =>
  findCheckoutDefects(new NodeSourceTree(), { root, dockerfile: DOCKERFILE, targets });

const lineOf = (text: string, needle: string) =>
  text.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('the known defects of a MediaNest checkout', () => {
  it('finds nothing in a checkout without them', async () => {
    expect(await find(checkout())).toEqual([]);
  });

  it('finds nothing in the repository fixture the integration tests build', async () => {
    const fixture = fileURLToPath(
      new URL('../../../../tests/fixtures/medianest-source', import.meta.url),
    );
    expect(await find(fixture)).toEqual([]);
  });

  it('names a .dockerignore that leaves out the lockfile npm ci needs', async () => {
    const root = checkout({
      '.dockerignore': [...IGNORE, '# Package manager locks', 'package-lock.json'].join('\n'),
    });
    // The RUN that starts on line 9 and runs npm ci on its continuation line.
    expect(lineOf(MENDED, 'npm ci --workspace=backend --workspace=shared --omit=dev')).toBe(10);
    expect(await find(root)).toEqual([
      {
        code: 'lockfile-ignored',
        file: '.dockerignore',
        line: 8,
        problem: `\`.dockerignore\` leaves \`package-lock.json\` out of what is sent to Docker (line 8: \`package-lock.json\`), but \`${DOCKERFILE}\` runs \`npm ci\` at line 9, which refuses to install without that lockfile.`,
        action: `Add the line \`!package-lock.json\` at the end of \`.dockerignore\` (or delete line 8); ${ELSEWHERE}`,
      },
    ]);
  });

  it('takes a later `!package-lock.json` as bringing the lockfile back', async () => {
    const root = checkout({ '.dockerignore': '*.json\n!package-lock.json\n' });
    expect(await find(root)).toEqual([]);
  });

  it('names a lockfile left out but copied, without npm ci', async () => {
    const root = checkout({
      '.dockerignore': '*-lock.json',
      [DOCKERFILE]: 'FROM node:20 AS backend-production\nCOPY package-lock.json ./\n',
      'backend/tsconfig.json': null,
    });
    const [finding] = await find(root, { backend: 'backend-production' });
    expect(finding?.problem).toBe(
      `\`.dockerignore\` leaves \`package-lock.json\` out of what is sent to Docker (line 1: \`*-lock.json\`), but \`${DOCKERFILE}\` copies it at line 2: the build stops there.`,
    );
  });

  it('names each runtime stage that copies workspace node_modules but not the hoisted root one', async () => {
    const dockerfile = MENDED.replace(
      'COPY --from=backend-deps /app/node_modules ./node_modules\n',
      '',
    );
    const line = lineOf(dockerfile, 'COPY --from=backend-deps /app/backend/node_modules');
    expect(await find(checkout({ [DOCKERFILE]: dockerfile }))).toEqual([
      {
        code: 'workspace-deps-not-copied',
        file: DOCKERFILE,
        line,
        problem: `The root \`package.json\` declares npm workspaces, so \`npm ci\` puts most dependencies in the root \`node_modules\` folder; but stage \`backend-production\` of \`${DOCKERFILE}\` copies only \`/app/backend/node_modules\`, \`/app/shared/node_modules\` (line ${line}), never the root one: the backend would stop at start for want of its dependencies.`,
        action: `Add \`COPY --from=backend-deps /app/node_modules /app/node_modules\` to stage \`backend-production\`; ${ELSEWHERE}`,
      },
    ]);
  });

  it('takes a copy of the whole install folder as copying the root node_modules', async () => {
    const dockerfile = MENDED.replace(
      'COPY --from=backend-deps /app/node_modules ./node_modules',
      'COPY --from=backend-deps /app ./',
    );
    expect(await find(checkout({ [DOCKERFILE]: dockerfile }))).toEqual([]);
  });

  it('names a tsconfig that extends a file the Dockerfile never copies (TS5083)', async () => {
    const dockerfile = MENDED.replace(
      'COPY package*.json tsconfig.base.json ./',
      'COPY package*.json ./',
    );
    const after = lineOf(dockerfile, 'COPY backend/tsconfig*.json ./backend/');
    expect(await find(checkout({ [DOCKERFILE]: dockerfile }))).toEqual([
      {
        code: 'tsconfig-extends-not-copied',
        file: 'backend/tsconfig.json',
        line: 2,
        problem: `\`backend/tsconfig.json\` extends \`../tsconfig.base.json\`, but \`${DOCKERFILE}\` never copies \`tsconfig.base.json\` into the backend's build: TypeScript stops with error TS5083 (cannot read file).`,
        action: `Add \`COPY tsconfig.base.json /app/tsconfig.base.json\` to stage \`backend-build\` of \`${DOCKERFILE}\` (after line ${after}); ${ELSEWHERE}`,
      },
    ]);
  });

  it('names a tsconfig that extends a file the checkout does not have', async () => {
    const findings = await find(checkout({ 'tsconfig.base.json': null }));
    expect(findings.map((f) => [f.code, f.problem, f.action])).toEqual([
      [
        'tsconfig-extends-not-copied',
        '`backend/tsconfig.json` extends `../tsconfig.base.json`, which is not in the checkout: TypeScript stops with error TS5083 (cannot read file).',
        `Put \`tsconfig.base.json\` back into the checkout and have \`${DOCKERFILE}\` copy it; ${ELSEWHERE}`,
      ],
    ]);
  });

  it('names ES module output in a backend package without "type": "module"', async () => {
    const root = checkout({
      'backend/tsconfig.json': tsconfig('ESNext'),
      'backend/package.json': '{ "name": "@medianest/backend" }',
    });
    expect(await find(root)).toEqual([
      {
        code: 'esm-without-type-module',
        file: 'backend/tsconfig.json',
        line: 5,
        problem:
          '`backend/tsconfig.json` compiles the backend to ES modules (`"module": "ESNext"`), but `backend/package.json` has no `"type": "module"`: Node loads the output as CommonJS and the backend stops at its first `import`.',
        action: `Set \`"module": "CommonJS"\` in \`backend/tsconfig.json\` (adding \`"type": "module"\` to \`backend/package.json\` instead also needs a \`.js\` extension on every relative import and no \`@/\` path aliases in the output); ${ELSEWHERE}`,
      },
    ]);
  });

  it('follows `extends` to where the module kind is set, and accepts "type": "module"', async () => {
    const base = '{\n  // shared\n  "compilerOptions": {\n    "module": "ES2022",\n  },\n}';
    const noModule = tsconfig('x').replace(/^.*"module".*\n/m, '');
    const inherited = await find(
      checkout({ 'tsconfig.base.json': base, 'backend/tsconfig.json': noModule }),
    );
    expect(inherited.map((f) => [f.code, f.file, f.line])).toEqual([
      ['esm-without-type-module', 'tsconfig.base.json', 4],
    ]);
    expect(inherited[0]?.problem).toMatch(
      /^`tsconfig\.base\.json`, which `backend\/tsconfig\.json` extends, compiles the backend to ES modules \(`"module": "ES2022"`\)/,
    );
    const typed = checkout({
      'backend/tsconfig.json': tsconfig('ESNext'),
      'backend/package.json': '{ "type": "module" }',
    });
    expect(await find(typed)).toEqual([]);
    // NodeNext follows package.json: CommonJS output without "type": "module".
    expect(await find(checkout({ 'backend/tsconfig.json': tsconfig('NodeNext') }))).toEqual([]);
  });

  it('names a missing frontend/public the Dockerfile copies', async () => {
    const line = lineOf(MENDED, '/app/frontend/public');
    expect(await find(checkout({ 'frontend/public/robots.txt': null }))).toEqual([
      {
        code: 'frontend-public-missing',
        file: DOCKERFILE,
        line,
        problem: `\`${DOCKERFILE}\` copies \`frontend/public\` at line ${line}, but the checkout has no \`frontend/public\` folder: the build stops there.`,
        action: `Create the folder in the checkout (\`mkdir frontend/public\`; empty is enough); ${ELSEWHERE}`,
      },
    ]);
  });

  it('names every defect of a checkout as MediaNest ships it, in order', async () => {
    const root = checkout({
      '.dockerignore': [...IGNORE, 'package-lock.json'].join('\n'),
      [DOCKERFILE]: AS_IS,
      'backend/tsconfig.json': tsconfig('ESNext'),
      'backend/package.json': '{ "name": "@medianest/backend" }',
      'frontend/public/robots.txt': null,
    });
    const findings = await find(root);
    expect(findings.map((f) => [f.code, f.file, f.line])).toEqual([
      ['lockfile-ignored', '.dockerignore', 7],
      [
        'workspace-deps-not-copied',
        DOCKERFILE,
        lineOf(AS_IS, 'COPY --from=backend-deps /app/backend/node_modules'),
      ],
      [
        'workspace-deps-not-copied',
        DOCKERFILE,
        lineOf(AS_IS, 'COPY --from=frontend-deps /app/frontend/node_modules'),
      ],
      ['tsconfig-extends-not-copied', 'backend/tsconfig.json', 2],
      ['esm-without-type-module', 'backend/tsconfig.json', 5],
      ['frontend-public-missing', DOCKERFILE, lineOf(AS_IS, '/app/frontend/public')],
    ]);
    expect(findings[2]?.problem).toContain('the frontend would stop at start');
  });

  it('looks only at what the services being built need', async () => {
    const root = checkout({
      [DOCKERFILE]: AS_IS.replace(
        'COPY package*.json ./\nRUN npm ci --workspace=backend ',
        'COPY package*.json tsconfig.base.json ./\nRUN npm ci --workspace=backend ',
      ),
      'frontend/public/robots.txt': null,
    });
    expect((await find(root, { backend: 'backend-production' })).map((f) => f.code)).toEqual([
      'workspace-deps-not-copied',
    ]);
    expect((await find(root, { frontend: 'frontend-production' })).map((f) => f.code)).toEqual([
      'workspace-deps-not-copied',
      'frontend-public-missing',
    ]);
  });
});
