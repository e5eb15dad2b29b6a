import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApiClient, ApiError } from '../contract/client.js';
import { ImageCheckReportSchema, ImagesCheckInputSchema } from '../contract/images-routes.js';
import { AppError } from '../core/app-error.js';
import { JobRunner } from '../core/jobs/job-runner.js';
import type { ForgettingSettingsRepository } from '../core/settings/settings-repository.js';
import { SettingsService } from '../core/settings/settings-service.js';
import { FakeEngine } from '../core/stack/fake-engine.test-support.js';
import { initStack } from '../core/stack/init-service.js';
import { StackService } from '../core/stack/stack-service.js';
import { createServer } from '../index.js';
import { NodeFileSystem } from '../infra/fs/node-file-system.js';
import { createLogger } from '../infra/log/logger.js';
import { imagesHandlers } from './images-routes.js';

class MemorySettings implements ForgettingSettingsRepository {
  readonly values = new Map<string, unknown>();
  get(key: string): unknown {
    return this.values.get(key);
  }
  set(key: string, value: unknown): void {
    this.values.set(key, value);
  }
  delete(key: string): void {
    this.values.delete(key);
  }
}

/** An image as MediaNest's Dockerfile builds it: user medianest (1001), node, its migrations. */
function medianestImage(engine: FakeEngine, image: string, port: string): void {
  engine.images.add(image);
  engine.imageFiles.set(image, {
    workingDir: '/app/backend',
    folders: { '/app/backend/prisma/migrations': {}, '/usr/local/bin/node': {} },
  });
  engine.imageConfigs.set(image, {
    user: '1001:1001',
    cmd: ['dumb-init', 'node', 'dist/server.js'],
    path: '/usr/local/sbin:/usr/local/bin:/usr/bin',
    exposedPorts: [`${port}/tcp`],
  });
}

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'mna-images-check-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

