import { describe, expect, it, vi } from 'vitest';
import type { StackProgress } from '../../contract/stack.js';
import type { ComposeFile, Service } from './compose-model.js';
import { FakeEngine } from './fake-engine.test-support.js';
import { planStack, type DesiredService } from './plan.js';
import type { HealthProbe } from './health-probe.js';
import { PROBE_PASSED_DETAIL, Reconciler, type UpResult } from './reconciler.js';

const hc = { test: ['CMD', 'true'], interval: '1s', timeout: '1s', retries: 1, start_period: '0s' };
const base: Record<string, Service> = {
  postgres: { image: 'pg', networks: { backend: {} }, healthcheck: hc },
  redis: { image: 'redis', networks: { backend: {} }, healthcheck: hc },
  migrate: {
    image: 'backend',
    networks: { backend: {} },
    restart: 'no',
    depends_on: { postgres: { condition: 'service_healthy' } },
  },
  backend: {
    image: 'backend',
    networks: { backend: {}, frontend: {} },
    healthcheck: hc,
    depends_on: {
      postgres: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
      migrate: { condition: 'service_completed_successfully' },
    },
  },
  nginx: {
    image: 'nginx',
    networks: { frontend: {} },
    ports: ['0.0.0.0:8080:80'],
    healthcheck: hc,
    depends_on: { backend: { condition: 'service_healthy' } },
  },
};

const planOf = (services: Record<string, Service>) => {
  const compose: ComposeFile = {
    services,
    networks: { backend: { internal: true }, frontend: {} },
  };
  return planStack(compose, {
    project: 'medianest',
    composeFile: '/s/compose.yaml',
    workingDir: '/s',
    fileHashes: new Map(),
  });
};

/** A healthcheck run on demand that always passes, recording what it was asked to run. */
function passingProbe() {
  const checks: Array<{ containerId: string; test: readonly string[]; timeoutMs: number }> = [];
  const healthProbe: HealthProbe = {
    check: async (containerId, test, timeoutMs) => {
      checks.push({ containerId, test, timeoutMs });
      return true;
    },
  };
  return { healthProbe, checks };
}

function setup(
  opts: {
    takenPort?: number;
    healthProbe?: HealthProbe;
    beforeRun?: (service: DesiredService) => Promise<void>;
  } = {},
) {
  const engine = new FakeEngine();
  ['pg', 'redis', 'backend', 'nginx'].forEach((i) => engine.images.add(i));
  const progress: StackProgress[] = [];
  const reconciler = new Reconciler({
    gateway: engine,
    probe: {
      probePort: async (port) =>
        port === opts.takenPort ? { state: 'taken', holder: 'apache2 (pid 9)' } : { state: 'free' },
    },
    onProgress: (e) => progress.push(e),
    redact: (t) => t.replace('s3cr3t-value-0123456789', '[redacted]'),
    ...(opts.healthProbe ? { healthProbe: opts.healthProbe } : {}),
    ...(opts.beforeRun ? { beforeRun: opts.beforeRun } : {}),
  });
  return { engine, progress, reconciler };
}

