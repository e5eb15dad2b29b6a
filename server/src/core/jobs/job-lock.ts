/**
 * One job at a time per appliance home, across processes: the server's JobRunner and the CLI's
 * mutating verbs take the same lock, so a CLI `backup` never runs beside a scheduled one and a CLI
 * `restore` never runs beside the server's `up`. The lock lives in infra/fs (a file in the home).
 */
import { AppError } from '../app-error.js';

/** Who runs a job: the server (API, scheduler) or a command-line verb. */
export type JobOwner = 'server' | 'cli';

/** What the lock says about the job holding it. */
export interface JobHolder {
  owner: JobOwner;
  /** The job's kind (`up`, `backup`, ...) or the CLI verb. */
  kind: string;
  /** The server's job id; CLI verbs have none. */
  jobId?: string;
  pid: number;
  host: string;
  /** ISO 8601. */
  startedAt: string;
  /** False when the holder runs on another machine (a home on a shared folder). */
  sameHost: boolean;
}

export interface HeldJobLock {
  /** Gives the lock up; harmless when called twice. */
  release(): void;
}

/** The port: takes the lock at once or says who holds it; never waits. */
export interface JobLock {
  /**
   * Takes the lock for one job. A lock whose holder died (crash, SIGKILL) is taken over; a live
   * holder's is never touched, and the answer names it.
   */
  acquire(job: { owner: JobOwner; kind: string; jobId?: string }): JobLockResult;
}

export type JobLockResult = { held: HeldJobLock } | { busy: JobHolder };

const KIND_NAMES: Record<string, string> = {
  up: 'an `up` of the stack',
  down: 'a `down` of the stack',
  start: 'a start of the stack',
  stop: 'a stop of the stack',
  restart: 'a restart of the stack',
  install: 'an install',
  init: 'an `init`',
  settings: 'a settings change',
  backup: 'a backup',
  prune: 'a backup prune',
  verify: 'a backup verification',
  restore: 'a restore',
  rotate: 'a secret rotation',
  recover: 'the clean-up of an interrupted backup or restore',
  'image-build': 'an image build',
  'image-load': 'an image load',
  update: 'an update of the stack',
};

/** A job's kind in words: `backup` -> "a backup". */
export function describeKind(kind: string): string {
  return KIND_NAMES[kind] ?? `a "${kind}" job`;
}

function shownTime(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC');
}

/** "Busy: the server is running a backup (job …, started …); try again when it has finished." */
export function busyMessage(holder: JobHolder): string {
  const who =
    holder.owner === 'server'
      ? 'the server'
      : `the command line (process ${holder.pid}${holder.sameHost ? '' : ` on ${holder.host}`})`;
  const where = holder.owner === 'server' && !holder.sameHost ? ` on ${holder.host}` : '';
  const facts = [
    ...(holder.jobId ? [`job ${holder.jobId}`] : []),
    `started ${shownTime(holder.startedAt)}`,
  ].join(', ');
  return `Busy: ${who}${where} is running ${describeKind(holder.kind)} (${facts}); try again when it has finished.`;
}

/** Takes the lock, or throws AppError 'busy' (HTTP 409, CLI exit 1) naming what runs. */
export function takeJobLock(
  lock: JobLock,
  job: { owner: JobOwner; kind: string; jobId?: string },
): HeldJobLock {
  const result = lock.acquire(job);
  if ('held' in result) return result.held;
  const { busy } = result;
  throw new AppError('busy', busyMessage(busy), {
    owner: busy.owner,
    kind: busy.kind,
    ...(busy.jobId ? { jobId: busy.jobId } : {}),
    startedAt: busy.startedAt,
  });
}
