import { describe, expect, it } from 'vitest';
import { dockerfileStages, needsBuildKit } from './dockerfile.js';
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
});