describe('the reconciler', () => {
  it('creates networks, then starts services only after what they depend on is ready', async () => {
    const { engine, reconciler } = setup();
    const result = await reconciler.up(planOf(base), { pullPolicy: 'missing', ownership: [] });
    expect(result.created.sort()).toEqual(['backend', 'migrate', 'nginx', 'postgres', 'redis']);
    const order = engine.calls.filter((c) => c.startsWith('start '));
    const at = (s: string): number => order.indexOf(`start ${s}`);
    expect(at('migrate')).toBeGreaterThan(at('postgres'));
    expect(at('backend')).toBeGreaterThan(Math.max(at('postgres'), at('redis'), at('migrate')));
    expect(at('nginx')).toBeGreaterThan(at('backend'));
    expect(engine.calls.slice(0, 2)).toEqual([
      'network medianest_backend',
      'network medianest_frontend',
    ]);
  });

  it('touches nothing when nothing changed', async () => {
    const { engine, reconciler } = setup();
    await reconciler.up(planOf(base), { pullPolicy: 'missing', ownership: [] });
    const ids = [...engine.containers.keys()].sort();
    engine.calls.length = 0;
    const again = await reconciler.up(planOf(base), { pullPolicy: 'missing', ownership: [] });
    expect(again.unchanged.sort()).toEqual(['backend', 'migrate', 'nginx', 'postgres', 'redis']);
    expect([...engine.containers.keys()].sort()).toEqual(ids);
    expect(engine.calls).toEqual([]);
  });

  it('recreates only the service whose definition changed', async () => {
    const { engine, reconciler } = setup();
    await reconciler.up(planOf(base), { pullPolicy: 'missing', ownership: [] });
    engine.calls.length = 0;
    const changed = { ...base, nginx: { ...base.nginx!, ports: ['0.0.0.0:8081:80'] } };
    const result = await reconciler.up(planOf(changed), { pullPolicy: 'missing', ownership: [] });
    expect(result.recreated).toEqual(['nginx']);
    expect(engine.calls.filter((c) => /^(create|remove|stop) /.test(c))).toEqual([
      'stop nginx',
      'remove nginx',
      'create nginx',
    ]);
  });

  it('removes the container of a service that left the configuration', async () => {
    const { engine, reconciler } = setup();
    await reconciler.up(planOf(base), { pullPolicy: 'missing', ownership: [] });
    const { nginx: _gone, ...withoutNginx } = base;
    const result = await reconciler.up(planOf(withoutNginx), {
      pullPolicy: 'missing',
      ownership: [],
    });
    expect(result.removed).toEqual(['nginx']);
    expect([...engine.containers.values()].map((c) => c.service).sort()).toEqual([
      'backend',
      'migrate',
      'postgres',
      'redis',
    ]);
  });

  it('refuses a missing image under policy "never" before changing anything', async () => {
    const { engine, reconciler } = setup();
    engine.images.delete('backend');
    await expect(
      reconciler.up(planOf(base), { pullPolicy: 'never', ownership: [] }),
    ).rejects.toThrow(
      'Image not on this machine and the pull policy is "never": backend (for migrate, backend)',
    );
    expect(engine.containers.size).toBe(0);
    expect(engine.networks.size).toBe(0);
  });

  it('pulls missing images under policy "missing", before creating anything', async () => {
    const { engine, reconciler } = setup();
    engine.images.delete('nginx');
    await reconciler.up(planOf(base), { pullPolicy: 'missing', ownership: [] });
    expect(engine.calls[0]).toBe('pull nginx');
  });

  it('says which digest a pulled tag stood for', async () => {
    const { engine, progress, reconciler } = setup();
    engine.images.delete('backend');
    engine.imageConfigs.set('backend', {
      repoDigests: ['mirror.example/backend@sha256:1111', 'backend@sha256:2222'],
    });
    await reconciler.up(planOf(base), { pullPolicy: 'missing', ownership: [] });
    expect(progress).toContainEqual({
      type: 'stack.image-pulling',
      image: 'backend',
      status: 'Pulled as backend@sha256:2222',
    });
  });

  it('refuses a host port another program holds, naming it, before changing anything', async () => {
    const { engine, reconciler } = setup({ takenPort: 8080 });
    await expect(
      reconciler.up(planOf(base), { pullPolicy: 'missing', ownership: [] }),
    ).rejects.toThrow('Port 8080 (for nginx) is already in use by apache2 (pid 9)');
    expect(engine.containers.size).toBe(0);
  });

  it('explains a service that never becomes healthy, with its last check and masked output', async () => {
    const { engine, reconciler, progress } = setup();
    engine.unhealthy.set('redis', 'NOAUTH Authentication required.');
    const failure = reconciler.up(planOf(base), { pullPolicy: 'missing', ownership: [] });
    await expect(failure).rejects.toThrow(
      /redis did not become healthy .*Last health check: NOAUTH Authentication required\./s,
    );
    await expect(failure).rejects.toThrow(/JWT_SECRET=\[redacted\]/);
    // What depends on redis was never started.
    expect(engine.calls).not.toContain('start backend');
    expect(engine.calls).not.toContain('start nginx');
    expect(progress).toContainEqual(
      expect.objectContaining({ service: 'redis', action: 'failed' }),
    );
  });

  it('hands the owner fixes to the engine before starting anything', async () => {
    const { engine, reconciler } = setup();
    const fix = { path: '/data/postgres', uid: 70, gid: 70, recursive: true };
    await reconciler.up(planOf(base), { pullPolicy: 'missing', ownership: [fix] });
    expect(engine.ownershipFixes).toEqual([fix]);
  });

  it('with activeHealth, starts what depends on a service once its own healthcheck passes', async () => {
    const { healthProbe, checks } = passingProbe();
    const { engine, reconciler } = setup({ healthProbe });
    // The engine's own first check would come a long time after start.
    engine.healthDelayMs = 3_600_000;
    const result = await reconciler.up(planOf(base), {
      pullPolicy: 'missing',
      ownership: [],
      activeHealth: true,
    });
    expect(result.created.sort()).toEqual(['backend', 'migrate', 'nginx', 'postgres', 'redis']);
    const health = [...engine.containers.values()].filter((c) => c.service !== 'migrate');
    expect(health.map((c) => c.health)).toEqual(['starting', 'starting', 'starting', 'starting']);
    // Each healthchecked service's own test, in its own container, with its own timeout.
    const byId = new Map([...engine.containers.values()].map((c) => [c.id, c.service]));
    expect(checks.map((c) => byId.get(c.containerId)).sort()).toEqual([
      'backend',
      'nginx',
      'postgres',
      'redis',
    ]);
    expect(checks.every((c) => c.test.join(' ') === 'CMD true' && c.timeoutMs === 1000)).toBe(true);
  });

  it('gated on Docker alone, never runs a healthcheck itself', async () => {
    const { healthProbe, checks } = passingProbe();
    const { reconciler } = setup({ healthProbe });
    await reconciler.up(planOf(base), {
      pullPolicy: 'missing',
      ownership: [],
      healthGate: 'docker',
    });
    expect(checks).toEqual([]);
  });
});

