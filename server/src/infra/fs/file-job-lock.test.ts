import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobHolder, JobLockResult } from '../../core/jobs/job-lock.js';
import { FileJobLock, jobLockPath } from './file-job-lock.js';
import { writeLockHolder } from './job-lock.test-support.js';

let home: string;
let path: string;
const children: ChildProcess[] = [];

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'mna-lock-'));
  path = jobLockPath(home);
});
afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await gone;
    }
  }
  rmSync(home, { recursive: true, force: true });
});

/** A real process that stays alive until killed. */
async function liveProcess(): Promise<ChildProcess & { pid: number }> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  children.push(child);
  await new Promise((resolve) => child.once('spawn', resolve));
  return child as ChildProcess & { pid: number };
}

/** The pid of a process that has exited (and was reaped). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid ?? -1;
}

function startTimeOf(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
}

const writeHolder = (fields: Record<string, unknown>): string => writeLockHolder(home, fields);

function busyOf(result: JobLockResult): JobHolder {
  if (!('busy' in result)) throw new Error('expected the lock to be busy');
  return result.busy;
}

const lock = (): FileJobLock => new FileJobLock(path);

describe('the job lock file', () => {
  it('is taken with its holder written down, refused to a second taker, and freed on release', () => {
    const first = lock().acquire({ owner: 'server', kind: 'backup', jobId: 'job-1' });
    expect('held' in first).toBe(true);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({
      owner: 'server',
      kind: 'backup',
      jobId: 'job-1',
      pid: process.pid,
      host: hostname(),
    });
    expect(busyOf(lock().acquire({ owner: 'cli', kind: 'restore' }))).toMatchObject({
      owner: 'server',
      kind: 'backup',
      jobId: 'job-1',
      pid: process.pid,
      sameHost: true,
    });
    if ('held' in first) {
      first.held.release();
      first.held.release();
    }
    expect(existsSync(path)).toBe(false);
    const again = lock().acquire({ owner: 'cli', kind: 'restore' });
    expect('held' in again).toBe(true);
    // Nothing but the lock itself is left in the home (no drafts, no moved-aside files).
    expect(readdirSync(home)).toEqual(['job.lock']);
  });

  it('is taken over when its holder was killed (SIGKILL leaves the file behind)', async () => {
    const holder = await liveProcess();
    writeHolder({ pid: holder.pid, processStart: startTimeOf(holder.pid) });
    expect(busyOf(lock().acquire({ owner: 'server', kind: 'up' })).pid).toBe(holder.pid);

    const gone = new Promise((resolve) => holder.once('exit', resolve));
    holder.kill('SIGKILL');
    await gone;
    const taken = lock().acquire({ owner: 'server', kind: 'up' });
    expect('held' in taken).toBe(true);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ pid: process.pid, kind: 'up' });
    expect(readdirSync(home)).toEqual(['job.lock']);
  });

  it('is taken over when its pid no longer exists', async () => {
    writeHolder({ pid: await deadPid() });
    expect('held' in lock().acquire({ owner: 'cli', kind: 'down' })).toBe(true);
  });

  it('is taken over when its pid now belongs to another process (start time differs)', async () => {
    const other = await liveProcess();
    const real = startTimeOf(other.pid);
    writeHolder({ pid: other.pid, processStart: String(Number(real) - 1) });
    expect('held' in lock().acquire({ owner: 'cli', kind: 'down' })).toBe(true);
  });

  it('is taken over when the machine rebooted since it was taken (boot id differs)', async () => {
    const other = await liveProcess();
    writeHolder({
      pid: other.pid,
      processStart: startTimeOf(other.pid),
      bootId: '00000000-0000-0000-0000-000000000000',
    });
    expect('held' in lock().acquire({ owner: 'cli', kind: 'down' })).toBe(true);
  });

  it('is taken over even when an earlier taker was killed half-way through taking it over', async () => {
    const dead = writeHolder({ pid: await deadPid() });
    // The guard a killed taker left: named after the dead lock, generation 0.
    const hash = createHash('sha256').update(dead).digest('hex').slice(0, 16);
    writeFileSync(
      `${path}.takeover-${hash}.0`,
      JSON.stringify({ ...JSON.parse(dead), pid: await deadPid(), nonce: 'killed-taker' }),
    );
    expect('held' in lock().acquire({ owner: 'server', kind: 'backup' })).toBe(true);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ pid: process.pid });
    expect(readdirSync(home)).toEqual(['job.lock']);
  });

  it('is taken over when it holds no readable holder', () => {
    writeFileSync(path, '{"half');
    expect('held' in lock().acquire({ owner: 'cli', kind: 'init' })).toBe(true);
  });

  it("is never taken over from another machine's process, which the answer names", async () => {
    writeHolder({ pid: await deadPid(), host: 'nas-elsewhere' });
    expect(busyOf(lock().acquire({ owner: 'server', kind: 'up' }))).toMatchObject({
      host: 'nas-elsewhere',
      sameHost: false,
    });
  });

  it('release leaves alone a lock that is no longer its own', () => {
    const taken = lock().acquire({ owner: 'cli', kind: 'backup' });
    const other = writeHolder({ pid: process.pid, nonce: 'someone-else' });
    if ('held' in taken) taken.held.release();
    expect(readFileSync(path, 'utf8')).toBe(other);
  });
});

/** Processes that each take the lock when told (one line on stdin) and report what they got. */
function contenders(count: number) {
  const moduleUrl = new URL('./file-job-lock.ts', import.meta.url).href;
  const script = `
    const { FileJobLock } = await import(${JSON.stringify(moduleUrl)});
    const lock = new FileJobLock(${JSON.stringify(path)});
    let held;
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (line) => {
      if (line.startsWith('acquire')) {
        const result = lock.acquire({ owner: 'cli', kind: 'up' });
        if ('held' in result) held = result.held;
        process.stdout.write(('held' in result ? 'held' : 'busy ' + result.busy.pid) + '\\n');
      } else if (held) {
        held.release();
        held = undefined;
      }
    });
    process.stdout.write('ready\\n');`;
  return Array.from({ length: count }, () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      {
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    children.push(child);
    const lines: string[] = [];
    let waiting: (() => void) | undefined;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      lines.push(...chunk.split('\n').filter(Boolean));
      waiting?.();
    });
    const next = async (): Promise<string> => {
      while (lines.length === 0) await new Promise<void>((resolve) => (waiting = resolve));
      return lines.shift() ?? '';
    };
    return { child, next, send: (line: string) => child.stdin.write(`${line}\n`) };
  });
}

describe('the job lock under contention', () => {
  it('goes to exactly one of several processes taking over a dead holder at once', async () => {
    const racers = contenders(5);
    for (const racer of racers) expect(await racer.next()).toBe('ready');
    for (let round = 0; round < 12; round += 1) {
      writeHolder({ pid: await deadPid(), nonce: `dead-${round}` });
      for (const racer of racers) racer.send('acquire');
      const answers = await Promise.all(racers.map((r) => r.next()));
      const winners = racers.filter((_, i) => answers[i] === 'held');
      expect(winners, answers.join(', ')).toHaveLength(1);
      const winner = winners[0]?.child.pid;
      expect(answers.filter((a) => a !== 'held')).toEqual(
        Array.from({ length: racers.length - 1 }, () => `busy ${winner}`),
      );
      expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ pid: winner });
      for (const racer of racers) racer.send('release');
      await expect.poll(() => existsSync(path)).toBe(false);
    }
    expect(readdirSync(home)).toEqual([]);
  }, 30_000);
});
