import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NodeFileSystem } from '../../infra/fs/node-file-system.js';
import { AppError } from '../app-error.js';
import { initStack } from '../stack/init-service.js';
import type { UpResult } from '../stack/reconciler.js';
import { databaseUrl } from './generate.js';
import type { ExecResult, ServiceExec } from './rotation-ports.js';
import { scramKeys } from './rotation-scram.js';
import { SecretsService } from './rotation-service.js';
import { readRotationState } from './rotation-state.js';

const T0 = new Date('2026-03-01T12:00:00Z');

/** The order in which things happen, across the fakes. */
let steps: string[] = [];

class RecordingFileSystem extends NodeFileSystem {
  override async writeFile(path: string, data: string | Uint8Array, mode?: number): Promise<void> {
    if (path.includes('/secrets/') && !path.includes('by-service'))
      steps.push(`write ${basename(path)}`);
    return super.writeFile(path, data, mode);
  }
}

/**
 * The containers, as far as rotation sees them: PostgreSQL keeps the verifier it was given and
 * checks a TCP login against it the way SCRAM does; Grafana may or may not have its CLI.
 */
class FakeEngine implements ServiceExec {
  running = [
    { service: 'postgres', health: 'healthy' as const },
    { service: 'redis', health: 'healthy' as const },
    { service: 'backend', health: 'healthy' as const },
  ];
  calls: Array<{ service: string; command: readonly string[]; stdin?: string }> = [];
  verifier = '';
  fail: { alter?: number; verify?: number; grafana?: boolean } = {};
  grafanaCli = true;
  grafanaPassword = '';

  async runningServices() {
    return this.running;
  }

  async exec(
    service: string,
    command: readonly string[],
    options: { stdin?: string } = {},
  ): Promise<ExecResult> {
    this.calls.push({ service, command, ...(options.stdin ? { stdin: options.stdin } : {}) });
    const ok = (stdout = ''): ExecResult => ({ exitCode: 0, stdout, stderr: '' });
    const err = (stderr: string): ExecResult => ({ exitCode: 1, stdout: '', stderr });
    if (service === 'postgres' && command[0] === 'psql') {
      steps.push('ALTER ROLE');
      if (this.fail.alter) {
        this.fail.alter -= 1;
        return err(`ERROR:  permission denied\nLINE 1: ${options.stdin ?? ''}\n`);
      }
      this.verifier = /PASSWORD '([^']+)'/.exec(options.stdin ?? '')?.[1] ?? '';
      return ok();
    }
    if (service === 'postgres' && command[0] === 'sh') {
      steps.push('login over TCP');
      const password = (options.stdin ?? '').replace(/\n$/, '');
      const [, iterations = '', salt = '', stored = ''] =
        /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):/.exec(this.verifier) ?? [];
      const keys = scramKeys(password, {
        salt: Buffer.from(salt, 'base64'),
        iterations: Number(iterations),
      });
      const refused = (this.fail.verify ?? 0) > 0;
      if (refused) this.fail.verify = (this.fail.verify ?? 0) - 1;
      const accepted = !refused && keys.storedKey.toString('base64') === stored;
      return accepted ? ok('1\n') : err('FATAL:  password authentication failed');
    }
    if (service === 'grafana' && command[0] === 'sh') {
      return ok(this.grafanaCli ? '/usr/share/grafana/bin/grafana\n' : '');
    }
    if (service === 'grafana') {
      steps.push('grafana reset');
      if (this.fail.grafana) return err('Error: could not open database');
      this.grafanaPassword = (options.stdin ?? '').trim();
      return ok();
    }
    return err(`unexpected exec in ${service}`);
  }
}

let home: string;
let fs: RecordingFileSystem;
let engine: FakeEngine;
let now: Date;
let renderFailures: number;
let upFails: boolean;
let service: SecretsService;
const config = { profiles: ['monitoring'] };
const progress: string[] = [];

const secretsDir = (): string => join(home, 'stack', 'secrets');
const read = (name: string): string => readFileSync(join(secretsDir(), name), 'utf8');
const copy = (svc: string, name: string): string =>
  readFileSync(join(secretsDir(), 'by-service', svc, name), 'utf8');