const HEALTHCHECKED = ['postgres', 'redis', 'backend', 'nginx'];

/**
 * A default up with a health probe that always passes and an engine whose own verdicts come only
 * when the test gives them: resolves once every service has started and passed our probe.
 */
async function upUntilProbesPassed() {
  const { healthProbe } = passingProbe();
  const context = setup({ healthProbe });
  context.engine.manualHealth = true;
  const outcome: { value: 'pending' | UpResult | Error } = { value: 'pending' };
  const up = context.reconciler.up(planOf(base), { pullPolicy: 'missing', ownership: [] });
  up.then(
    (result) => (outcome.value = result),
    (error: Error) => (outcome.value = error),
  );
  const passed = (service: string) => ({
    type: 'stack.service-progressed',
    service,
    action: 'waiting',
    detail: PROBE_PASSED_DETAIL,
  });
  await vi.waitFor(() => expect(context.progress).toContainEqual(passed('nginx')));
  // Whatever `up` would do right after the last pass has had its turn.
  await new Promise((resolve) => setTimeout(resolve, 20));
  return { ...context, up, outcome, passed };
}

describe('the reconciler and one-shot jobs (the migrations)', () => {
  it('prepares a job before each run, and runs it again whenever what depends on it starts', async () => {
    const prepared: string[] = [];
    const { engine, reconciler: withHook } = setup({
      beforeRun: async (service) => {
        prepared.push(service.name);
      },
    });
    await withHook.up(planOf(base), { pullPolicy: 'missing', ownership: [] });
    expect(prepared).toEqual(['migrate']);
    // Nothing changed: the job stays done, nothing runs.
    await withHook.up(planOf(base), { pullPolicy: 'missing', ownership: [] });
    expect(prepared).toEqual(['migrate']);
    // The backend stopped (a restore, a stop): its start runs the migrations again, first.
    const backend = [...engine.containers.values()].find((c) => c.service === 'backend');
    await engine.stopContainer(backend?.id ?? '');
    engine.calls.length = 0;
    const again = await withHook.up(planOf(base), { pullPolicy: 'missing', ownership: [] });
    expect(prepared).toEqual(['migrate', 'migrate']);
    expect(again.started.sort()).toEqual(['backend', 'migrate']);
    const order = engine.calls.filter((c) => c.startsWith('start '));
    expect(order).toEqual(['start migrate', 'start backend']);
  });

  it('starts nothing that depends on a job whose preparation failed', async () => {
    const { engine, reconciler: failing } = setup({
      beforeRun: async () => {
        throw new Error('no Prisma migrations folder in the image');
      },
    });
    await expect(
      failing.up(planOf(base), { pullPolicy: 'missing', ownership: [] }),
    ).rejects.toThrow(/no Prisma migrations folder/);
    const started = engine.calls.filter((c) => c.startsWith('start ')).map((c) => c.slice(6));
    expect(started.sort()).toEqual(['postgres', 'redis']);
  });

  it("shows a running job's last line of output as its progress, masked", async () => {
    const { engine, progress, reconciler } = setup();
    engine.tailLogs = async () => [
      'migrate: applying 2 of 3: 20250720000000_x token s3cr3t-value-0123456789',
    ];
    await reconciler.up(planOf(base), { pullPolicy: 'missing', ownership: [] });
    expect(progress).toContainEqual({
      type: 'stack.service-progressed',
      service: 'migrate',
      action: 'waiting',
      detail: 'migrate: applying 2 of 3: 20250720000000_x token [redacted]',
    });
  });
});

