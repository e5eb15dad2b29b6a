/**
 * The real RestoreService over a temp folder, with fakes only at its gateways: PostgreSQL and
 * Redis answer through a fake exec (psql/pg_restore succeed and read what they are given), the
 * stack starts and stops at once, and the safety snapshot is a catalogue row. Archives are made
 * with our own writer and the right key, meta as the test gives it: what an attacker holding a
 * recovery key can make.
 */
import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { Backup } from '../../contract/backup-routes.js';
import type { ServiceExec } from '../service-exec.js';
import type { EntrySource } from './archive/format.js';
import { createArchiveReader } from './archive/reader.js';
import { createArchiveWriter } from './archive/writer.js';
import type { BackupService } from './backup-service.js';
import type { RestoreJournalEntry, StreamingExec } from './ports.js';
import { RestoreService } from './restore-service.js';
import { StackState } from './stack-state.js';

const ok = (stdout = ''): { exitCode: number; stdout: string; stderr: string } => ({
  exitCode: 0,
  stdout,
  stderr: '',
});

/** What the fake PostgreSQL was asked: every psql script and every statement fed on stdin. */
export interface PostgresLog {
  sql: string[];
  stdin: string[];
}

export function fakeState(log: PostgresLog = { sql: [], stdin: [] }): StackState {
  const exec = {
    runningServices: () => Promise.resolve([]),
    exec: (_service: string, command: readonly string[]) => {
      if (command[0] === 'pg_isready') return Promise.resolve(ok());
      const sql = command.at(-1) ?? '';
      log.sql.push(sql);
      if (sql.includes('server_version_num')) return Promise.resolve(ok('160004'));
      if (sql.includes('pg_roles')) return Promise.resolve(ok('medianest'));
      if (sql.includes('FROM pg_database')) return Promise.resolve(ok('medianest'));
      return Promise.resolve(ok());
    },
  } satisfies ServiceExec;
  const streams: StreamingExec = {
    run: (_service, _command, stdin) =>
      Promise.resolve({
        stdout: Readable.from([]),
        done: (async () => {
          const chunks: Buffer[] = [];
          for await (const chunk of stdin ?? []) chunks.push(Buffer.from(chunk as Buffer | string));
          log.stdin.push(Buffer.concat(chunks).toString('utf8'));
          return { exitCode: 0, stderr: '' };
        })(),
        abort: () => undefined,
      }),
  };
  return new StackState(exec, streams);
}

const file = (path: string, text: string, mode = 0o600): EntrySource => ({
  kind: 'file',
  path,
  mode,
  open: () => Promise.resolve(Buffer.from(text)),
});

/** An archive as a backup writes it: roles, dump, Redis snapshot, one upload. */
export async function writeArchive(
  target: string,
  key: Uint8Array,
  meta: Record<string, unknown>,
  roles = 'CREATE ROLE medianest;\n',
): Promise<void> {
  await createArchiveWriter().write(
    target,
    [
      file('db/roles.sql', roles),
      file('db/medianest.dump', 'PGDMP fake dump'),
      file('redis/dump.rdb', 'REDIS0011'),
      { kind: 'dir', path: 'files/uploads', mode: 0o750 },
      file('files/uploads/restored.txt', 'from the archive', 0o640),
    ],
    meta,
    key,
  );
}

export function restoreService(
  dataDir: string,
  options: { freeBytes?: number; log?: PostgresLog } = {},
): RestoreService {
  let journal: RestoreJournalEntry | undefined;
  const safety: Backup = {
    id: 'safety',
    file: 'safety.mnbackup',
    kind: 'safety',
    state: 'verified',
    size: 1,
    createdAt: new Date(0).toISOString(),
  };
  const backups = {
    create: () => Promise.resolve(safety),
    remove: () => Promise.resolve(),
    find: () => safety,
  } as unknown as BackupService;
  const state = fakeState(options.log);
  return new RestoreService({
    backups,
    reader: createArchiveReader(),
    state: () => state,
    stack: () => ({ stop: () => Promise.resolve(), start: () => Promise.resolve() }),
    journal: {
      read: () => journal,
      write: (entry) => void (journal = entry),
      clear: () => void (journal = undefined),
    },
    localKey: () => Promise.reject(new Error('restores here name their file and key')),
    dataDir: () => Promise.resolve(dataDir),
    now: () => new Date(0),
    freeBytes: () => Promise.resolve(options.freeBytes ?? 1024 ** 4),
  });
}

/** Every path under `root` with its type, mode, owner and content (or link target). */
export async function snapshotTree(root: string): Promise<string[]> {
  const lines: string[] = [];
  const visit = async (path: string): Promise<void> => {
    const st = await lstat(path);
    const what = st.isSymbolicLink()
      ? `-> ${await readlink(path)}`
      : st.isFile()
        ? JSON.stringify(await readFile(path, 'utf8'))
        : 'dir';
    lines.push(`${path} ${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid} ${what}`);
    if (st.isDirectory()) {
      for (const name of (await readdir(path)).sort()) await visit(join(path, name));
    }
  };
  await visit(root);
  return lines;
}
