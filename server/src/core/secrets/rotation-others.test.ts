/** Rotating the other secrets: Redis, the metrics token, Grafana through its CLI. */
import { describe, expect, it } from 'vitest';
import {
  failure,
  readCopy,
  readSecret,
  rotateIn,
  useRotationRig,
} from './rotation.test-support.js';

const rig = useRotationRig();

describe('rotating the other secrets', () => {
  it('rotates redis_password and rebuilds redis_url', async () => {
    await rotateIn(rig, 'redis_password');
    expect(readSecret(rig, 'redis_url')).toBe(
      `redis://:${readSecret(rig, 'redis_password')}@redis:6379`,
    );
    expect(readCopy(rig, 'redis', 'redis_password')).toBe(readSecret(rig, 'redis_password'));
    expect(rig.engine.calls).toEqual([]);
  });

  it('rotates metrics_token into the backend and prometheus', async () => {
    await rotateIn(rig, 'metrics_token');
    expect(readCopy(rig, 'backend', 'metrics_token')).toBe(readSecret(rig, 'metrics_token'));
    expect(readCopy(rig, 'prometheus', 'metrics_token')).toBe(readSecret(rig, 'metrics_token'));
  });

  it('does not start a stopped stack: the value applies at the next up', async () => {
    rig.engine.running = [];
    const result = await rotateIn(rig, 'nextauth_secret');
    expect(result.recreated).toBeNull();
    expect(rig.steps).toEqual(['write nextauth_secret', 'render']);
    expect(readCopy(rig, 'frontend', 'nextauth_secret')).toBe(readSecret(rig, 'nextauth_secret'));
  });

  it('resets a running Grafana through its CLI, on stdin, before the file', async () => {
    rig.engine.running.push({ service: 'grafana', health: 'healthy' });
    await rotateIn(rig, 'grafana_password');
    expect(rig.steps).toEqual(['grafana reset', 'write grafana_password', 'render', 'up']);
    expect(rig.engine.grafanaPassword).toBe(readSecret(rig, 'grafana_password'));
    const reset = rig.engine.calls.at(-1);
    expect(reset?.command).toEqual([
      '/usr/share/grafana/bin/grafana',
      'cli',
      '--homepath',
      '/usr/share/grafana',
      'admin',
      'reset-admin-password',
      '--password-from-stdin',
    ]);
  });

  it('leaves a Grafana without the CLI (it reads the file at start) to the recreation', async () => {
    rig.engine.running.push({ service: 'grafana', health: 'healthy' });
    rig.engine.grafanaCli = false;
    await rotateIn(rig, 'grafana_password');
    expect(rig.steps).toEqual(['write grafana_password', 'render', 'up']);
  });

  it('changes nothing when Grafana refuses the reset', async () => {
    rig.engine.running.push({ service: 'grafana', health: 'healthy' });
    rig.engine.fail.grafana = true;
    const before = readSecret(rig, 'grafana_password');
    const error = await failure(rotateIn(rig, 'grafana_password'));
    expect(error.message).toMatch(/nothing was changed: Resetting the Grafana admin password/);
    expect(rig.steps).toEqual(['grafana reset']);
    expect(readSecret(rig, 'grafana_password')).toBe(before);
  });
});
