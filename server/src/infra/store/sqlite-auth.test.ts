import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuthService, SESSION_TTL_MS } from '../../core/auth/auth-service.js';
import { openDatabase, type Db } from './database.js';
import { SqliteAdminPassword, SqliteSessions } from './sqlite-auth.js';

const FAST = { ln: 10, r: 8, p: 1 };
let dir: string;
let db: Db;
let now: number;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mna-auth-'));
  db = openDatabase(join(dir, 'appliance.db'));
  now = Date.UTC(2026, 0, 1);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const service = () =>
  new AuthService({
    sessions: new SqliteSessions(db),
    adminPassword: new SqliteAdminPassword(db),
    now: () => now,
    scrypt: FAST,
  });

describe('sessions in the appliance database', () => {
  it('keeps only a SHA-256 of the cookie value', () => {
    const auth = service();
    const { code } = auth.issueLoginCode();
    const session = auth.redeemLoginCode(code);
    expect(session?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const dump = JSON.stringify(db.prepare('SELECT * FROM sessions').all());
    expect(dump).not.toContain(session?.value);
    expect(dump).toMatch(/"token_hash":"[0-9a-f]{64}"/);
  });

  it('survives a restart of the server (a new service on the same file)', () => {
    const session = service().redeemLoginCode(service().issueLoginCode().code);
    // A code belongs to the service that issued it: another instance does not know it.
    expect(session).toBeUndefined();
    const first = service();
    const opened = first.redeemLoginCode(first.issueLoginCode().code);
    db.close();
    db = openDatabase(join(dir, 'appliance.db'));
    expect(service().checkSession(opened?.value ?? '')).toMatchObject({ valid: true });
  });

  it('accepts a login code once, and not after 10 minutes', () => {
    const auth = service();
    const first = auth.issueLoginCode();
    expect(auth.redeemLoginCode(first.code)).toBeDefined();
    expect(auth.redeemLoginCode(first.code)).toBeUndefined();
    const second = auth.issueLoginCode();
    now += 10 * 60_000;
    expect(auth.redeemLoginCode(second.code)).toBeUndefined();
    expect(auth.redeemLoginCode('not-a-code')).toBeUndefined();
  });

  it('expires a session 7 days after its last use, and slides on use', () => {
    const auth = service();
    const session = auth.redeemLoginCode(auth.issueLoginCode().code);
    const value = session?.value ?? '';
    now += 30 * 60_000;
    expect(auth.checkSession(value)).toMatchObject({ valid: true, renewed: false });
    now += 6 * 24 * 60 * 60_000;
    const renewed = auth.checkSession(value);
    expect(renewed).toEqual({
      valid: true,
      kind: 'login-link',
      expiresAt: now + SESSION_TTL_MS,
      renewed: true,
    });
    now += SESSION_TTL_MS - 1;
    expect(auth.checkSession(value)).toMatchObject({ valid: true });
    now += SESSION_TTL_MS;
    expect(auth.checkSession(value)).toEqual({ valid: false });
    expect(db.prepare('SELECT COUNT(*) AS n FROM sessions').get()).toEqual({ n: 0 });
  });

  it('ends a session on sign-out, and refuses unknown values', () => {
    const auth = service();
    const value = auth.redeemLoginCode(auth.issueLoginCode().code)?.value ?? '';
    auth.endSession(value);
    expect(auth.checkSession(value)).toEqual({ valid: false });
    expect(auth.checkSession('x'.repeat(43))).toEqual({ valid: false });
  });

  it('keeps at most 100 sessions, dropping the oldest', () => {
    const auth = service();
    const values: string[] = [];
    for (let i = 0; i < 105; i++) {
      now += 1;
      values.push(auth.redeemLoginCode(auth.issueLoginCode().code)?.value ?? '');
    }
    expect(db.prepare('SELECT COUNT(*) AS n FROM sessions').get()).toEqual({ n: 100 });
    expect(auth.checkSession(values[0] ?? '').valid).toBe(false);
    expect(auth.checkSession(values[104] ?? '').valid).toBe(true);
  });
});

describe('the admin password', () => {
  it('is stored as a scrypt hash, and a session follows the right password', async () => {
    const auth = service();
    expect(auth.hasAdminPassword()).toBe(false);
    await auth.setAdminPassword('canary-admin-password-1');
    expect(auth.hasAdminPassword()).toBe(true);
    expect(JSON.stringify(db.prepare('SELECT * FROM admin_password').all())).not.toContain(
      'canary',
    );
    await expect(auth.loginWithPassword('wrong password!!', '10.0.0.2')).rejects.toMatchObject({
      code: 'unauthorized',
    });
    const session = await auth.loginWithPassword('canary-admin-password-1', '10.0.0.2');
    expect(auth.checkSession(session.value)).toMatchObject({ valid: true, kind: 'password' });
  });

  it('refuses a short password, naming the field', async () => {
    await expect(service().setAdminPassword('short')).rejects.toMatchObject({
      code: 'validation_failed',
      details: { fields: { password: 'at least 12 characters' } },
    });
  });

  it('signs every browser out when it changes', async () => {
    const auth = service();
    expect(await auth.ensureAdminPassword('first password 123')).toBe('set');
    const session = await auth.loginWithPassword('first password 123', 'a');
    expect(await auth.ensureAdminPassword('first password 123')).toBe('unchanged');
    expect(auth.checkSession(session.value).valid).toBe(true);
    expect(await auth.ensureAdminPassword('second password 456')).toBe('changed');
    expect(auth.checkSession(session.value).valid).toBe(false);
  });

  it('answers rate_limited after five wrong passwords from one address, even in parallel', async () => {
    const auth = service();
    await auth.setAdminPassword('the right password');
    const attempts = await Promise.allSettled(
      Array.from({ length: 8 }, () => auth.loginWithPassword('a wrong password', '10.0.0.9')),
    );
    const codes = attempts.map((a) =>
      a.status === 'rejected' ? (a.reason as { code: string }).code : 'ok',
    );
    expect(codes.filter((c) => c === 'unauthorized')).toHaveLength(5);
    expect(codes.filter((c) => c === 'rate_limited')).toHaveLength(3);
    await expect(auth.loginWithPassword('the right password', '10.0.0.9')).rejects.toMatchObject({
      code: 'rate_limited',
      details: { retryAfterSeconds: 900 },
    });
    // Another address is not affected.
    await expect(auth.loginWithPassword('the right password', '10.0.0.10')).resolves.toBeDefined();
  });

  it('refuses password sign-in when no password is set', async () => {
    await expect(service().loginWithPassword('anything at all', 'a')).rejects.toMatchObject({
      code: 'forbidden',
    });
  });
});
