import { describe, expect, it } from 'vitest';
import { base, passingProbe, planOf, setupReconciler } from './reconciler.test-support.js';

describe('the reconciler', () => {
  it('creates networks, then starts services only after what they depend on is ready', async () => {
    const { engine, reconciler } = setupReconciler();
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
    const { engine, reconciler } = setupReconciler();
    await reconciler.up(planOf(base), { pullPolicy: 'missing', ownership: [] });
    const ids = [...engine.containers.keys()].sort();
    engine.calls.length = 0;
    const again = await reconciler.up(planOf(base), { pullPolicy: 'missing', ownership: [] });
    expect(again.unchanged.sort()).toEqual(['backend', 'migrate', 'nginx', 'postgres', 'redis']);
    expect([...engine.containers.keys()].sort()).toEqual(ids);
    expect(engine.calls).toEqual([]);
  });

  it('recreates only the service whose definition changed', async () => {
    const { engine, reconciler } = setupReconciler();
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
    const { engine, reconciler } = setupReconciler();
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
    const { engine, reconciler } = setupReconciler();
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
    const { engine, reconciler } = setupReconciler();
    engine.images.delete('nginx');
    await reconciler.up(planOf(base), { pullPolicy: 'missing', ownership: [] });
    expect(engine.calls[0]).toBe('pull nginx');
  });

  it('says which digest a pulled tag stood for', async () => {
    const { engine, progress, reconciler } = setupReconciler();
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
    const { engine, reconciler } = setupReconciler({ takenPort: 8080 });
    await expect(
      reconciler.up(planOf(base), { pullPolicy: 'missing', ownership: [] }),
    ).rejects.toThrow('Port 8080 (for nginx) is already in use by apache2 (pid 9)');
    expect(engine.containers.size).toBe(0);
  });

  it('explains a service that never becomes healthy, with its last check and masked output', async () => {
    const { engine, reconciler, progress } = setupReconciler();
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
    const { engine, reconciler } = setupReconciler();
    const fix = { path: '/data/postgres', uid: 70, gid: 70, recursive: true };
    await reconciler.up(planOf(base), { pullPolicy: 'missing', ownership: [fix] });
    expect(engine.ownershipFixes).toEqual([fix]);
  });

  it('with activeHealth, starts what depends on a service once its own healthcheck passes', async () => {
    const { healthProbe, checks } = passingProbe();
    const { engine, reconciler } = setupReconciler({ healthProbe });
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
    const { reconciler } = setupReconciler({ healthProbe });
    await reconciler.up(planOf(base), {
      pullPolicy: 'missing',
      ownership: [],
      healthGate: 'docker',
    });
    expect(checks).toEqual([]);
  });
});
