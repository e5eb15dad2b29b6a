import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../core/app-error.js';
import { ensureHome, type HomePaths } from '../infra/fs/home.js';
import { UsageError, type ParsedCommand } from './args.js';
import { initCommand } from './init-command.js';
import type { CliIo } from './io.js';
import { formatRotation, secretsCommand } from './secrets-command.js';

let dir: string;
let paths: HomePaths;
const out: string[] = [];
const err: string[] = [];
const io = (env: Record<string, string> = {}): CliIo => ({
  stdout: (t) => out.push(t),
  stderr: (t) => err.push(t),
  env: { HOME: dir, DOCKER_HOST: 'unix:///nonexistent.sock', ...env },
  untilShutdown: () => Promise.resolve(),
});
const command = (positionals: string[], values: ParsedCommand['values'] = {}): ParsedCommand => ({
  verb: 'secrets',
  values,
  positionals,
});

/** Every generated value in the home (the Plex placeholders are public). */
function values(): string[] {
  const secrets = paths.secretsDir;
  return readdirSync(secrets)
    .filter((n) => statSync(join(secrets, n)).isFile())
    .map((n) => readFileSync(join(secrets, n), 'utf8'))
    .filter((v) => /[0-9a-f]{64}/.test(v));
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mna-secrets-'));
  paths = ensureHome(join(dir, 'home'));
  out.length = 0;
  err.length = 0;
  await initCommand({ verb: 'init', values: { env: 'test' }, positionals: [] }, paths, io());
  out.length = 0;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('secrets list', () => {
  it('prints names, ages, consumers and what can be rotated; never a value', async () => {
    expect(await secretsCommand(command(['list']), paths, io())).toBe(0);
    const table = out.join('\n');
    expect(table.split('\n')[0]).toMatch(/^NAME\s+AGE\s+USED BY\s+NOTE$/);
    expect(table).toMatch(/\npostgres_password\s+\d+s\s+postgres\s+rotatable\n/);
    expect(table).toMatch(/\nencryption_key\s+\d+s\s+backend\s+never rotated: it encrypts/);
    expect(table).toMatch(/\ndatabase_url\s+\d+s\s+migrate, backend\s+follows postgres_password/);
    for (const value of values()) expect(table).not.toContain(value);
  });

  it('prints one JSON document with --json', async () => {
    await secretsCommand(command(['list'], { json: true }), paths, io());
    const rows = JSON.parse(out.join('')) as Array<{ name: string; rotatable: boolean }>;
    expect(rows.filter((r) => r.rotatable).map((r) => r.name)).toEqual([
      'jwt_secret',
      'metrics_token',
      'nextauth_secret',
      'postgres_password',
      'redis_password',
    ]);
    for (const value of values()) expect(out.join('')).not.toContain(value);
  });
});

describe('secrets rotate', () => {
  it('refuses encryption_key with the reason, without needing the engine', async () => {
    const error = await secretsCommand(command(['rotate', 'encryption_key']), paths, io()).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('conflict');
    expect((error as AppError).message).toMatch(/no way to re-encrypt them under a new key/);
  });

  it('refuses an unknown name, naming the rotatable ones', async () => {
    const error = await secretsCommand(command(['rotate', 'password']), paths, io()).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'validation_failed' });
    expect((error as AppError).message).toContain('postgres_password, redis_password');
  });

  it('says the engine cannot be reached, and changes nothing', async () => {
    const before = readFileSync(join(paths.secretsDir, 'nextauth_secret'), 'utf8');
    const error = await secretsCommand(command(['rotate', 'nextauth_secret']), paths, io()).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'engine_unavailable' });
    expect(readFileSync(join(paths.secretsDir, 'nextauth_secret'), 'utf8')).toBe(before);
  });

  it('explains its usage', async () => {
    for (const [positionals, values] of [
      [['rotate'], {}],
      [['list', 'jwt_secret'], {}],
      [['rotate', 'a', 'b'], {}],
      [['frobnicate'], {}],
      [[], {}],
      [['list'], { 'grace-days': '3' }],
      [['rotate', 'jwt_secret'], { 'grace-days': 'soon' }],
    ] as Array<[string[], ParsedCommand['values']]>) {
      await expect(secretsCommand(command(positionals, values), paths, io())).rejects.toThrow(
        UsageError,
      );
    }
  });

  it('reports a rotation in plain words', () => {
    expect(
      formatRotation({
        name: 'jwt_secret',
        rotatedAt: '2026-03-01T12:00:00.000Z',
        alsoChanged: ['jwt_secret_rotation'],
        recreated: ['backend'],
        graceUntil: '2026-03-08T12:00:00.000Z',
      }),
    ).toBe(
      [
        'Rotated jwt_secret (and jwt_secret_rotation).',
        'Recreated: backend. The stack is healthy.',
        'Sessions signed with the previous value stay valid until 2026-03-08T12:00:00.000Z.',
      ].join('\n'),
    );
    expect(
      formatRotation({
        name: 'nextauth_secret',
        rotatedAt: '2026-03-01T12:00:00.000Z',
        alsoChanged: [],
        recreated: null,
        repaired: 'postgres_password',
      }),
    ).toBe(
      [
        'Finished the interrupted rotation of postgres_password.',
        'Rotated nextauth_secret.',
        'The stack is not running: the new value applies at the next `up`.',
      ].join('\n'),
    );
  });
});
