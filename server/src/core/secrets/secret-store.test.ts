import { mkdtempSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NodeFileSystem } from '../../infra/fs/node-file-system.js';
import {
  PLEX_CLIENT_ID_PLACEHOLDER,
  PLEX_CLIENT_SECRET_PLACEHOLDER,
  SECRET_CATALOGUE,
  SECRET_NAMES,
  secretsOf,
} from './catalogue.js';
import { databaseUrl, isAcceptedByMediaNest, redisUrl } from './generate.js';
import { ensureSecrets, listSecrets } from './secret-store.js';
import { selfSignedPemIsCurrent } from './self-signed.js';

const fs = new NodeFileSystem();
let home: string;
let dir: string;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'mn-secrets-'));
  dir = join(home, 'stack', 'secrets');
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

const mode = (path: string): number => statSync(path).mode & 0o777;
const read = (name: string): Promise<string> => fs.readText(join(dir, name));
const CORE = [
  'postgres_password',
  'database_url',
  'redis_password',
  'redis_url',
  'jwt_secret',
  'encryption_key',
  'metrics_token',
  'nextauth_secret',
  'plex_client_id',
  'plex_client_secret',
];

describe('ensureSecrets', () => {
  it('creates the folder 0700 and every secret 0600, 256-bit hex where random', async () => {
    const result = await ensureSecrets(fs, dir, CORE);
    expect(result.created).toEqual(CORE);
    expect(result.kept).toEqual([]);
    expect(mode(dir)).toBe(0o700);
    for (const name of CORE) expect(mode(join(dir, name))).toBe(0o600);
    for (const name of [
      'postgres_password',
      'redis_password',
      'jwt_secret',
      'encryption_key',
      'metrics_token',
      'nextauth_secret',
    ]) {
      const value = await read(name);
      expect(value).toMatch(/^[0-9a-f]{64}$/);
      expect(isAcceptedByMediaNest(value)).toBe(true);
    }
    const postgres = await read('postgres_password');
    const redis = await read('redis_password');
    expect(await read('database_url')).toBe(databaseUrl(postgres));
    expect(await read('redis_url')).toBe(redisUrl(redis));
    expect(isAcceptedByMediaNest(await read('database_url'))).toBe(true);
    expect(await read('plex_client_id')).toBe(PLEX_CLIENT_ID_PLACEHOLDER);
    expect(await read('plex_client_secret')).toBe(PLEX_CLIENT_SECRET_PLACEHOLDER);
    const values = await Promise.all(
      ['jwt_secret', 'encryption_key', 'metrics_token', 'nextauth_secret'].map(read),
    );
    expect(new Set(values).size).toBe(4);
  });

  it('keeps existing secrets and repairs a loose mode', async () => {
    await ensureSecrets(fs, dir, CORE);
    const before = await Promise.all(CORE.map(read));
    await fs.chmod(join(dir, 'jwt_secret'), 0o644);
    await fs.chmod(dir, 0o755);
    const again = await ensureSecrets(fs, dir, [...CORE, 'grafana_password']);
    expect(again.kept).toEqual(CORE);
    expect(again.created).toEqual(['grafana_password']);
    expect(again.updated).toEqual([]);
    expect(await Promise.all(CORE.map(read))).toEqual(before);
    expect(mode(join(dir, 'jwt_secret'))).toBe(0o600);
    expect(mode(dir)).toBe(0o700);
  });

  it('adds the sources of derived secrets and rebuilds a URL whose password changed', async () => {
    const first = await ensureSecrets(fs, dir, ['database_url']);
    expect(first.created).toEqual(['postgres_password', 'database_url']);
    await fs.writeFile(join(dir, 'postgres_password'), 'ab'.repeat(32), 0o600);
    const second = await ensureSecrets(fs, dir, ['database_url']);
    expect(second.updated).toEqual(['database_url']);
    expect(await read('database_url')).toBe(databaseUrl('ab'.repeat(32)));
  });

  it('re-rolls a secret MediaNest would refuse (injected random source)', async () => {
    let call = 0;
    const random = (size: number): Uint8Array => {
      call += 1;
      // The first value contains 123456; the second is clean.
      return Buffer.from(call === 1 ? `123456${'0'.repeat(58)}` : 'ef'.repeat(size), 'hex');
    };
    await ensureSecrets(fs, dir, ['jwt_secret'], { random });
    expect(await read('jwt_secret')).toBe('ef'.repeat(32));
    expect(call).toBe(2);
  });

  it('writes the Plex values given and keeps them when later omitted', async () => {
    await ensureSecrets(fs, dir, ['plex_client_id'], { plex: { clientId: 'my-app' } });
    expect(await read('plex_client_id')).toBe('my-app');
    const omitted = await ensureSecrets(fs, dir, ['plex_client_id']);
    expect(omitted.kept).toEqual(['plex_client_id']);
    const changed = await ensureSecrets(fs, dir, ['plex_client_id'], {
      plex: { clientId: 'other' },
    });
    expect(changed.updated).toEqual(['plex_client_id']);
    expect(await read('plex_client_id')).toBe('other');
  });

  it('generates the self-signed certificate and renews it only when it no longer fits', async () => {
    const now = new Date('2026-03-01T00:00:00Z');
    const first = await ensureSecrets(fs, dir, ['tls_self_signed'], {
      tlsHosts: ['localhost', '127.0.0.1'],
      now: () => now,
    });
    expect(first.created).toEqual(['tls_self_signed']);
    const pem = await read('tls_self_signed');
    expect(selfSignedPemIsCurrent(pem, ['localhost', '127.0.0.1'], now)).toBe(true);
    const kept = await ensureSecrets(fs, dir, ['tls_self_signed'], {
      tlsHosts: ['localhost'],
      now: () => now,
    });
    expect(kept.kept).toEqual(['tls_self_signed']);
    const renamed = await ensureSecrets(fs, dir, ['tls_self_signed'], {
      tlsHosts: ['media.example.org', 'localhost'],
      now: () => now,
    });
    expect(renamed.updated).toEqual(['tls_self_signed']);
    expect(selfSignedPemIsCurrent(await read('tls_self_signed'), ['media.example.org'], now)).toBe(
      true,
    );
    expect(mode(join(dir, 'tls_self_signed'))).toBe(0o600);
  });

  it('refuses a name the catalogue does not know', async () => {
    await expect(ensureSecrets(fs, dir, ['root_password'])).rejects.toThrowError(
      /Unknown secret "root_password"/,
    );
  });
});

