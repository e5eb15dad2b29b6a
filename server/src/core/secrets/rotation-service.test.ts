/** Rotation refused before anything changes, and the listing (names and ages, never values). */
import { describe, expect, it } from 'vitest';
import { T0, failure, useRotationRig } from './rotation.test-support.js';

const rig = useRotationRig();

describe('refusals', () => {
  it('refuses encryption_key with the reason, before touching anything', async () => {
    const error = await failure(rig.rotate('encryption_key'));
    expect(error.code).toBe('conflict');
    expect(error.message).toMatch(/encrypts the Plex tokens and service API keys/);
    expect(rig.steps).toEqual([]);
    expect(rig.engine.calls).toEqual([]);
  });

  it('refuses an unknown name, naming the rotatable ones, and never echoes a value', async () => {
    const unknown = await failure(rig.rotate('jwt_secrett'));
    expect(unknown.code).toBe('validation_failed');
    expect(unknown.message).toBe(
      'There is no secret "jwt_secrett". Secrets that can be rotated: postgres_password, redis_password, jwt_secret, nextauth_secret, metrics_token, grafana_password.',
    );
    const pasted = await failure(rig.rotate(rig.secret('jwt_secret')));
    expect(pasted.message).not.toContain(rig.secret('jwt_secret'));
  });

  it('points derived secrets to their source', async () => {
    expect((await failure(rig.rotate('database_url'))).message).toMatch(/rotate postgres_password/);
    expect((await failure(rig.rotate('jwt_secret_rotation'))).message).toMatch(/rotate jwt_secret/);
  });

  it('takes a grace period only for jwt_secret, and a sane one', async () => {
    expect((await failure(rig.rotate('redis_password', { graceDays: 3 }))).code).toBe(
      'validation_failed',
    );
    expect((await failure(rig.rotate('jwt_secret', { graceDays: 91 }))).code).toBe(
      'validation_failed',
    );
  });

  it('needs PostgreSQL running to change its password, and changes nothing otherwise', async () => {
    rig.engine.running = rig.engine.running.filter((r) => r.service !== 'postgres');
    const before = rig.secret('postgres_password');
    const error = await failure(rig.rotate('postgres_password'));
    expect(error.message).toMatch(/kept inside postgres, which is not running/);
    expect(rig.secret('postgres_password')).toBe(before);
    expect(rig.steps).toEqual([]);
  });
});

describe('listing', () => {
  it('shows names, ages, consumers and what can be rotated; never a value', async () => {
    rig.now = new Date(T0.getTime() + 60_000);
    const rows = await rig.service.list();
    const byName = new Map(rows.map((r) => [r.name, r]));
    expect(byName.get('postgres_password')).toMatchObject({
      rotatable: true,
      consumers: ['postgres'],
    });
    expect(byName.get('encryption_key')?.rotatable).toBe(false);
    expect(byName.get('encryption_key')?.notRotatableBecause).toMatch(/Plex tokens/);
    expect(byName.get('jwt_secret_rotation')?.consumers).toEqual(['backend']);
    const text = JSON.stringify(rows);
    for (const row of rows) {
      const random = /[0-9a-f]{64}/.exec(rig.secret(row.name))?.[0];
      if (random) expect(text).not.toContain(random);
    }
  });
});
