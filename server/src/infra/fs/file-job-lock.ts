/**
 * The job lock as a file, `<home>/job.lock`, holding JSON about its holder. It is written whole
 * under a private name and then hard-linked to the lock's name, which fails when the name exists:
 * the lock is taken atomically and is never seen half-written. A holder that died (crash, SIGKILL)
 * leaves the file behind; the next acquirer sees that its process is gone (or that its pid now
 * belongs to another process, or the machine rebooted since) and takes the lock over.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../../core/app-error.js';
import type {
  HeldJobLock,
  JobHolder,
  JobLock,
  JobLockResult,
  JobOwner,
} from '../../core/jobs/job-lock.js';

/** What the file holds: the holder, plus what tells a live holder from a dead one. */
interface LockRecord extends Omit<JobHolder, 'sameHost'> {
  /** /proc's start time of the process (clock ticks since boot), where there is a /proc. */
  processStart?: string;
  bootId?: string;
  nonce: string;
}

export const JOB_LOCK_FILE = 'job.lock';

/** The lock file of an appliance home. */
export function jobLockPath(homeRoot: string): string {
  return join(homeRoot, JOB_LOCK_FILE);
}

const code = (error: unknown): string | undefined => (error as NodeJS.ErrnoException).code;

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (code(error) === 'ENOENT') return undefined;
    throw error;
  }
}

function parseRecord(text: string): LockRecord | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockRecord>;
    if (
      (value.owner === 'server' || value.owner === 'cli') &&
      typeof value.kind === 'string' &&
      Number.isInteger(value.pid) &&
      typeof value.host === 'string' &&
      typeof value.startedAt === 'string' &&
      typeof value.nonce === 'string'
    ) {
      return value as LockRecord;
    }
  } catch {
    // Not JSON: nobody can be holding it (see isStale).
  }
  return undefined;
}

/** Field 22 of /proc/<pid>/stat (start time) and field 3 (state), or undefined without /proc. */
function procStat(pid: number): { start: string; state: string } | undefined {
  const text = readText(`/proc/${pid}/stat`);
  if (text === undefined) return undefined;
  // The command name (field 2) may hold spaces and parentheses: count from its closing one.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const [state, start] = [fields[0], fields[19]];
  return state && start ? { state, start } : undefined;
}

function bootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return code(error) === 'EPERM';
  }
}

/** Whether nobody can be holding the lock `record` describes (undefined: unreadable content). */
function isStale(record: LockRecord | undefined, host: string): boolean {
  if (!record) return true;
  // A process on another machine cannot be checked from here: it is trusted to be alive.
  if (record.host !== host) return false;
  const boot = bootId();
  if (record.bootId && boot && record.bootId !== boot) return true;
  if (!processAlive(record.pid)) return true;
  const stat = procStat(record.pid);
  // A zombie has exited; a different start time means the pid was reused by another process.
  if (stat && (stat.state === 'Z' || stat.state === 'X')) return true;
  if (record.processStart && stat && stat.start !== record.processStart) return true;
  return false;
}

/** How often a contended acquire looks again (each look is a few syscalls; nothing sleeps). */
const ATTEMPTS = 4;

export class FileJobLock implements JobLock {
  private readonly host = hostname();

  constructor(private readonly path: string) {}

  acquire(job: { owner: JobOwner; kind: string; jobId?: string }): JobLockResult {
    const processStart = procStat(process.pid)?.start;
    const boot = bootId();
    const record: LockRecord = {
      owner: job.owner,
      kind: job.kind,
      ...(job.jobId ? { jobId: job.jobId } : {}),
      pid: process.pid,
      host: this.host,
      startedAt: new Date().toISOString(),
      ...(processStart ? { processStart } : {}),
      ...(boot ? { bootId: boot } : {}),
      nonce: randomBytes(12).toString('hex'),
    };
    const text = JSON.stringify(record);
    const draft = `${this.path}.${record.nonce}.new`;
    this.writeDraft(draft, text);
    try {
      for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
        try {
          linkSync(draft, this.path);
          return { held: this.held(text) };
        } catch (error) {
          if (code(error) !== 'EEXIST') throw this.failure(error);
        }
        const current = readText(this.path);
        if (current === undefined) continue;
        const holder = parseRecord(current);
        if (holder && !isStale(holder, this.host)) {
          return { busy: this.holderOf(holder) };
        }
        this.removeStale(current, record.nonce);
      }
    } finally {
      this.unlinkQuietly(draft);
    }
    const holder = parseRecord(readText(this.path) ?? '');
    if (holder) return { busy: this.holderOf(holder) };
    throw new AppError('busy', 'Another job is taking the job lock right now; try again.');
  }

  private holderOf(record: LockRecord): JobHolder {
    const { owner, kind, jobId, pid, host, startedAt } = record;
    return {
      owner,
      kind,
      ...(jobId ? { jobId } : {}),
      pid,
      host,
      startedAt,
      sameHost: host === this.host,
    };
  }

  private writeDraft(draft: string, text: string): void {
    try {
      const fd = openSync(draft, 'wx', 0o600);
      try {
        writeSync(fd, text);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    } catch (error) {
      this.unlinkQuietly(draft);
      throw this.failure(error);
    }
  }

  /**
   * Moves a dead holder's file aside, then checks it moved the file it judged: when a live lock
   * replaced it in between (another acquirer took it over first), that one is put back.
   */
  private removeStale(judged: string, nonce: string): void {
    const aside = `${this.path}.${nonce}.stale`;
    try {
      renameSync(this.path, aside);
    } catch (error) {
      if (code(error) === 'ENOENT') return;
      throw this.failure(error);
    }
    try {
      if (readText(aside) !== judged) linkSync(aside, this.path);
    } catch (error) {
      // EEXIST: yet another acquirer took the free name; it holds the lock now.
      if (code(error) !== 'EEXIST') throw this.failure(error);
    } finally {
      this.unlinkQuietly(aside);
    }
  }

  private held(text: string): HeldJobLock {
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      // Only our own file: never one that took over after we were (wrongly) judged dead.
      try {
        if (readText(this.path) === text) this.unlinkQuietly(this.path);
      } catch {
        // Unreadable now: left for the next acquirer, which judges it by its holder.
      }
    };
    // No exit hook (only cli.ts may listen on process): a holder that ends without releasing is
    // a dead pid, and the next acquirer takes its lock over.
    return { release };
  }

  private unlinkQuietly(path: string): void {
    try {
      unlinkSync(path);
    } catch {
      // Already gone.
    }
  }

  private failure(error: unknown): AppError {
    return new AppError(
      'internal',
      `The job lock ${this.path} cannot be written (${code(error) ?? String(error)}).`,
      undefined,
      { cause: error },
    );
  }
}
