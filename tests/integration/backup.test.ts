/**
 * Backup and restore on the rig (prod, stand-in images, real PostgreSQL 15 and Redis 7): records,
 * files and Redis keys seeded through the stand-in backend; backed up and verified through the
 * CLI; the data wiped (down, data folders deleted, a fresh empty stack up); restored; every row,
 * key and file SHA-256 compared. Then a restore whose stack does not come up is rolled back.
 * The manager killed mid-backup, mid-prune and mid-restore: backup-crash.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backup } from '../../server/src/contract/backup-routes.js';
import { cli, type CliResult } from './support/cli.js';
import { request } from './support/http.js';
import { removeComposeProject } from './support/project.js';
import { rigDocker, rigEnv } from './support/rig.js';
import { freeHttpPort } from './support/ports.js';

const PROJECT = `mnbk${process.pid}`;
const rig = rigEnv();
const docker = rigDocker(rig);
const home = mkdtempSync(join(tmpdir(), 'mna-backup-'));
const dataDir = join(home, 'data');
const httpPort = await freeHttpPort();
const env = { ...process.env, DOCKER_HOST: rig.dockerHost, MEDIANEST_COMPOSE_PROJECT: PROJECT };
const H = ['--home', home];
const api = (path: string): string => `http://127.0.0.1:${httpPort}/api/v1${path}`;

interface Snapshot {
  records: Array<{ id: number; title: string; body: unknown }>;
  files: Array<{ name: string; size: number; sha256: string }>;
  kv: Array<{ key: string; sha256: string }>;
}

async function run(args: string[]): Promise<CliResult> {
  return cli([...args, ...H], env);
}

async function ok(args: string[]): Promise<CliResult> {
  const result = await run(args);
  if (result.code !== 0) {
    throw new Error(`${args.join(' ')} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}

/** Everything the stand-in backend holds, with each value's SHA-256. */
async function snapshot(): Promise<Snapshot> {
  type Records = { records: Array<{ id: number; title: string; body: unknown }> };
  const records = await getJson<Records>('/records');
  const files = await getJson<{ files: Snapshot['files'] }>('/files');
  const kv = await getJson<{ items: Array<{ key: string; sha256: string }> }>('/kv');
  return {
    records: records.records.map(({ id, title, body }) => ({ id, title, body })),
    files: files.files,
    kv: kv.items.map(({ key, sha256 }) => ({ key, sha256 })),
  };
}

