import { describe, expect, it, vi } from 'vitest';
import { PROBE_PASSED_DETAIL, type UpResult } from './reconciler.js';
import { base, passingProbe, planOf, setupReconciler } from './reconciler.test-support.js';

const HEALTHCHECKED = ['postgres', 'redis', 'backend', 'nginx'];

/**
 * A default up with a health probe that always passes and an engine whose own verdicts come only
 * when the test gives them: resolves once every service has started and passed our probe.
 */
async function upUntilProbesPassed() {
  const { healthProbe } = passingProbe();
  const context = setupReconciler({ healthProbe });
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
    const { engine, reconciler: withHook } = setupReconciler({
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
    const { engine, reconciler: failing } = setupReconciler({
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
    const { engine, progress, reconciler } = setupReconciler();
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
    const { engine, reconciler } = setupReconciler();
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
    const { engine, reconciler } = setupReconciler();
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
