/** Rotating the other secrets: Redis, the metrics token, Grafana through its CLI. */
import { describe, expect, it } from 'vitest';
import { failure, useRotationRig } from './rotation.test-support.js';

const rig = useRotationRig();

describe('rotating the other secrets', () => {
  it('rotates redis_password and rebuilds redis_url', async () => {
    await rig.rotate('redis_password');
    expect(rig.secret('redis_url')).toBe(`redis://:${rig.secret('redis_password')}@redis:6379`);
    expect(rig.copy('redis', 'redis_password')).toBe(rig.secret('redis_password'));
    expect(rig.engine.calls).toEqual([]);
  });

  it('rotates metrics_token into the backend and prometheus', async () => {
    await rig.rotate('metrics_token');
    expect(rig.copy('backend', 'metrics_token')).toBe(rig.secret('metrics_token'));
    expect(rig.copy('prometheus', 'metrics_token')).toBe(rig.secret('metrics_token'));
  });

  it('does not start a stopped stack: the value applies at the next up', async () => {
    rig.engine.running = [];
    const result = await rig.rotate('nextauth_secret');
    expect(result.recreated).toBeNull();
    expect(rig.steps).toEqual(['write nextauth_secret', 'render']);
    expect(rig.copy('frontend', 'nextauth_secret')).toBe(rig.secret('nextauth_secret'));
  });

  it('resets a running Grafana through its CLI, on stdin, before the file', async () => {
    rig.engine.running.push({ service: 'grafana', health: 'healthy' });
    await rig.rotate('grafana_password');
    expect(rig.steps).toEqual(['grafana reset', 'write grafana_password', 'render', 'up']);
    expect(rig.engine.grafanaPassword).toBe(rig.secret('grafana_password'));
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
    await rig.rotate('grafana_password');
    expect(rig.steps).toEqual(['write grafana_password', 'render', 'up']);
  });

  it('changes nothing when Grafana refuses the reset', async () => {
    rig.engine.running.push({ service: 'grafana', health: 'healthy' });
    rig.engine.fail.grafana = true;
    const before = rig.secret('grafana_password');
    const error = await failure(rig.rotate('grafana_password'));
    expect(error.message).toMatch(/nothing was changed: Resetting the Grafana admin password/);
    expect(rig.steps).toEqual(['grafana reset']);
    expect(rig.secret('grafana_password')).toBe(before);
  });
});
