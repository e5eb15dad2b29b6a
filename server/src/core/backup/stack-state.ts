/**
 * Reading and writing the stack's own state through exec: PostgreSQL (pg_dump, pg_restore, row
 * counts, version) and Redis (BGSAVE, INFO). Every command runs inside the service's container
 * as its own user; the Redis password is read there from its secret file, never passed in argv.
 */
import { PassThrough, Readable } from 'node:stream';
import { AppError } from '../app-error.js';
import type { ServiceExec } from '../service-exec.js';
import type { ExecStream, StreamingExec } from './ports.js';
import { roleStatements } from './role-statements.js';

export const DB_NAME = 'medianest';
export const DB_USER = 'medianest';
/** The staging database a restore fills before it is swapped in. */
export const RESTORE_DB = 'medianest_restore';
/** The live database while a restore is being swapped in, until commit (or rollback). */
export const PREVIOUS_DB = 'medianest_before_restore';

/** `sh -c` script running redis-cli with the password from the secret file, via its env only. */
const REDIS_CLI =
  'REDISCLI_AUTH="$(cat /run/secrets/redis_password)" exec redis-cli --no-auth-warning "$@"';

export function failure(
  code: 'backup_failed' | 'restore_failed',
  what: string,
  detail: string,
): AppError {
  const reason = detail.trim().split('\n').slice(-3).join(' ').slice(0, 500);
  return new AppError(code, `${what} failed${reason ? `: ${reason}` : ''}`);
}

/**
 * stdout of a command as one stream that errors, instead of ending, when the command exits
 * non-zero: a dump cut short must never be archived as if complete.
 */
export function checkedStdout(stream: ExecStream, what: string): Readable {
  const out = new PassThrough();
  stream.stdout.pipe(out, { end: false });
  stream.stdout.on('end', () => {
    stream.done.then(
      ({ exitCode, stderr }) => {
        if (exitCode === 0) out.end();
        else out.destroy(failure('backup_failed', what, stderr || `exit code ${exitCode}`));
      },
      (error: unknown) => out.destroy(error as Error),
    );
  });
  stream.stdout.on('error', (error) => out.destroy(error));
  out.on('close', () => {
    if (!out.writableFinished) stream.abort();
  });
  return out;
}

export class StackState {
  constructor(
    private readonly exec: ServiceExec,
    private readonly streams: StreamingExec,
  ) {}

  async psql(sql: string, database = DB_NAME): Promise<string> {
    const result = await this.exec.exec(
      'postgres',
      ['psql', '-U', DB_USER, '-d', database, '-v', 'ON_ERROR_STOP=1', '-At', '-c', sql],
      { timeoutMs: 120_000 },
    );
    if (result.exitCode !== 0) throw failure('backup_failed', 'psql', result.stderr);
    return result.stdout.trim();
  }

  /** Fails fast, with the reason, when PostgreSQL does not answer. */
  async postgresReady(code: 'backup_failed' | 'restore_failed'): Promise<void> {
    let detail: string;
    try {
      const result = await this.exec.exec(
        'postgres',
        ['pg_isready', '-U', DB_USER, '-d', DB_NAME],
        {
          timeoutMs: 10_000,
        },
      );
      if (result.exitCode === 0) return;
      detail = result.stdout || result.stderr;
    } catch (error) {
      detail = (error as Error).message;
    }
    throw new AppError(code, `PostgreSQL is not reachable: ${detail.trim()}`);
  }

  async postgresMajor(): Promise<number> {
    return Math.floor(Number(await this.psql('SHOW server_version_num')) / 10_000);
  }

  /** Exact row counts of every user table (`public.rig_records` -> 12). */
  async rowCounts(database = DB_NAME): Promise<Record<string, number>> {
    const tables = (
      await this.psql(
        `SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) FROM information_schema.tables
         WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
         ORDER BY 1`,
        database,
      )
    )
      .split('\n')
      .filter(Boolean);
    if (tables.length === 0) return {};
    const sql = tables
      .map((t) => `SELECT '${t.replace(/'/g, "''")}', count(*) FROM ${t}`)
      .join(' UNION ALL ');
    const counts: Record<string, number> = {};
    for (const line of (await this.psql(sql, database)).split('\n').filter(Boolean)) {
      const at = line.lastIndexOf('|');
      counts[line.slice(0, at)] = Number(line.slice(at + 1));
    }
    return counts;
  }

  /** `pg_dump -Fc` of the MediaNest database, streamed out of the container. */
  dump(): Promise<Readable> {
    return this.output('postgres', ['pg_dump', '-U', DB_USER, '-d', DB_NAME, '-Fc'], 'pg_dump');
  }

  /** The cluster's roles; a restore creates the ones its target lacks (`createMissingRoles`). */
  roles(): Promise<Readable> {
    const command = ['pg_dumpall', '-U', DB_USER, '--roles-only'];
    return this.output('postgres', command, 'pg_dumpall --roles-only');
  }

  /**
   * Creates the roles of a backup's `roles.sql` that this cluster lacks (a new machine restoring a
   * database whose privileges name them). Roles that exist, `medianest` first of all, keep their
   * current attributes and password. Each statement is rebuilt from the file's parsed parts, never
   * with SUPERUSER, CREATEROLE, REPLICATION or BYPASSRLS (role-statements.ts). The statements go
   * in on stdin, never on a command line.
   */
  async createMissingRoles(sql: string): Promise<string[]> {
    const wanted = roleStatements(sql);
    if (wanted.size === 0) return [];
    const existing = new Set(
      (await this.psql('SELECT rolname FROM pg_roles', 'postgres')).split('\n'),
    );
    const missing = [...wanted].filter(([name]) => !existing.has(name));
    if (missing.length === 0) return [];
    const script = `${missing.map(([, statement]) => statement).join('\n')}\n`;
    const run = await this.streams.run(
      'postgres',
      ['psql', '-U', DB_USER, '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-q', '-f', '-'],
      Readable.from([script]),
    );
    run.stdout.resume();
    const { exitCode, stderr } = await run.done;
    if (exitCode !== 0) throw failure('restore_failed', 'Creating the database roles', stderr);
    return missing.map(([name]) => name);
  }