/** nginx rate-limits the API per client: a seeding loop waits its turn. */
async function send(
  path: string,
  method: string,
  body: Buffer | string,
  headers: Record<string, string> = {},
): Promise<number> {
  for (;;) {
    const res = await request(api(path), { method, headers, body });
    if (res.status !== 429) return res.status;
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function getJson<T>(path: string): Promise<T> {
  for (;;) {
    const res = await request(api(path));
    if (res.status === 200) return JSON.parse(res.body.toString()) as T;
    if (res.status !== 429) throw new Error(`GET ${path}: ${res.status} ${res.body.toString()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function seed(tag: string): Promise<void> {
  for (let i = 0; i < 25; i += 1) {
    const body = JSON.stringify({ title: `${tag} record ${i}`, body: { i, tag, text: 'é ü ✓' } });
    expect(await send('/records', 'POST', body, { 'content-type': 'application/json' })).toBe(201);
  }
  // Many small files and a few large ones, random bytes so a mix-up cannot pass.
  const sizes = [0, 1, 100, 4096, 65_537, 1_000_000, 3_000_000];
  for (const [i, size] of sizes.entries()) {
    expect(await send(`/files/${tag}-${i}.bin`, 'PUT', randomBytes(size))).toBe(201);
  }
  for (let i = 0; i < 30; i += 1) {
    expect(await send(`/kv/${tag}:${i}`, 'PUT', randomBytes(64).toString('hex'))).toBe(201);
  }
}

async function catalogue(): Promise<Backup[]> {
  return JSON.parse((await ok(['backups', '--json'])).stdout) as Backup[];
}

const INIT = [
  'init',
  '--images',
  rig.imagesFile,
  '--http-port',
  String(httpPort),
  '--https-port',
  String(httpPort + 1),
];

beforeAll(async () => {
  await removeComposeProject(docker, PROJECT);
  await ok(INIT);
  await ok(['up']);
}, 300_000);

afterAll(async () => {
  await cli(['down', ...H], env);
  await removeComposeProject(docker, PROJECT);
  rmSync(home, { recursive: true, force: true });
});

describe('backup, wipe, restore', () => {
  let backup: Backup;
  let before: Snapshot;

  it('backs up seeded records, files and keys into one verified archive', async () => {
    await seed('a');
    before = await snapshot();
    expect(before.records).toHaveLength(25);
    expect(before.files).toHaveLength(7);
    expect(before.kv).toHaveLength(30);
    const result = await ok(['backup', '--json']);
    backup = JSON.parse(result.stdout) as Backup;
    expect(backup).toMatchObject({ kind: 'manual', state: 'verified' });
    expect(result.stderr).toContain('Backup verified');
    // The archive is encrypted: no seeded title is readable in it.
    const file = join(home, 'backups', backup.file);
    expect(statSync(file).size).toBe(backup.size);
    const bytes = readFileSync(file);
    expect(bytes.includes('a record 0')).toBe(false);
    expect(bytes.includes(readFileSync(join(home, 'stack', 'secrets', 'encryption_key')))).toBe(
      false,
    );
    expect(readdirSync(join(home, 'backups')).filter((n) => n.startsWith('.'))).toEqual([]);
    expect((await catalogue()).map((b) => [b.id, b.state])).toEqual([[backup.id, 'verified']]);
  });

  it('verify checks it again; --restore-test restores it into scratch containers', async () => {
    const result = await ok(['verify', backup.id.slice(0, 8), '--json']);
    expect(JSON.parse(result.stdout)).toMatchObject({ id: backup.id, state: 'verified' });
    const tested = await ok(['verify', backup.id, '--restore-test', '--json']);
    expect(JSON.parse(tested.stdout)).toMatchObject({
      id: backup.id,
      state: 'verified-restorable',
    });
    expect(tested.stderr).toContain('Comparing row and key counts');
    // The scratch containers and their network are gone.
    const scratch = { label: ['org.medianest.appliance.scratch'] };
    expect(await docker.listContainers({ all: true, filters: scratch })).toEqual([]);
    expect(await docker.listNetworks({ filters: scratch })).toEqual([]);
  });

  it('restores every row, key and file after the data was wiped', async () => {
    await ok(['down']);
    for (const name of ['postgres', 'redis', 'uploads', 'downloads']) {
      rmSync(join(dataDir, name), { recursive: true, force: true });
    }
    // As after a reinstall: init (same settings, same home) recreates the folders.
    await ok(INIT);
    await ok(['up']);
    const empty = await snapshot();
    expect(empty.records).toEqual([]);
    expect(empty.files).toEqual([]);
    expect(empty.kv).toEqual([]);

    const refused = await run(['restore', backup.id]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--yes');

    const result = await ok(['restore', backup.id, '--yes', '--json']);
    expect(JSON.parse(result.stdout)).toMatchObject({ restoredFrom: backup.file });
    expect(await snapshot()).toEqual(before);
    // The safety snapshot of the wiped state is catalogued and verified.
    const rows = await catalogue();
    expect(rows.find((b) => b.kind === 'safety')).toMatchObject({ state: 'verified' });
    // Nothing of the swap is left behind.
    expect(readdirSync(dataDir).filter((n) => n.startsWith('.restore'))).toEqual([]);
  });

  it('rolls back to the state before the restore when the stack does not come up', async () => {
    // A backup whose uploads folder the backend cannot write: restored, the backend exits at start.
    const uploads = join(dataDir, 'uploads');
    chownSync(uploads, 0, 0);
    chmodSync(uploads, 0o755);
    const bad = JSON.parse((await ok(['backup', '--json'])).stdout) as Backup;
    chownSync(uploads, 1001, 1001);
    chmodSync(uploads, 0o750);
    await seed('b');
    const current = await snapshot();

    const result = await run(['restore', bad.id, '--yes']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('previous state was put back');
    expect(await snapshot()).toEqual(current);
    expect(statSync(uploads).uid).toBe(1001);
    expect(readdirSync(dataDir).filter((n) => n.startsWith('.restore'))).toEqual([]);
  }, 600_000);
});

describe('faults', () => {
  it('a full disk fails the backup clearly, removes the partial, keeps older backups', async () => {
    const mount = join(home, 'backups');
    const hidden = await catalogue();
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=12m', 'tmpfs', mount]);
    try {
      const first = JSON.parse((await ok(['backup', '--json'])).stdout) as Backup;
      await seed('c');
      const full = await run(['backup', '--json']);
      expect(full.code).toBe(1);
      expect(full.stderr).toMatch(/full|space/i);
      expect(readdirSync(mount)).toEqual([first.file]);
      const rows = await catalogue();
      expect(rows[0]).toMatchObject({ state: 'failed', error: { code: 'insufficient_space' } });
      expect((await ok(['verify', first.id, '--json'])).code).toBe(0);
      // The stack kept running.
      expect((await getJson<{ records: unknown[] }>('/records')).records.length).toBeGreaterThan(0);
    } finally {
      execFileSync('umount', [mount]);
    }
    // The backups taken before the mount were untouched underneath it.
    for (const row of hidden.filter((r) => r.state === 'verified')) {
      expect(statSync(join(mount, row.file)).size).toBe(row.size);
    }
  });
});

describe('a new machine', () => {
  it('installs from the archive and the recovery key, then restores every row, key and file', async () => {
    const source = JSON.parse((await ok(['backup', '--json'])).stdout) as Backup;
    const before = await snapshot();
    const file = join(home, 'backups', source.file);
    const key = readFileSync(join(home, 'recovery.key'), 'utf8').trim();
    // The old machine is gone: its stack is down (it held the same ports).
    await ok(['down']);
    const newHome = mkdtempSync(join(tmpdir(), 'mna-backup-new-'));
    const newEnv = { ...env, MEDIANEST_COMPOSE_PROJECT: `${PROJECT}new` };
    try {
      // The key as a user carries it to the new machine: a file (never on the command line).
      const keyFile = `${newHome}-carried.key`;
      writeFileSync(keyFile, `${key}\n`, { mode: 0o600 });
      const result = await cli(
        ['restore', file, '--recovery-key-file', keyFile, '--yes', '--home', newHome],
        newEnv,
      );
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toContain('installing one from the archive');
      expect(await snapshot()).toEqual(before);
      expect(readFileSync(join(newHome, 'stack', 'secrets', 'encryption_key'))).toEqual(
        readFileSync(join(home, 'stack', 'secrets', 'encryption_key')),
      );
      expect(readFileSync(join(newHome, 'recovery.key'), 'utf8').trim()).toBe(key);
    } finally {
      await cli(['down', '--home', newHome], newEnv);
      await removeComposeProject(docker, `${PROJECT}new`);
      rmSync(newHome, { recursive: true, force: true });
      rmSync(`${newHome}-carried.key`, { force: true });
    }
  });
});
