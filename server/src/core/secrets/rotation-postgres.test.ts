/** Rotating postgres_password: the verifier set inside PostgreSQL first and proven, then files, render and up; every failure undone or journalled. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { databaseUrl } from './generate.js';
import { readRotationState } from './rotation-state.js';
import { T0, failure, useRotationRig } from './rotation.test-support.js';

const rig = useRotationRig();

describe('rotating postgres_password', () => {
  it('sets the verifier inside PostgreSQL first, proves it, then files, render, up', async () => {
    const old = rig.secret('postgres_password');
    const result = await rig.rotate('postgres_password');
    expect(rig.steps).toEqual([
      'ALTER ROLE',
      'login over TCP',
      'write postgres_password',
      'render',
      'write database_url',
      'up',
    ]);
    const fresh = rig.secret('postgres_password');
    expect(fresh).toMatch(/^[0-9a-f]{64}$/);
    expect(fresh).not.toBe(old);
    expect(rig.secret('database_url')).toBe(databaseUrl(fresh));
    expect(rig.copy('backend', 'database_url')).toBe(databaseUrl(fresh));
    expect(rig.copy('postgres', 'postgres_password')).toBe(fresh);
    expect(result).toMatchObject({
      name: 'postgres_password',
      alsoChanged: ['database_url'],
      recreated: ['backend'],
      rotatedAt: T0.toISOString(),
    });
    expect(await readRotationState(rig.fs, join(rig.home, 'stack'))).toEqual({});
  });

  it('sends the clear text on stdin only for the login check, never in argv', async () => {
    const old = rig.secret('postgres_password');
    await rig.rotate('postgres_password');
    const fresh = rig.secret('postgres_password');
    const [alter, login] = rig.engine.calls;
    for (const call of rig.engine.calls) {
      for (const value of [old, fresh]) expect(call.command.join(' ')).not.toContain(value);
    }
    expect(alter?.stdin).toContain("ALTER ROLE medianest PASSWORD 'SCRAM-SHA-256$4096:");
    expect(alter?.stdin).not.toContain(fresh);
    expect(login?.stdin).toBe(`${fresh}\n`);
  });

  it('changes nothing when ALTER ROLE fails, and says why without quoting the statement', async () => {
    rig.engine.fail.alter = 1;
    const before = rig.secret('postgres_password');
    const error = await failure(rig.rotate('postgres_password'));
    expect(error.message).toBe(
      'Rotating postgres_password failed; nothing was changed: ALTER ROLE inside postgres failed (exit 1): ERROR:  permission denied.',
    );
    expect(rig.steps).toEqual(['ALTER ROLE']);
    expect(rig.secret('postgres_password')).toBe(before);
    expect(await readRotationState(rig.fs, join(rig.home, 'stack'))).toEqual({});
  });

  it('sets the old password back when the new one does not log in', async () => {
    rig.engine.fail.verify = 1;
    const old = rig.secret('postgres_password');
    const error = await failure(rig.rotate('postgres_password'));
    expect(error.message).toMatch(/nothing was changed: Logging in to PostgreSQL/);
    expect(rig.steps).toEqual(['ALTER ROLE', 'login over TCP', 'ALTER ROLE', 'login over TCP']);
    expect(rig.engine.calls.at(-1)?.stdin).toBe(`${old}\n`);
    expect(rig.secret('postgres_password')).toBe(old);
  });

  it('retries a failed render once, then undoes everything: old file, old password inside', async () => {
    rig.renderFailures = 2;
    const old = rig.secret('postgres_password');
    const error = await failure(rig.rotate('postgres_password'));
    expect(error.message).toMatch(/failed; the previous value was restored: .*disk full/);
    expect(rig.steps).toEqual([
      'ALTER ROLE',
      'login over TCP',
      'write postgres_password',
      'render',
      'render',
      'write postgres_password',
      'ALTER ROLE',
      'login over TCP',
      'render',
    ]);
    expect(rig.secret('postgres_password')).toBe(old);
    expect(rig.secret('database_url')).toBe(databaseUrl(old));
    expect(await readRotationState(rig.fs, join(rig.home, 'stack'))).toEqual({});
  });

  it('leaves a journal when the undo fails too, and the next rotation repairs first', async () => {
    rig.renderFailures = 3;
    const error = await failure(rig.rotate('postgres_password'));
    expect(error.message).toMatch(/undoing it failed too/);
    const state = await readRotationState(rig.fs, join(rig.home, 'stack'));
    expect(state.pending?.name).toBe('postgres_password');
    expect((await rig.service.list()).find((s) => s.name === 'postgres_password')).toMatchObject({
      unfinishedRotation: true,
    });

    rig.steps = [];
    const result = await rig.rotate('redis_password');
    expect(result.repaired).toBe('postgres_password');
    // The canonical file is the truth: PostgreSQL is set to it before anything else happens.
    expect(rig.steps.slice(0, 3)).toEqual(['ALTER ROLE', 'login over TCP', 'render']);
    expect(rig.engine.calls.at(-1)?.stdin).toBe(`${rig.secret('postgres_password')}\n`);
    expect(rig.secret('database_url')).toBe(databaseUrl(rig.secret('postgres_password')));
    expect(await readRotationState(rig.fs, join(rig.home, 'stack'))).toEqual({});
  });

  it('keeps the new value when up fails, and says how to carry on', async () => {
    rig.upFails = true;
    const error = await failure(rig.rotate('postgres_password'));
    expect(error.message).toMatch(
      /^The new postgres_password is in place \(its files and services agree\), but the stack did not come up healthy: backend did not become healthy\. Run `medianest-appliance up`/,
    );
    expect(rig.secret('database_url')).toBe(databaseUrl(rig.secret('postgres_password')));
  });

  it('scrubs every value from a message, whoever wrote it', async () => {
    rig.engine.fail.verify = 1;
    const old = rig.secret('postgres_password');
    // A psql that quotes what it was given, the worst case.
    const original = rig.engine.exec.bind(rig.engine);
    rig.engine.exec = async (svc, command, options) => {
      const result = await original(svc, command, options);
      return { ...result, stderr: `${result.stderr} ${options?.stdin ?? ''}` };
    };
    const error = await failure(rig.rotate('postgres_password'));
    expect(error.message).toContain('[redacted]');
    expect(error.message).not.toContain(old);
    for (const call of rig.engine.calls) {
      const value = call.stdin?.trim() ?? '';
      if (/^[0-9a-f]{64}$/.test(value)) expect(error.message).not.toContain(value);
    }
    expect(JSON.stringify(error.details ?? {})).not.toContain(old);
  });
});