describe("the reconciler and the image's own command", () => {
  const labelled = {
    ...base,
    backend: {
      ...base.backend!,
      entrypoint: ['/bin/sh', '/opt/medianest/secrets-env.sh'],
      labels: { 'org.medianest.appliance.command-from-image': 'true' },
    },
  };

  it("runs the image's ENTRYPOINT and CMD after the stack's entrypoint, as each image has them", async () => {
    const { engine, reconciler } = setup();
    engine.imageConfigs.set('backend', {
      entrypoint: [],
      cmd: ['node', 'backend/dist/server.js'],
    });
    await reconciler.up(planOf(labelled), { pullPolicy: 'missing', ownership: [] });
    const backend = [...engine.containers.values()].find((c) => c.service === 'backend');
    expect(backend?.spec.definition.entrypoint).toEqual([
      '/bin/sh',
      '/opt/medianest/secrets-env.sh',
    ]);
    expect(backend?.spec.definition.command).toEqual(['node', 'backend/dist/server.js']);
    // Without the label, nothing is taken from the image.
    const migrate = [...engine.containers.values()].find((c) => c.service === 'migrate');
    expect(migrate?.spec.definition.command).toBeUndefined();
  });

  it('refuses an image with no command of its own before creating its container', async () => {
    const { engine, reconciler } = setup();
    engine.imageConfigs.set('backend', { entrypoint: [], cmd: [] });
    await expect(
      reconciler.up(planOf(labelled), { pullPolicy: 'missing', ownership: [] }),
    ).rejects.toThrow(
      'backend (for backend) has no command of its own (neither ENTRYPOINT nor CMD)',
    );
    expect(engine.calls).not.toContain('create backend');
  });
});

describe('the reconciler, by default (our healthcheck gates dependents, Docker the return)', () => {
  it('starts a dependent once its dependencies pass our probe, while Docker still says starting', async () => {
    const { engine, progress, outcome, passed } = await upUntilProbesPassed();
    const order = engine.calls.filter((c) => c.startsWith('start '));
    expect(order.indexOf('start nginx')).toBeGreaterThan(order.indexOf('start backend'));
    expect(order.indexOf('start backend')).toBeGreaterThan(order.indexOf('start migrate'));
    for (const service of HEALTHCHECKED) expect(progress).toContainEqual(passed(service));
    // No verdict from Docker yet: every service it checks still says "starting", and up waits.
    const checked = [...engine.containers.values()].filter((c) => c.service !== 'migrate');
    expect(checked.map((c) => c.health)).toEqual(['starting', 'starting', 'starting', 'starting']);
    expect(outcome.value).toBe('pending');
    expect(progress.filter((e) => 'action' in e && e.action === 'ready')).toEqual([
      { type: 'stack.service-progressed', service: 'migrate', action: 'ready' },
    ]);
  });

  it('returns only once Docker itself reports every service healthy', async () => {
    const { engine, progress, up, outcome } = await upUntilProbesPassed();
    for (const service of HEALTHCHECKED.slice(0, 3)) engine.reportHealth(service, 'healthy');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(outcome.value).toBe('pending');
    engine.reportHealth('nginx', 'healthy');
    const result = await up;
    expect(result.created.sort()).toEqual(['backend', 'migrate', 'nginx', 'postgres', 'redis']);
    expect([...engine.containers.values()].map((c) => c.health)).not.toContain('starting');
    // "ready" (the UI's "Running and healthy") comes with Docker's verdict, after our probe's pass.
    const ready = (service: string) =>
      progress.findIndex((e) => 'action' in e && e.service === service && e.action === 'ready');
    const pass = (service: string) =>
      progress.findIndex((e) => 'detail' in e && e.service === service && e.action === 'waiting');
    for (const service of HEALTHCHECKED) expect(ready(service)).toBeGreaterThan(pass(service));
  });

  it('fails with the same message as before when a service turns unhealthy after passing our probe', async () => {
    const { engine, progress, up } = await upUntilProbesPassed();
    for (const service of ['redis', 'backend', 'nginx']) engine.reportHealth(service, 'healthy');
    engine.reportHealth('postgres', 'unhealthy', 'no response');
    await expect(up).rejects.toThrow(
      'postgres did not become healthy within its healthcheck budget (19 s). Last health check: no response. Last output:\n  listening on 4000\n  JWT_SECRET=[redacted]',
    );
    expect(progress).toContainEqual(
      expect.objectContaining({ service: 'postgres', action: 'failed' }),
    );
  });

  it('fails with the same message as before when a service exits after passing our probe', async () => {
    const { engine, up } = await upUntilProbesPassed();
    for (const service of ['postgres', 'backend', 'nginx']) engine.reportHealth(service, 'healthy');
    engine.exit('redis', 137);
    await expect(up).rejects.toThrow(
      'redis exited with code 137 while starting. Last output:\n  listening on 4000\n  JWT_SECRET=[redacted]',
    );
  });
});
