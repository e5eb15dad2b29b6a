/**
 * The roles of a hostile archive on a real PostgreSQL (the rig's): an archive made with our own
 * writer and the right key carries a `db/roles.sql` that tries to make its roles superusers (and
 * hides the attempt in every way SQL allows) and to run other statements. The roles are read back
 * from the archive as a restore reads them and created through the real exec gateway; PostgreSQL's
 * own catalogue then says what they may do.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createArchiveReader } from '../../../server/src/core/backup/archive/reader.js';
import { createArchiveWriter } from '../../../server/src/core/backup/archive/writer.js';
import { StackState } from '../../../server/src/core/backup/stack-state.js';
import { LABEL_PROJECT, LABEL_SERVICE } from '../../../server/src/core/stack/plan.js';
import { DockerodeExecStream } from '../../../server/src/infra/docker/dockerode-exec-stream.js';
import { DockerodeServiceExec } from '../../../server/src/infra/docker/dockerode-service-exec.js';
import { TEST_LABEL, execIn, removeLabelled, waitUntil } from '../support/containers.js';
import { imageOf, rigDocker, rigEnv } from '../support/rig.js';

const PROJECT = `mna-sec-restore-${process.pid}`;
const rig = rigEnv();
const docker = rigDocker(rig);
const dir = mkdtempSync(join(tmpdir(), 'mna-sec-restore-'));
let state: StackState;

beforeAll(async () => {
  await removeLabelled(docker, PROJECT);
  const secret = join(dir, 'postgres_password');
  // The image reads its secret file after dropping to its own user.
  writeFileSync(secret, randomBytes(16).toString('hex'), { mode: 0o644 });
  // Labelled as the stack's postgres service, so the app's own exec gateway finds it.
  const postgres = await docker.createContainer({
    name: PROJECT,
    Image: imageOf(rig, 'postgres'),
    Env: [
      'POSTGRES_USER=medianest',
      'POSTGRES_DB=medianest',
      'POSTGRES_PASSWORD_FILE=/run/secrets/postgres_password',
    ],
    Labels: { [TEST_LABEL]: PROJECT, [LABEL_PROJECT]: PROJECT, [LABEL_SERVICE]: 'postgres' },
    HostConfig: {
      Binds: [`${secret}:/run/secrets/postgres_password:ro`],
      NetworkMode: 'none',
      SecurityOpt: ['no-new-privileges'],
    },
  });
  await postgres.start();
  await waitUntil('postgres to accept connections', async () => {
    const r = await execIn(postgres, ['pg_isready', '-U', 'medianest', '-d', 'medianest']);
    return r.exitCode === 0 ? true : undefined;
  });
  state = new StackState(
    new DockerodeServiceExec(rig.dockerHost, PROJECT),
    new DockerodeExecStream(rig.dockerHost, PROJECT),
  );
}, 120_000);

afterAll(async () => {
  await removeLabelled(docker, PROJECT);
  rmSync(dir, { recursive: true, force: true });
});

const hostileRoles = [
  'CREATE ROLE intruder;',
  "ALTER ROLE intruder WITH SUPERUSER LOGIN PASSWORD 'pw';",
  'create role "Sneaky" /* a comment */ with',
  '  createrole replication -- split over lines',
  '  bypassrls login;',
  'CREATE ROLE direct SUPERUSER; CREATE DATABASE pwned;',
  "CREATE ROLE quiet NOLOGIN; ALTER ROLE quiet WITH Superuser; COPY (SELECT 1) TO PROGRAM 'touch /tmp/pwned';",
].join('\n');

/** The roles file of an archive, read back as the restore reads it (every tag and checksum). */
async function rolesOf(archive: string, key: Uint8Array): Promise<string> {
  for await (const { entry, stream } of createArchiveReader().entries(archive, key)) {
    if (entry.path !== 'db/roles.sql' || !stream) continue;
    let text = '';
    for await (const chunk of stream) text += (chunk as Buffer).toString('utf8');
    return text;
  }
  throw new Error('the archive holds no roles');
}

describe('a restore of roles from a hostile archive, on a real PostgreSQL', () => {
  it('creates the roles without SUPERUSER, CREATEROLE, REPLICATION or BYPASSRLS, and runs nothing else', async () => {
    const archive = join(dir, 'hostile.mnbackup');
    const key = new Uint8Array(randomBytes(32));
    await createArchiveWriter().write(
      archive,
      [
        {
          kind: 'file',
          path: 'db/roles.sql',
          open: () => Promise.resolve(Buffer.from(hostileRoles)),
        },
      ],
      {},
      key,
    );
    const created = await state.createMissingRoles(await rolesOf(archive, key));
    const roles = await state.psql(
      `SELECT rolname, rolsuper, rolcreaterole, rolreplication, rolbypassrls, rolcanlogin
       FROM pg_roles WHERE rolname IN ('intruder', 'Sneaky', 'direct', 'quiet') ORDER BY 1`,
      'postgres',
    );
    expect(roles.split('\n')).toEqual([
      'Sneaky|f|f|f|f|t',
      'direct|f|f|f|f|f',
      'intruder|f|f|f|f|t',
      'quiet|f|f|f|f|f',
    ]);
    expect(created.sort()).toEqual(['Sneaky', 'direct', 'intruder', 'quiet']);
    expect(await state.databases()).not.toContain('pwned');
    // The stack's own superuser keeps what it had: an existing role is never altered.
    expect(await state.psql("SELECT rolsuper FROM pg_roles WHERE rolname = 'medianest'")).toBe('t');
  }, 120_000);
});
