import { describe, expect, it } from 'vitest';
import {
  covers,
  dockerfileStages,
  needsBuildKit,
  parseStages,
  stageCopies,
  stagesNeededBy,
  startWorkdir,
} from './dockerfile.js';
import { DockerIgnore } from './dockerignore.js';

describe('DockerIgnore', () => {
  const seedIgnore = new DockerIgnore(
    [
      '# Environment files (CRITICAL - contains secrets)',
      '.env*',
      '!.env.example',
      '*.pem',
      '.git/',
      '**/node_modules',
      'coverage',
      'docs/**/*.md',
      '/build',
    ].join('\n'),
  );

  it.each([
    ['.env', true],
    ['.env.production', true],
    ['.env.example', false],
    ['backend/.env', false],
    ['server.pem', true],
    ['certs/server.pem', false],
    ['.git', true],
    ['.git/HEAD', true],
    ['node_modules', true],
    ['node_modules/x/index.js', true],
    ['backend/node_modules/prisma/cli.js', true],
    ['coverage/lcov.info', true],
    ['docs/a/b/c.md', true],
    ['docs/c.md', true],
    ['docs/c.txt', false],
    ['build/out.js', true],
    ['backend/build/out.js', false],
    ['backend/src/server.ts', false],
  ])('%s excluded: %s', (path, excluded) => {
    expect(seedIgnore.excludes(path)).toBe(excluded);
  });

  it('lets a later exception bring back a file under an excluded folder, and enters only that folder', () => {
    const ignore = new DockerIgnore('vendor\n!vendor/keep.txt\nmedia\n');
    expect(ignore.excludes('vendor/drop.txt')).toBe(true);
    expect(ignore.excludes('vendor/keep.txt')).toBe(false);
    expect(ignore.mayIncludeUnder('vendor')).toBe(true);
    expect(ignore.mayIncludeUnder('media')).toBe(false);
  });

  it('reads ?, character classes, escapes and ignores blank lines and comments', () => {
    const ignore = new DockerIgnore('\n  \n# comment\nlog?.txt\n[ab].bin\nfile\\*.txt\n');
    expect(ignore.excludes('log1.txt')).toBe(true);
    expect(ignore.excludes('log12.txt')).toBe(false);
    expect(ignore.excludes('a.bin')).toBe(true);
    expect(ignore.excludes('c.bin')).toBe(false);
    expect(ignore.excludes('file*.txt')).toBe(true);
    expect(ignore.excludes('fileX.txt')).toBe(false);
    expect(ignore.excludes('comment')).toBe(false);
  });

  it('names the last pattern that leaves a path out, with its line', () => {
    const ignore = new DockerIgnore('# locks\n*.json\n\n./package-lock.json\n!keep.json\n');
    expect(ignore.excludedBy('package-lock.json')).toEqual({
      pattern: 'package-lock.json',
      line: 4,
    });
    expect(ignore.excludedBy('tsconfig.json')).toEqual({ pattern: '*.json', line: 2 });
    expect(ignore.excludedBy('keep.json')).toBeUndefined();
    expect(ignore.excludedBy('src/a.json')).toBeUndefined();
  });

  it('reads ** inside a pattern as any folders or none, and classes with ranges and negation', () => {
    const ignore = new DockerIgnore('a/**/z.txt\n**/tmp/**\nlog[0-9].txt\nx[!a].y\n');
    for (const yes of [
      'a/z.txt',
      'a/b/z.txt',
      'a/b/c/z.txt',
      'tmp/x',
      'q/tmp/x/y',
      'log7.txt',
      'xb.y',
    ])
      expect(ignore.excludes(yes), yes).toBe(true);
    for (const no of ['az.txt', 'a/b/z.txt.bak', 'b/z.txt', 'logx.txt', 'xa.y', 'x/y'])
      expect(ignore.excludes(no), no).toBe(false);
  });

  it('answers at once for a pattern written to make a regular expression backtrack', () => {
    // 20 stars and a long name with no `b`: a backtracking regex would try without end.
    const ignore = new DockerIgnore(`${'*a'.repeat(20)}*b\n`);
    const name = 'a'.repeat(4000);
    expect(ignore.excludes(name)).toBe(false);
    expect(ignore.excludes(`${name}b`)).toBe(true);
    expect(ignore.excludes(`dir/${name}`)).toBe(false);
  });

  it('treats a malformed pattern as matching nothing rather than throwing', () => {
    expect(new DockerIgnore('[unclosed').excludes('[unclosed')).toBe(false);
  });
});

describe('Dockerfile reading', () => {
  const text = [
    '# syntax is not needed',
    'ARG BASE=node:20-alpine',
    'FROM ${BASE} AS base',
    'FROM --platform=$BUILDPLATFORM base as Backend-Deps',
    'RUN --mount=type=cache,target=/root/.npm \\',
    '    npm ci',
    'FROM base AS backend-production',
    'FROM nginx:1.25',
  ].join('\n');

  it('lists the stage names, lower-cased, in order', () => {
    expect(dockerfileStages(text)).toEqual(['base', 'backend-deps', 'backend-production']);
  });

  it('sees BuildKit-only instructions, across continuation lines', () => {
    expect(needsBuildKit(text)).toBe(true);
    expect(needsBuildKit('FROM a\nRUN echo --mount\nCOPY --chown=1:1 a b\n')).toBe(false);
  });
  it('reads each stage with its line, what it copies and where, and what a target needs', () => {
    const file = [
      'FROM node:20 AS base',
      'WORKDIR /app',
      'FROM base AS deps',
      '# a comment between',
      'COPY --chown=1:1 package*.json \\',
      '     ./',
      'FROM base AS build',
      'WORKDIR backend',
      'COPY ["src dir/", "./src/"]',
      'FROM base AS dev',
      'COPY . .',
      'FROM base AS backend-production',
      'COPY --from=deps /app/node_modules ./node_modules',
      'COPY --from=build /app/backend/dist ./dist',
    ].join('\n');
    const stages = parseStages(file);
    expect(stages.map((s) => [s.name, s.base, s.line])).toEqual([
      ['base', 'node:20', 1],
      ['deps', 'base', 3],
      ['build', 'base', 7],
      ['dev', 'base', 10],
      ['backend-production', 'base', 12],
    ]);
    const [, deps, build] = stages;
    expect(deps && stageCopies(deps, startWorkdir(stages, deps))).toEqual([
      { line: 5, from: undefined, sources: ['package*.json'], dest: './', workdir: '/app' },
    ]);
    expect(build && stageCopies(build, startWorkdir(stages, build))).toEqual([
      { line: 9, from: undefined, sources: ['src dir/'], dest: './src/', workdir: '/app/backend' },
    ]);
    expect(stagesNeededBy(stages, 'backend-production').map((s) => s.name)).toEqual([
      'base',
      'deps',
      'build',
      'backend-production',
    ]);
  });

  it.each([
    ['package*.json', 'package-lock.json', true],
    ['./package-lock.json', 'package-lock.json', true],
    ['.', 'tsconfig.base.json', true],
    ['backend/', 'backend/tsconfig.json', true],
    ['backend/tsconfig*.json', 'backend/tsconfig.json', true],
    ['backend/tsconfig*.json', 'tsconfig.base.json', false],
    ['package.json', 'package-lock.json', false],
  ])('a COPY of %s brings %s: %s', (source, file, brought) => {
    expect(covers(source, file)).toBe(brought);
  });
});
