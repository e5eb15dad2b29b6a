import { describe, expect, it } from 'vitest';
import type { Service } from './compose-model.js';
import { FakeEngine } from './fake-engine.test-support.js';
import { checkImages, imageCheckRefusal } from './image-check.js';
import { digestOf } from './image-command.js';
import { planStack } from './plan.js';

const node = {
  test: ['CMD', 'node', '/opt/medianest/healthcheck.cjs', '4000', '/api/health', '60'],
  interval: '10s',
  timeout: '5s',
  retries: 3,
  start_period: '60s',
};
const services: Record<string, Service> = {
  migrate: {
    image: 'postgres',
    networks: { backend: {} },
    restart: 'no',
    labels: { 'org.medianest.appliance.migrations-from': 'mn/backend' },
  },
  backend: {
    image: 'mn/backend',
    user: '1001:1001',
    entrypoint: ['/bin/sh', '/opt/medianest/secrets-env.sh'],
    labels: { 'org.medianest.appliance.command-from-image': 'true' },
    networks: { backend: {} },
    healthcheck: node,
  },
};
const plan = planStack(
  { services, networks: { backend: {} } },
  { project: 'medianest', composeFile: '/s/compose.yaml', workingDir: '/s', fileHashes: new Map() },
);

/** An engine holding a backend image as MediaNest builds it, changed by `change`. */
function engineWith(change: (engine: FakeEngine) => void = () => undefined): FakeEngine {
  const engine = new FakeEngine();
  engine.images.add('mn/backend');
  engine.imageFiles.set('mn/backend', {
    workingDir: '/app/backend',
    folders: { '/app/backend/prisma/migrations': {}, '/usr/local/bin/node': {} },
  });
  engine.imageConfigs.set('mn/backend', {
    user: '1001:1001',
    cmd: ['dumb-init', 'node', 'dist/server.js'],
    path: '/usr/local/sbin:/usr/local/bin:/usr/bin',
    exposedPorts: ['4000/tcp'],
  });
  change(engine);
  return engine;
}

describe('images check', () => {
  it("reports what the stack needs of MediaNest's image and what it has: all there, it will start", async () => {
    const report = await checkImages(engineWith(), plan);
    expect(report.willStart).toBe(true);
    const backend = report.services.find((s) => s.service === 'backend');
    expect(backend?.findings.map((f) => [f.what, f.has, f.ok])).toEqual([
      ['user', '1001:1001', true],
      ['command', 'dumb-init node dist/server.js', true],
      ['working directory', '/app/backend', true],
      ['node', '/usr/local/bin/node', true],
      ['health route', 'port 4000 declared (EXPOSE)', true],
      ['migrations', '/app/backend/prisma/migrations', true],
    ]);
    // The migrations' source is the same image, checked for its migrations only.
    expect(
      report.services.find((s) => s.service === 'migrate')?.findings.map((f) => f.what),
    ).toEqual(['migrations']);
    expect(imageCheckRefusal(report)).toBeUndefined();
  });

  it.each([
    [
      'no node',
      (e: FakeEngine) =>
        e.imageFiles.set('mn/backend', {
          workingDir: '/app/backend',
          folders: { '/app/backend/prisma/migrations': {} },
        }),
      'node',
      "backend (mn/backend): node: needs `node` on the image's PATH (the healthcheck and the deep check run it), has none. Every MediaNest image runs on Node.js; this one has none.",
    ],
    [
      'a wrong user',
      (e: FakeEngine) =>
        e.imageConfigs.set('mn/backend', { ...e.imageConfigs.get('mn/backend'), user: 'node' }),
      'user',
      "backend (mn/backend): user: needs uid 1001 (the stack runs it as 1001:1001 and its data folders belong to it), has node. The image's files are made for node, not uid 1001",
    ],
    [
      'no migrations',
      (e: FakeEngine) =>
        e.imageFiles.set('mn/backend', {
          workingDir: '/app/backend',
          folders: { '/usr/local/bin/node': {} },
        }),
      'migrations',
      'backend (mn/backend): migrations: needs Prisma migration folders (prisma/migrations), has none (looked in /app/backend/prisma/migrations, /app/prisma/migrations). Without its migrations the database cannot be set up for this image.',
    ],
    [
      'no command',
      (e: FakeEngine) =>
        e.imageConfigs.set('mn/backend', { ...e.imageConfigs.get('mn/backend'), cmd: [] }),
      'command',
      "backend (mn/backend): command: needs the image's own ENTRYPOINT or CMD, has none. The image says nothing to run.",
    ],
  ])(
    'explains how an image with %s would fail, and up refuses with it',
    async (_name, change, what, line) => {
      const report = await checkImages(engineWith(change), plan);
      expect(report.willStart).toBe(false);
      const failed = report.services.flatMap((s) =>
        s.findings.filter((f) => !f.ok).map((f) => f.what),
      );
      expect(failed).toContain(what);
      const refusal = imageCheckRefusal(report);
      expect(refusal?.message).toMatch(
        /^The stack would not start with these images; nothing was started:\n- /,
      );
      expect(refusal?.message).toContain(line);
    },
  );

  it('names each image exactly: its registry digest when pulled, else its id', async () => {
    const engine = engineWith((e) =>
      e.imageConfigs.set('mn/backend', {
        ...e.imageConfigs.get('mn/backend'),
        repoDigests: ['mn/backend@sha256:abcd'],
      }),
    );
    const report = await checkImages(engine, plan);
    expect(report.services.find((s) => s.service === 'backend')?.exactly).toBe(
      'mn/backend@sha256:abcd',
    );
    const local = await checkImages(engineWith(), plan);
    expect(local.services.find((s) => s.service === 'backend')?.exactly).toMatch(
      /^sha256:[0-9a-f]{64}$/,
    );
  });

  it("resolves a named user through the image's /etc/passwd", async () => {
    const engine = engineWith((e) => {
      e.imageConfigs.set('mn/backend', { ...e.imageConfigs.get('mn/backend'), user: 'medianest' });
      e.imageFiles.get('mn/backend')!.folders['/etc/passwd'] = {
        passwd: 'root:x:0:0::/root:/bin/sh\nmedianest:x:1001:1001::/app:/sbin/nologin\n',
      };
    });
    const backend = (await checkImages(engine, plan)).services.find((s) => s.service === 'backend');
    expect(backend?.findings[0]).toMatchObject({
      what: 'user',
      has: 'medianest (uid 1001)',
      ok: true,
    });
  });

  it('says when an image is not on this machine', async () => {
    const report = await checkImages(new FakeEngine(), plan);
    expect(report.services.map((s) => [s.service, s.present, s.findings[0]?.has]).sort()).toEqual([
      ['backend', false, 'not on this machine'],
      ['migrate', false, 'not on this machine'],
    ]);
    expect(report.willStart).toBe(false);
  });
});

describe('the digest a reference was pulled as', () => {
  it.each([
    [
      'medianest/backend:latest',
      ['other/x@sha256:1', 'medianest/backend@sha256:2'],
      'medianest/backend@sha256:2',
    ],
    [
      'registry:5000/mn/backend:1.2',
      ['registry:5000/mn/backend@sha256:3'],
      'registry:5000/mn/backend@sha256:3',
    ],
    [
      'registry:5000/mn/backend',
      ['registry:5000/mn/backend@sha256:4'],
      'registry:5000/mn/backend@sha256:4',
    ],
    ['local-build:dev', [], undefined],
  ])('%s', (reference, repoDigests, expected) => {
    expect(digestOf(reference, { repoDigests })).toBe(expected);
  });
});
