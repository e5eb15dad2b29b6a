/** Rotating jwt_secret: the previous value kept for a grace period, then dropped. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRotationState } from './rotation-state.js';
import { T0, failure, useRotationRig } from './rotation.test-support.js';

const rig = useRotationRig();

describe('rotating jwt_secret', () => {
  it('keeps the previous value as jwt_secret_rotation for 7 days by default', async () => {
    const old = rig.secret('jwt_secret');
    const result = await rig.rotate('jwt_secret');
    expect(rig.steps).toEqual(['write jwt_secret_rotation', 'write jwt_secret', 'render', 'up']);
    expect(rig.secret('jwt_secret_rotation')).toBe(old);
    expect(rig.copy('backend', 'jwt_secret_rotation')).toBe(old);
    expect(rig.secret('jwt_secret')).not.toBe(old);
    const until = new Date(T0.getTime() + 7 * 86_400_000).toISOString();
    expect(result.graceUntil).toBe(until);
    expect(await readRotationState(rig.fs, join(rig.home, 'stack'))).toEqual({
      jwtGraceUntil: until,
    });
    expect(
      (await rig.service.list()).find((s) => s.name === 'jwt_secret_rotation')?.graceUntil,
    ).toBe(until);
  });

  it('with no grace period, accepts only the new value at once', async () => {
    const old = rig.secret('jwt_secret');
    const result = await rig.rotate('jwt_secret', { graceDays: 0 });
    expect(result.graceUntil).toBeUndefined();
    expect(rig.secret('jwt_secret_rotation')).not.toBe(old);
    expect(rig.secret('jwt_secret_rotation')).not.toBe(rig.secret('jwt_secret'));
  });

  it('drops the previous value once the grace period is over (for up, or the next rotation)', async () => {
    const old = rig.secret('jwt_secret');
    await rig.rotate('jwt_secret', { graceDays: 2 });
    rig.now = new Date(T0.getTime() + 86_400_000);
    expect(await rig.service.dropExpiredGrace()).toBe(false);
    expect(rig.secret('jwt_secret_rotation')).toBe(old);

    rig.now = new Date(T0.getTime() + 2 * 86_400_000);
    rig.steps = [];
    expect(await rig.service.dropExpiredGrace()).toBe(true);
    expect(rig.steps).toEqual(['write jwt_secret_rotation', 'render']);
    expect(rig.secret('jwt_secret_rotation')).not.toBe(old);
    expect(rig.copy('backend', 'jwt_secret_rotation')).toBe(rig.secret('jwt_secret_rotation'));
    expect(await readRotationState(rig.fs, join(rig.home, 'stack'))).toEqual({});

    await rig.rotate('jwt_secret', { graceDays: 1 });
    const second = rig.secret('jwt_secret_rotation');
    rig.now = new Date(rig.now.getTime() + 86_400_000);
    await rig.rotate('metrics_token');
    expect(rig.secret('jwt_secret_rotation')).not.toBe(second);
  });

  it('restores jwt_secret, the rotation value and the grace period when the render fails', async () => {
    await rig.rotate('jwt_secret');
    const [secret, previous] = [rig.secret('jwt_secret'), rig.secret('jwt_secret_rotation')];
    const state = await readRotationState(rig.fs, join(rig.home, 'stack'));
    rig.renderFailures = 2;
    rig.now = new Date(T0.getTime() + 3600_000);
    await failure(rig.rotate('jwt_secret'));
    expect([rig.secret('jwt_secret'), rig.secret('jwt_secret_rotation')]).toEqual([
      secret,
      previous,
    ]);
    expect(await readRotationState(rig.fs, join(rig.home, 'stack'))).toEqual(state);
  });
});
