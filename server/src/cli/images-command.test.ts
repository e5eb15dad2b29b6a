import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CheckoutRefusalSchema } from '../contract/images-routes.js';
import { FakeImageGateway, MemoryTree } from '../core/images/fakes.test-support.js';
import { ImageSourceService } from '../core/images/image-source-service.js';
import type { ParsedCommand } from './args.js';
import { imagesCommand } from './images-command.js';
import type { CliIo } from './io.js';
import { NO_ENGINE, runCaptured } from './run-cli.test-support.js';

const SRC = '/src/medianest';

function setup() {
  const tree = new MemoryTree().file(
    `${SRC}/config/docker/Dockerfile.consolidated`,
    'FROM x AS backend-production\nFROM x AS frontend-production\n',
  );
  const gateway = new FakeImageGateway();
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env: {},
    untilShutdown: () => Promise.resolve(),
  };
  const run = (positionals: string[], values: ParsedCommand['values'] = {}) =>
    imagesCommand(
      { verb: 'images', positionals, values },
      io,
      () => new ImageSourceService({ gateway, tree }),
    );
  return { gateway, out, err, run };
}

describe('images command', () => {
  it('builds the services asked for, with build args and image names, and prints what it built', async () => {
    const { gateway, out, err, run } = setup();
    const code = await run(['build', SRC], {
      service: ['backend'],
      'build-arg': ['BASE=medianest-rig/base:1'],
      image: ['backend=medianest-test/b:1'],
    });
    expect(code).toBe(0);
    expect(gateway.builds.map((b) => [b.target, b.reference, b.buildArgs])).toEqual([
      ['backend-production', 'medianest-test/b:1', { BASE: 'medianest-rig/base:1' }],
    ]);
    expect(err.join('\n')).toContain('backend (1/1): step 2/2 COPY . .');
    expect(out.join('\n')).toContain('backend  medianest-test/b:1  (');
    expect(out.join('\n')).toContain('put {"backend":"medianest-test/b:1"} in an images file');
  });

  it('prints one JSON document and no progress with --json', async () => {
    const { out, err, run } = setup();
    expect(await run(['build', SRC], { json: true })).toBe(0);
    expect(err).toEqual([]);
    const result = JSON.parse(out.join('\n')) as { images: Record<string, string> };
    expect(Object.keys(result.images)).toEqual(['backend', 'frontend']);
  });

  it.each<[string[], ParsedCommand['values'], string]>([
    [[], {}, 'images takes "build DIR" or "load FILE"'],
    [['push', SRC], {}, 'images takes "build DIR" or "load FILE"'],
    [['build', SRC], { 'build-arg': ['BASE'] }, '--build-arg: "BASE" is not NAME=VALUE'],
    [['build', SRC], { builder: 'kaniko' }, '--builder: "kaniko" is not auto, buildkit or classic'],
    [['load', '/tmp/a.tar'], { service: ['backend'] }, 'images load takes only the archive'],
  ])('refuses %j %j as a usage error', async (positionals, values, message) => {
    const { run } = setup();
    await expect(run(positionals, values)).rejects.toThrow(message);
  });
});

describe('images build on a checkout with a known defect', () => {
  it('exits 2 before reaching any engine, each finding on stderr and in the --json details', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mna-images-cli-'));
    try {
      mkdirSync(join(dir, 'frontend'));
      writeFileSync(join(dir, '.dockerignore'), '**/node_modules\npackage-lock.json\n');
      writeFileSync(
        join(dir, 'Dockerfile'),
        'FROM node:20 AS backend-production\nCOPY package*.json ./\nRUN npm ci\nFROM node:20 AS frontend-production\nCOPY frontend/public ./public\n',
      );
      // No engine answers there: a refusal after asking it would read differently.
      const run = (json: boolean) =>
        runCaptured(['images', 'build', dir, ...(json ? ['--json'] : [])], {
          HOME: dir,
          ...NO_ENGINE,
        });
      const plain = await run(false);
      expect(plain.code).toBe(2);
      expect(plain.stderr).toContain('2 known defects that would stop the build');
      expect(plain.stderr).toContain(
        '  1. .dockerignore, line 2: `.dockerignore` leaves `package-lock.json` out',
      );
      expect(plain.stderr).toContain(
        '  2. Dockerfile, line 5: `Dockerfile` copies `frontend/public`',
      );
      const json = await run(true);
      expect(json.code).toBe(2);
      const body = JSON.parse(json.stdout) as { error: { code: string; details: unknown } };
      expect(body.error.code).toBe('validation_failed');
      const { findings } = CheckoutRefusalSchema.parse(body.error.details);
      expect(findings.map((f) => [f.code, f.file, f.line])).toEqual([
        ['lockfile-ignored', '.dockerignore', 2],
        ['frontend-public-missing', 'Dockerfile', 5],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