  /** `pg_restore -l` of a dump: its table of contents, read from the stream. */
  async dumpContents(dump: Readable): Promise<string> {
    const stream = await this.streams.run('postgres', ['pg_restore', '-l'], dump);
    const chunks: Buffer[] = [];
    for await (const chunk of stream.stdout) chunks.push(chunk as Buffer);
    const { exitCode, stderr } = await stream.done;
    if (exitCode !== 0)
      throw new AppError('corrupt', `The database dump is unreadable: ${stderr.trim()}`);
    return Buffer.concat(chunks).toString('utf8');
  }

  /** Restores a dump into `database` (created empty first). */
  async restoreInto(database: string, dump: Readable): Promise<void> {
    await this.psql(`DROP DATABASE IF EXISTS ${database}`, 'postgres');
    await this.psql(`CREATE DATABASE ${database} OWNER ${DB_USER}`, 'postgres');
    const stream = await this.streams.run(
      'postgres',
      ['pg_restore', '-U', DB_USER, '-d', database, '--no-owner', '--exit-on-error'],
      dump,
    );
    stream.stdout.resume();
    const { exitCode, stderr } = await stream.done;
    if (exitCode !== 0) throw failure('restore_failed', 'pg_restore', stderr);
  }

  async databases(): Promise<string[]> {
    return (await this.psql('SELECT datname FROM pg_database', 'postgres')).split('\n');
  }

  /** Renames a database, closing the connections to it first. */
  async renameDatabase(from: string, to: string): Promise<void> {
    await this.psql(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${from}' AND pid <> pg_backend_pid()`,
      'postgres',
    );
    await this.psql(`ALTER DATABASE ${from} RENAME TO ${to}`, 'postgres');
  }

  async dropDatabase(name: string): Promise<void> {
    await this.psql(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}' AND pid <> pg_backend_pid()`,
      'postgres',
    );
    await this.psql(`DROP DATABASE IF EXISTS ${name}`, 'postgres');
  }

  async redis(...args: string[]): Promise<string> {
    const result = await this.exec.exec('redis', ['sh', '-c', REDIS_CLI, 'sh', ...args], {
      timeoutMs: 30_000,
    });
    if (result.exitCode !== 0)
      throw failure('backup_failed', `redis ${args[0] ?? ''}`, result.stderr);
    return result.stdout.trim();
  }

  /**
   * BGSAVE, then waits until LASTSAVE moves and no save is in progress; returns the RDB's path.
   * LASTSAVE counts whole seconds, so our save starts in a later second than the last one (else a
   * quick save in the same second would leave it unchanged and the wait would never end); a save
   * already running (e.g. started by a backup that was killed) is let finish, then ours is taken.
   */
  async redisSnapshot(
    timeoutMs = 300_000,
  ): Promise<{ path: string; appendOnly: boolean; keys: number }> {
    const deadline = Date.now() + timeoutMs;
    const tick = async (): Promise<void> => {
      if (Date.now() > deadline)
        throw new AppError('backup_failed', 'Redis did not finish its snapshot in time.');
      await new Promise((r) => setTimeout(r, 200));
    };
    let before: string;
    for (;;) {
      before = await this.redis('LASTSAVE');
      while (Number((await this.redis('TIME')).split('\n')[0]) <= Number(before)) await tick();
      const started = await this.redis('BGSAVE');
      if (/started|scheduled/i.test(started)) break;
      if (!/in progress/i.test(started)) throw failure('backup_failed', 'Redis BGSAVE', started);
      await tick();
    }
    for (;;) {
      const info = await this.redis('INFO', 'persistence');
      const inProgress = /rdb_bgsave_in_progress:1/.test(info);
      if (!inProgress && (await this.redis('LASTSAVE')) !== before) {
        if (/rdb_last_bgsave_status:err/.test(info)) {
          throw new AppError(
            'backup_failed',
            'Redis could not write its snapshot (BGSAVE failed).',
          );
        }
        break;
      }
      await tick();
    }
    const [, dir = '/data'] = (await this.redis('CONFIG', 'GET', 'dir')).split('\n');
    const [, file = 'dump.rdb'] = (await this.redis('CONFIG', 'GET', 'dbfilename')).split('\n');
    const [, aof = 'no'] = (await this.redis('CONFIG', 'GET', 'appendonly')).split('\n');
    const keyspace = await this.redis('INFO', 'keyspace');
    const keys = [...keyspace.matchAll(/keys=(\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
    return { path: `${dir.trim()}/${file.trim()}`, appendOnly: aof.trim() === 'yes', keys };
  }

  /** The snapshot file's bytes, streamed out of the Redis container. */
  redisFile(path: string): Promise<Readable> {
    return this.output('redis', ['cat', path], 'reading the Redis snapshot');
  }

  /** What `command` writes in `service`'s container, as a stream that fails if the command does. */
  private async output(service: string, command: string[], what: string): Promise<Readable> {
    return checkedStdout(await this.streams.run(service, command), what);
  }
}