function setup() {
  const fs = new NodeFileSystem();
  const location = {
    stackDir: join(home, 'stack'),
    composeFile: join(home, 'stack', 'compose.yaml'),
    secretsDir: join(home, 'stack', 'secrets'),
  };
  const engine = new FakeEngine();
  medianestImage(engine, 'mn/backend', '4000');
  medianestImage(engine, 'mn/frontend', '3000');
  // Not MediaNest's: a plain base image's user, no node, no migrations.
  engine.images.add('alpine-app');
  engine.imageConfigs.set('alpine-app', { user: '1000:1000', cmd: ['/bin/sh'] });
  const settings = new MemorySettings();
  const handlers = imagesHandlers({
    images: () => {
      throw new Error('no image sources in these tests');
    },
    stack: () =>
      new StackService(
        {
          fs,
          gateway: engine,
          probe: { probePort: () => Promise.reject(new Error('no ports here')) },
          onProgress: () => undefined,
          now: () => new Date(),
        },
        location,
      ),
    settings: () => new SettingsService({ fs, settings, now: () => new Date() }, location),
    runner: new JobRunner({
      jobs: {
        insert: () => undefined,
        progress: () => undefined,
        finish: () => undefined,
        get: () => undefined,
        list: () => [],
        interruptRunning: () => [],
      },
      publish: () => undefined,
      now: () => new Date(),
    }),
  });
  const install = (images: Record<string, string>) =>
    initStack({ fs, now: () => new Date() }, { ...location, config: { images } });
  /** Every secret value the home holds. */
  const secretValues = () =>
    readdirSync(location.secretsDir, { withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => readFileSync(join(location.secretsDir, entry.name), 'utf8').trim())
      .filter((value) => value.length >= 16);
  const check = (input: unknown) => handlers.imagesCheck(ImagesCheckInputSchema.parse(input));
  return { engine, location, install, secretValues, check };
}

describe('POST /api/images/check', () => {
  it("reports per service what the stack needs and what the image has: MediaNest's images fit", async () => {
    const { install, check, secretValues } = setup();
    await install({ backend: 'mn/backend', frontend: 'mn/frontend' });

    const report = ImageCheckReportSchema.parse(await check({}));
    expect(report.willStart).toBe(true);
    expect(report.services.map((s) => [s.service, s.image, s.ok])).toEqual([
      ['migrate', 'mn/backend', true],
      ['backend', 'mn/backend', true],
      ['frontend', 'mn/frontend', true],
    ]);
    const backend = report.services.find((s) => s.service === 'backend');
    // The exact image: its id, as the engine knows it (no registry digest: never pulled).
    expect(backend?.exactly).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(backend?.findings.map((f) => [f.what, f.has])).toEqual([
      ['user', '1001:1001'],
      ['command', 'dumb-init node dist/server.js'],
      ['working directory', '/app/backend'],
      ['node', '/usr/local/bin/node'],
      ['health route', 'port 4000 declared (EXPOSE)'],
      ['migrations', '/app/backend/prisma/migrations'],
    ]);
    // Nothing to do when it fits: no action on any finding.
    expect(report.services.flatMap((s) => s.findings).some((f) => 'action' in f)).toBe(false);

    const body = JSON.stringify(report);
    const secrets = secretValues();
    expect(secrets.length).toBeGreaterThan(3);
    for (const value of secrets) expect(body).not.toContain(value);
  });

  it('explains an image the stack cannot start, each problem with what to do, before it is saved', async () => {
    const { install, check, location } = setup();
    await install({ backend: 'mn/backend', frontend: 'mn/frontend' });
    const rendered = readFileSync(location.composeFile, 'utf8');

    // The images being chosen, not yet saved: the stack they would render is checked.
    const report = ImageCheckReportSchema.parse(
      await check({ changes: { images: { backend: 'alpine-app', frontend: 'mn/frontend' } } }),
    );
    expect(report.willStart).toBe(false);
    const backend = report.services.find((s) => s.service === 'backend');
    expect(backend).toMatchObject({ image: 'alpine-app', present: true, ok: false });
    const failed = backend?.findings.filter((f) => !f.ok) ?? [];
    expect(failed.map((f) => [f.what, f.has])).toEqual([
      ['user', '1000:1000'],
      ['node', 'none'],
      ['migrations', 'none (looked in /app/backend/prisma/migrations, /app/prisma/migrations)'],
    ]);
    for (const finding of failed) expect(finding.action).toMatch(/MediaNest/);
    expect(report.services.find((s) => s.service === 'migrate')?.ok).toBe(false);
    expect(report.services.find((s) => s.service === 'frontend')?.ok).toBe(true);
    // Checked, not applied: the rendered stack is as it was.
    expect(readFileSync(location.composeFile, 'utf8')).toBe(rendered);
  });

  it('says an image is not on this machine, with how to get it', async () => {
    const { check } = setup();
    const report = await check({ changes: { images: { frontend: 'mn/frontend' } } });
    const backend = report.services.find((s) => s.service === 'backend');
    expect(backend).toMatchObject({ image: 'medianest/backend:latest', present: false, ok: false });
    expect(backend?.exactly).toBeUndefined();
    expect(backend?.findings).toEqual([
      {
        what: 'image',
        needed: 'on this machine',
        has: 'not on this machine',
        ok: false,
        action: 'Pull it (allow pulling), load its archive, or build it.',
      },
    ]);
  });

  it('refuses with what is missing: no stack yet, a bad setting, no engine', async () => {
    const { check, engine } = setup();
    const none = await check({}).catch((e: unknown) => e);
    expect(none).toBeInstanceOf(AppError);
    expect(none).toMatchObject({ code: 'conflict', details: { notInstalled: true } });
    expect((none as AppError).message).toMatch(/^There is no stack at .*\/stack yet/);

    const bad = await check({ changes: { httpPort: 'eighty' } }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: 'validation_failed' });
    expect((bad as AppError).message).toMatch(/^httpPort: /);
    expect((bad as AppError).details?.fields).toHaveProperty('httpPort');

    engine.imageExists = () =>
      Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    const down = await check({ changes: {} }).catch((e: unknown) => e);
    expect(down).toMatchObject({ code: 'engine_unavailable' });
    expect((down as AppError).message).toContain(
      'The Docker engine cannot be reached (ECONNREFUSED)',
    );
  });
});

describe('POST /api/images/check over HTTP', () => {
  it('answers errors as { error: { code, message, details } }, and only with the token', async () => {
    const token = 'd'.repeat(64);
    const server = createServer({
      home,
      token,
      env: { DOCKER_HOST: 'unix:///nonexistent.sock' },
      logger: createLogger({ write: () => undefined, secrets: () => [token] }),
    });
    const { url } = await server.start();
    try {
      const post = (body: unknown, auth = true) =>
        fetch(`${url}/api/images/check`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(auth ? { authorization: `Bearer ${token}` } : {}),
          },
          body: JSON.stringify(body),
        });
      expect((await post({}, false)).status).toBe(401);

      const none = await post({});
      expect(none.status).toBe(409);
      expect(await none.json()).toEqual({
        error: {
          code: 'conflict',
          message: `There is no stack at ${join(home, 'stack')} yet: run \`medianest-appliance init\` first.`,
          details: { notInstalled: true },
        },
      });

      // The typed client re-throws the same as an ApiError: no engine behind this server.
      const client = createApiClient({ baseUrl: url, token });
      const down = await client
        .imagesCheck({ changes: { images: { backend: 'mn/backend' } } })
        .catch((e: unknown) => e);
      expect(down).toBeInstanceOf(ApiError);
      expect(down).toMatchObject({ code: 'engine_unavailable', status: 503 });
    } finally {
      await server.stop();
    }
  });
});