beforeEach(async () => {
  home = mkdtempSync(join(tmpdir(), 'mn-rotate-'));
  fs = new RecordingFileSystem();
  engine = new FakeEngine();
  now = T0;
  renderFailures = 0;
  upFails = false;
  progress.length = 0;
  const location = {
    stackDir: join(home, 'stack'),
    secretsDir: join(home, 'stack', 'secrets'),
    composeFile: join(home, 'stack', 'compose.yaml'),
  };
  const render = () => initStack({ fs, now: () => now }, { ...location, config });
  await render();
  steps = [];
  service = new SecretsService({
    fs,
    engine: () => engine,
    location,
    render: async () => {
      steps.push('render');
      if (renderFailures > 0) {
        renderFailures -= 1;
        throw new Error('disk full');
      }
      await render();
    },
    up: async (): Promise<UpResult> => {
      steps.push('up');
      if (upFails) throw new AppError('conflict', 'backend did not become healthy.');
      return { created: [], recreated: ['backend'], started: [], unchanged: [], removed: [] };
    },
    now: () => now,
  });
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

const rotate = (name: string, options = {}) =>
  service.rotate(name, options, (step) => progress.push(step));

const failure = async (promise: Promise<unknown>): Promise<AppError> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
};

describe('refusals', () => {
  it('refuses encryption_key with the reason, before touching anything', async () => {
    const error = await failure(rotate('encryption_key'));
    expect(error.code).toBe('conflict');
    expect(error.message).toMatch(/encrypts the Plex tokens and service API keys/);
    expect(steps).toEqual([]);
    expect(engine.calls).toEqual([]);
  });

  it('refuses an unknown name, naming the rotatable ones, and never echoes a value', async () => {
    const unknown = await failure(rotate('jwt_secrett'));
    expect(unknown.code).toBe('validation_failed');
    expect(unknown.message).toBe(
      'There is no secret "jwt_secrett". Secrets that can be rotated: postgres_password, redis_password, jwt_secret, nextauth_secret, metrics_token, grafana_password.',
    );
    const pasted = await failure(rotate(read('jwt_secret')));
    expect(pasted.message).not.toContain(read('jwt_secret'));
  });

  it('points derived secrets to their source', async () => {
    expect((await failure(rotate('database_url'))).message).toMatch(/rotate postgres_password/);
    expect((await failure(rotate('jwt_secret_rotation'))).message).toMatch(/rotate jwt_secret/);
  });

  it('takes a grace period only for jwt_secret, and a sane one', async () => {
    expect((await failure(rotate('redis_password', { graceDays: 3 }))).code).toBe(
      'validation_failed',
    );
    expect((await failure(rotate('jwt_secret', { graceDays: 91 }))).code).toBe('validation_failed');
  });

  it('needs PostgreSQL running to change its password, and changes nothing otherwise', async () => {
    engine.running = engine.running.filter((r) => r.service !== 'postgres');
    const before = read('postgres_password');
    const error = await failure(rotate('postgres_password'));
    expect(error.message).toMatch(/kept inside postgres, which is not running/);
    expect(read('postgres_password')).toBe(before);
    expect(steps).toEqual([]);
  });
});

describe('rotating postgres_password', () => {
  it('sets the verifier inside PostgreSQL first, proves it, then files, render, up', async () => {
    const old = read('postgres_password');
    const result = await rotate('postgres_password');
    expect(steps).toEqual([
      'ALTER ROLE',
      'login over TCP',
      'write postgres_password',
      'render',
      'write database_url',
      'up',
    ]);
    const fresh = read('postgres_password');
    expect(fresh).toMatch(/^[0-9a-f]{64}$/);
    expect(fresh).not.toBe(old);
    expect(read('database_url')).toBe(databaseUrl(fresh));
    expect(copy('backend', 'database_url')).toBe(databaseUrl(fresh));
    expect(copy('postgres', 'postgres_password')).toBe(fresh);
    expect(result).toMatchObject({
      name: 'postgres_password',
      alsoChanged: ['database_url'],
      recreated: ['backend'],
      rotatedAt: T0.toISOString(),
    });
    expect(await readRotationState(fs, join(home, 'stack'))).toEqual({});
  });

  it('sends the clear text on stdin only for the login check, never in argv', async () => {
    const old = read('postgres_password');
    await rotate('postgres_password');
    const fresh = read('postgres_password');
    const [alter, login] = engine.calls;
    for (const call of engine.calls) {
      for (const value of [old, fresh]) expect(call.command.join(' ')).not.toContain(value);
    }
    expect(alter?.stdin).toContain("ALTER ROLE medianest PASSWORD 'SCRAM-SHA-256$4096:");
    expect(alter?.stdin).not.toContain(fresh);
    expect(login?.stdin).toBe(`${fresh}\n`);
  });

  it('changes nothing when ALTER ROLE fails, and says why without quoting the statement', async () => {
    engine.fail.alter = 1;
    const before = read('postgres_password');
    const error = await failure(rotate('postgres_password'));
    expect(error.message).toBe(
      'Rotating postgres_password failed; nothing was changed: ALTER ROLE inside postgres failed (exit 1): ERROR:  permission denied.',
    );
    expect(steps).toEqual(['ALTER ROLE']);
    expect(read('postgres_password')).toBe(before);
    expect(await readRotationState(fs, join(home, 'stack'))).toEqual({});
  });

  it('sets the old password back when the new one does not log in', async () => {
    engine.fail.verify = 1;
    const old = read('postgres_password');
    const error = await failure(rotate('postgres_password'));
    expect(error.message).toMatch(/nothing was changed: Logging in to PostgreSQL/);
    expect(steps).toEqual(['ALTER ROLE', 'login over TCP', 'ALTER ROLE', 'login over TCP']);
    expect(engine.calls.at(-1)?.stdin).toBe(`${old}\n`);
    expect(read('postgres_password')).toBe(old);
  });

  it('retries a failed render once, then undoes everything: old file, old password inside', async () => {
    renderFailures = 2;
    const old = read('postgres_password');
    const error = await failure(rotate('postgres_password'));
    expect(error.message).toMatch(/failed; the previous value was restored: .*disk full/);
    expect(steps).toEqual([
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
    expect(read('postgres_password')).toBe(old);
    expect(read('database_url')).toBe(databaseUrl(old));
    expect(await readRotationState(fs, join(home, 'stack'))).toEqual({});
  });

  it('leaves a journal when the undo fails too, and the next rotation repairs first', async () => {
    renderFailures = 3;
    const error = await failure(rotate('postgres_password'));
    expect(error.message).toMatch(/undoing it failed too/);
    const state = await readRotationState(fs, join(home, 'stack'));
    expect(state.pending?.name).toBe('postgres_password');
    expect((await service.list()).find((s) => s.name === 'postgres_password')).toMatchObject({
      unfinishedRotation: true,
    });

    steps = [];
    const result = await rotate('redis_password');
    expect(result.repaired).toBe('postgres_password');
    // The canonical file is the truth: PostgreSQL is set to it before anything else happens.
    expect(steps.slice(0, 3)).toEqual(['ALTER ROLE', 'login over TCP', 'render']);
    expect(engine.calls.at(-1)?.stdin).toBe(`${read('postgres_password')}\n`);
    expect(read('database_url')).toBe(databaseUrl(read('postgres_password')));
    expect(await readRotationState(fs, join(home, 'stack'))).toEqual({});
  });

  it('keeps the new value when up fails, and says how to carry on', async () => {
    upFails = true;
    const error = await failure(rotate('postgres_password'));
    expect(error.message).toMatch(
      /^The new postgres_password is in place \(its files and services agree\), but the stack did not come up healthy: backend did not become healthy\. Run `medianest-appliance up`/,
    );
    expect(read('database_url')).toBe(databaseUrl(read('postgres_password')));
  });

  it('scrubs every value from a message, whoever wrote it', async () => {
    engine.fail.verify = 1;
    const old = read('postgres_password');
    // A psql that quotes what it was given, the worst case.
    const original = engine.exec.bind(engine);
    engine.exec = async (svc, command, options) => {
      const result = await original(svc, command, options);
      return { ...result, stderr: `${result.stderr} ${options?.stdin ?? ''}` };
    };
    const error = await failure(rotate('postgres_password'));
    expect(error.message).toContain('[redacted]');
    expect(error.message).not.toContain(old);
    for (const call of engine.calls) {
      const value = call.stdin?.trim() ?? '';
      if (/^[0-9a-f]{64}$/.test(value)) expect(error.message).not.toContain(value);
    }
    expect(JSON.stringify(error.details ?? {})).not.toContain(old);
  });
});

describe('rotating jwt_secret', () => {
  it('keeps the previous value as jwt_secret_rotation for 7 days by default', async () => {
    const old = read('jwt_secret');
    const result = await rotate('jwt_secret');
    expect(steps).toEqual(['write jwt_secret_rotation', 'write jwt_secret', 'render', 'up']);
    expect(read('jwt_secret_rotation')).toBe(old);
    expect(copy('backend', 'jwt_secret_rotation')).toBe(old);
    expect(read('jwt_secret')).not.toBe(old);
    const until = new Date(T0.getTime() + 7 * 86_400_000).toISOString();
    expect(result.graceUntil).toBe(until);
    expect(await readRotationState(fs, join(home, 'stack'))).toEqual({ jwtGraceUntil: until });
    expect((await service.list()).find((s) => s.name === 'jwt_secret_rotation')?.graceUntil).toBe(
      until,
    );
  });

  it('with no grace period, accepts only the new value at once', async () => {
    const old = read('jwt_secret');
    const result = await rotate('jwt_secret', { graceDays: 0 });
    expect(result.graceUntil).toBeUndefined();
    expect(read('jwt_secret_rotation')).not.toBe(old);
    expect(read('jwt_secret_rotation')).not.toBe(read('jwt_secret'));
  });

  it('drops the previous value once the grace period is over (for up, or the next rotation)', async () => {
    const old = read('jwt_secret');
    await rotate('jwt_secret', { graceDays: 2 });
    now = new Date(T0.getTime() + 86_400_000);
    expect(await service.dropExpiredGrace()).toBe(false);
    expect(read('jwt_secret_rotation')).toBe(old);

    now = new Date(T0.getTime() + 2 * 86_400_000);
    steps = [];
    expect(await service.dropExpiredGrace()).toBe(true);
    expect(steps).toEqual(['write jwt_secret_rotation', 'render']);
    expect(read('jwt_secret_rotation')).not.toBe(old);
    expect(copy('backend', 'jwt_secret_rotation')).toBe(read('jwt_secret_rotation'));
    expect(await readRotationState(fs, join(home, 'stack'))).toEqual({});

    await rotate('jwt_secret', { graceDays: 1 });
    const second = read('jwt_secret_rotation');
    now = new Date(now.getTime() + 86_400_000);
    await rotate('metrics_token');
    expect(read('jwt_secret_rotation')).not.toBe(second);
  });

  it('restores jwt_secret, the rotation value and the grace period when the render fails', async () => {
    await rotate('jwt_secret');
    const [secret, previous] = [read('jwt_secret'), read('jwt_secret_rotation')];
    const state = await readRotationState(fs, join(home, 'stack'));
    renderFailures = 2;
    now = new Date(T0.getTime() + 3600_000);
    await failure(rotate('jwt_secret'));
    expect([read('jwt_secret'), read('jwt_secret_rotation')]).toEqual([secret, previous]);
    expect(await readRotationState(fs, join(home, 'stack'))).toEqual(state);
  });
});

describe('rotating the other secrets', () => {
  it('rotates redis_password and rebuilds redis_url', async () => {
    await rotate('redis_password');
    expect(read('redis_url')).toBe(`redis://:${read('redis_password')}@redis:6379`);
    expect(copy('redis', 'redis_password')).toBe(read('redis_password'));
    expect(engine.calls).toEqual([]);
  });

  it('rotates metrics_token into the backend and prometheus', async () => {
    await rotate('metrics_token');
    expect(copy('backend', 'metrics_token')).toBe(read('metrics_token'));
    expect(copy('prometheus', 'metrics_token')).toBe(read('metrics_token'));
  });

  it('does not start a stopped stack: the value applies at the next up', async () => {
    engine.running = [];
    const result = await rotate('nextauth_secret');
    expect(result.recreated).toBeNull();
    expect(steps).toEqual(['write nextauth_secret', 'render']);
    expect(copy('frontend', 'nextauth_secret')).toBe(read('nextauth_secret'));
  });

  it('resets a running Grafana through its CLI, on stdin, before the file', async () => {
    engine.running.push({ service: 'grafana', health: 'healthy' });
    await rotate('grafana_password');
    expect(steps).toEqual(['grafana reset', 'write grafana_password', 'render', 'up']);
    expect(engine.grafanaPassword).toBe(read('grafana_password'));
    const reset = engine.calls.at(-1);
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
    engine.running.push({ service: 'grafana', health: 'healthy' });
    engine.grafanaCli = false;
    await rotate('grafana_password');
    expect(steps).toEqual(['write grafana_password', 'render', 'up']);
  });

  it('changes nothing when Grafana refuses the reset', async () => {
    engine.running.push({ service: 'grafana', health: 'healthy' });
    engine.fail.grafana = true;
    const before = read('grafana_password');
    const error = await failure(rotate('grafana_password'));
    expect(error.message).toMatch(/nothing was changed: Resetting the Grafana admin password/);
    expect(steps).toEqual(['grafana reset']);
    expect(read('grafana_password')).toBe(before);
  });
});

describe('listing', () => {
  it('shows names, ages, consumers and what can be rotated; never a value', async () => {
    now = new Date(T0.getTime() + 60_000);
    const rows = await service.list();
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
      const random = /[0-9a-f]{64}/.exec(read(row.name))?.[0];
      if (random) expect(text).not.toContain(random);
    }
  });
});
