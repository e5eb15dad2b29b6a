/**
 * The job lock as a file, `<home>/job.lock`, holding JSON about its holder. It is written whole
 * under a private name and then hard-linked to the lock's name, which fails when the name exists:
 * the lock is taken atomically and is never seen half-written. A holder that died (crash, SIGKILL)
 * leaves the file behind; the next acquirer sees that its process is gone (or that its pid now
 * belongs to another process, or the machine rebooted since) and takes the lock over.
 *
 * Taking over is the delicate part: several processes may judge the same dead lock at once, and
 * removing it by name could remove a live lock one of them has just put in its place. So only the
 * process holding a guard for that one dead lock replaces it, and it replaces it in one rename
 * (never a moment without a lock). Guards are named after the dead lock's content and a
 * generation, so a name is never reused for a live guard: a taker killed while holding guard n
 * leaves it behind, and the next one uses guard n + 1.
 */
import { createHash, randomBytes } from 'node:crypto';
import { linkSync, readFileSync, renameSync, unlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../../core/app-error.js';
import { writeFlushed } from './private-file.js';
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
/** Guards per dead lock: each one left behind means a taker was killed in a few syscalls' time. */
const GUARDS = 8;

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
        const outcome = this.takeOver(current, draft);
        if (outcome === 'held') return { held: this.held(text) };
        if (outcome !== 'again') return { busy: outcome };
      }
    } catch (error) {
      throw error instanceof AppError ? error : this.failure(error);
    } finally {
      this.unlinkQuietly(draft);
    }
    // Still contended after every attempt (many takers at once): whoever holds it now, if alive.
    const holder = parseRecord(readText(this.path) ?? '');
    if (holder && !isStale(holder, this.host)) return { busy: this.holderOf(holder) };
    throw new AppError(
      'busy',
      `Another job is taking the job lock ${this.path} right now; try again.`,
    );
  }

  /**
   * Who holds the lock now, without taking it (a dead holder's lock counts as free); for work
   * that only waits for jobs, such as the scheduled update check.
   */
  holder(): JobHolder | undefined {
    const holder = parseRecord(readText(this.path) ?? '');
    return holder && !isStale(holder, this.host) ? this.holderOf(holder) : undefined;
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
      writeFlushed(draft, text, 'wx');
    } catch (error) {
      this.unlinkQuietly(draft);
      throw this.failure(error);
    }
  }

  /**
   * Replaces the dead holder's lock `judged` with our draft, holding the guard for that lock.
   * 'again' when the lock changed meanwhile (someone else took it over first).
   */
  private takeOver(judged: string, draft: string): 'held' | 'again' | JobHolder {
    const base = `${this.path}.takeover-${createHash('sha256').update(judged).digest('hex').slice(0, 16)}`;
    for (let generation = 0; generation < GUARDS; generation += 1) {
      const guard = `${base}.${generation}`;
      try {
        linkSync(draft, guard);
      } catch (error) {
        if (code(error) !== 'EEXIST') throw this.failure(error);
        // Someone is taking this lock over: it holds the lock in a moment, unless it died. Read in
        // this order, a guard seen before `judged` is seen still in place is a real taker's (a
        // late one's guard, made after `judged` was replaced, leads to 'again').
        const taker = parseRecord(readText(guard) ?? '');
        if (readText(this.path) !== judged) return 'again';
        if (taker && !isStale(taker, this.host)) return this.holderOf(taker);
        continue;
      }
      try {
        // Only a guard holder replaces `judged`, so it is still there unless replaced already.
        if (readText(this.path) !== judged) return 'again';
        renameSync(draft, this.path);
        for (let older = 0; older < generation; older += 1) this.unlinkQuietly(`${base}.${older}`);
        return 'held';
      } finally {
        this.unlinkQuietly(guard);
      }
    }
    return 'again';
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
