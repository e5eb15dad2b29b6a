/**
 * "Verified restorable": the archive's database and Redis snapshot restored into scratch
 * containers (the stack's own images, an internal network, removed afterwards), and the row and
 * key counts compared with what the backup recorded.
 */
import type { Readable } from 'node:stream';
import { AppError } from '../app-error.js';
import type { ServiceExec } from '../service-exec.js';
import type { ArchiveReader, Manifest } from './archive/format.js';
import { parseArchiveMeta } from './archive/meta.js';
import type { BackupProgress } from './backup-service.js';
import type { StreamingExec } from './ports.js';
import { RESTORE_DB, StackState } from './stack-state.js';

/** A throwaway PostgreSQL (`postgres`, running) and Redis (`redis`, started from a snapshot). */
export interface ScratchSession extends ServiceExec, StreamingExec {
  startRedis(rdb: Readable): Promise<void>;
  /** Removes every container and the network; never throws. */
  close(): Promise<void>;
}

export interface ScratchEngine {
  open(images: { postgres: string; redis: string }): Promise<ScratchSession>;
}

async function until(
  check: () => Promise<boolean>,
  what: string,
  timeoutMs = 90_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline)
      throw new AppError('restore_failed', `The scratch ${what} did not start in time.`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function drain(stream: Readable): Promise<void> {
  for await (const _chunk of stream) {
    // Entries are read in order: one not needed is read through to reach the next.
  }
}

export async function restoreTest(
  deps: {
    engine: ScratchEngine;
    reader: ArchiveReader;
    images: { postgres: string; redis: string };
  },
  archive: { path: string; key: Uint8Array; manifest: Manifest },
  progress: BackupProgress,
): Promise<void> {
  // What the counts are compared with, checked before any container starts.
  const meta = parseArchiveMeta(archive.manifest.meta);
  progress('Starting scratch PostgreSQL', 5);
  const session = await deps.engine.open(deps.images);
  try {
    const state = new StackState(session, session);
    await until(
      async () =>
        (await session.exec('postgres', ['pg_isready', '-h', '127.0.0.1', '-U', 'medianest']))
          .exitCode === 0,
      'PostgreSQL',
    );
    for await (const { entry, stream } of deps.reader.entries(archive.path, archive.key)) {
      if (!stream) continue;
      if (entry.path === 'db/medianest.dump') {
        progress('Restoring the database into scratch PostgreSQL', 20);
        await state.restoreInto(RESTORE_DB, stream);
      } else if (entry.path === 'redis/dump.rdb') {
        progress('Loading the Redis snapshot into scratch Redis', 60);
        await session.startRedis(stream);
      } else {
        await drain(stream);
      }
    }
    progress('Comparing row and key counts', 80);
    const counts = await state.rowCounts(RESTORE_DB);
    for (const [table, expected] of Object.entries(meta.rowCounts ?? {})) {
      if (counts[table] !== expected) {
        throw new AppError(
          'corrupt',
          `The test restore of ${table} has ${counts[table] ?? 'no'} rows; the backup recorded ${expected}.`,
        );
      }
    }
    let keys = -1;
    await until(async () => {
      const result = await session.exec('redis', ['redis-cli', 'DBSIZE']);
      keys = Number(result.stdout.trim());
      return result.exitCode === 0 && !/LOADING/.test(result.stdout) && Number.isFinite(keys);
    }, 'Redis');
    if (meta.redisKeys !== undefined && keys !== meta.redisKeys) {
      throw new AppError(
        'corrupt',
        `The test restore of Redis has ${keys} keys; the backup recorded ${meta.redisKeys}.`,
      );
    }
  } finally {
    progress('Removing the scratch containers', 95);
    await session.close();
  }
}