describe('listSecrets', () => {
  it('lists names, ages and consumers, never values', async () => {
    await ensureSecrets(fs, dir, ['jwt_secret', 'metrics_token']);
    const old = new Date('2026-01-01T00:00:00Z');
    utimesSync(join(dir, 'jwt_secret'), old, old);
    await fs.mkdir(join(dir, 'by-service', 'backend'), 0o700);
    await fs.writeFile(join(dir, 'stray'), 'x', 0o600);
    const now = new Date('2026-01-02T00:00:00Z');
    const listing = await listSecrets(fs, dir, now);
    expect(listing.map((s) => s.name)).toEqual(['jwt_secret', 'metrics_token', 'stray']);
    expect(listing[0]).toMatchObject({
      name: 'jwt_secret',
      modifiedAt: old.toISOString(),
      ageSeconds: 86_400,
      consumers: ['backend'],
    });
    expect(listing[1]?.consumers).toEqual(['backend', 'prometheus']);
    expect(listing[2]).toMatchObject({ name: 'stray', consumers: [] });
    const text = JSON.stringify(listing);
    for (const name of ['jwt_secret', 'metrics_token'])
      expect(text).not.toContain(await read(name));
  });

  it('is empty before init', async () => {
    expect(await listSecrets(fs, join(home, 'nothing'))).toEqual([]);
  });
});

describe('the catalogue', () => {
  it('lists every name once, derived secrets after their source', () => {
    expect(SECRET_CATALOGUE.map((s) => s.name)).toEqual([...SECRET_NAMES]);
    SECRET_CATALOGUE.forEach((spec, index) => {
      if (spec.source.kind === 'derived') {
        const from = spec.source.from;
        expect(SECRET_CATALOGUE.findIndex((s) => s.name === from)).toBeLessThan(index);
      }
    });
  });

  it('mounts into the backend exactly the variables MediaNest reads from plain env', () => {
    expect(secretsOf('backend', []).map((n) => n.toUpperCase())).toEqual([
      'DATABASE_URL',
      'REDIS_URL',
      'JWT_SECRET',
      'JWT_SECRET_ROTATION',
      'ENCRYPTION_KEY',
      'METRICS_TOKEN',
      'PLEX_CLIENT_ID',
      'PLEX_CLIENT_SECRET',
    ]);
    expect(secretsOf('migrate', [])).toEqual(['database_url']);
    expect(secretsOf('nginx', [])).toEqual([]);
    expect(secretsOf('nginx', ['tls'])).toEqual(['tls_self_signed']);
  });
});
