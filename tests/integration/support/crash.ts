/**
 * Crash tests' tools: the CLI spawned as its own process and SIGKILLed at a chosen point of its
 * progress on stderr; the CLI run in-process with a deadline; a seeded PRNG, so a failing run can be
 * replayed with the seed it printed. Nothing here waits without a deadline: a hang becomes a test
 * failure that says what the command printed so far.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { runCli } from '../../../server/src/cli/run.js';
import { capturingIo, type CliResult } from './cli.js';

const CLI_ENTRY = join(process.cwd(), 'server', 'src', 'cli.ts');

/** mulberry32 from `seed`: the same sequence for the same seed on every machine. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** CRASH_SEED from the environment, else a fresh one; printed so a failure can be replayed. */
export function crashSeed(name: string): number {
  const given = process.env.CRASH_SEED;
  const seed = given ? Number(given) : Math.floor(Math.random() * 2 ** 31);
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`CRASH_SEED must be a whole number`);
  console.log(`${name} seed: ${seed} (rerun with CRASH_SEED=${seed})`);
  return seed;
}

/** Where to kill: `delayMs` after the `occurrence`-th stderr line containing `step`. */
export interface KillPoint {
  step: string;
  occurrence?: number;
  delayMs?: number;
}

export interface KillOutcome {
  /** False when the command had exited on its own before the kill (the point fell after its end). */
  killed: boolean;
  /** Its exit code when it exited on its own. */
  code: number | null;
  /** Everything it printed on stderr, until it was gone. */
  stderr: string;
  /** The last progress line printed before the kill was sent. */
  lastLine: string;
  /** From its first line on stderr to the moment the step was seen. */
  reachedMs: number;
}

const countLines = (text: string, step: string): number =>
  text.split('\n').filter((line) => line.includes(step)).length;

/**
 * Runs the CLI as a process and SIGKILLs it at `point`. Rejects (after killing it) when the step
 * is not seen within `timeoutMs`, or when it exits before the step, with what it printed.
 */
export function killAt(
  args: string[],
  env: Record<string, string | undefined>,
  point: KillPoint,
  timeoutMs: number,
): Promise<KillOutcome> {
  const { step, occurrence = 1, delayMs = 0 } = point;
  const child = spawn(process.execPath, ['--import', 'tsx', CLI_ENTRY, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let seen = '';
  let reachedMs = -1;
  let firstLine = 0;
  let lastLine = '';
  let sent = false;
  child.stdout.resume();
  return new Promise<KillOutcome>((resolve, reject) => {
    const deadline = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `no "${step}" (x${occurrence}) within ${timeoutMs} ms of \`${args.join(' ')}\`; stderr so far:\n${seen}`,
        ),
      );
    }, timeoutMs);
    const kill = (): void => {
      if (sent || child.exitCode !== null || child.signalCode !== null) return;
      sent = true;
      lastLine = seen.trimEnd().split('\n').pop() ?? '';
      child.kill('SIGKILL');
    };
    child.stderr.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      firstLine ||= Date.now();
      if (reachedMs < 0 && countLines(seen, step) >= occurrence) {
        reachedMs = Date.now() - firstLine;
        if (delayMs > 0) setTimeout(kill, delayMs);
        else kill();
      }
    });
    // 'close': the process is gone and its last output has been read.
    child.on('close', (code) => {
      clearTimeout(deadline);
      if (reachedMs < 0) {
        reject(new Error(`\`${args.join(' ')}\` exited ${code} before "${step}":\n${seen}`));
        return;
      }
      resolve({
        killed: sent,
        code: sent ? null : code,
        stderr: seen,
        lastLine: sent ? lastLine : (seen.trimEnd().split('\n').pop() ?? ''),
        reachedMs,
      });
    });
  });
}

/**
 * The CLI in-process (as support/cli.ts's `cli`), failing with what it printed so far when it has
 * not finished within `timeoutMs` instead of waiting for ever.
 */
export async function cliWithin(
  args: string[],
  env: Record<string, string | undefined>,
  timeoutMs: number,
): Promise<CliResult> {
  const { io, out, err } = capturingIo(env);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(
            `\`${args.join(' ')}\` did not finish within ${timeoutMs} ms; stderr so far:\n${err.join('\n')}`,
          ),
        ),
      timeoutMs,
    );
  });
  try {
    const code = await Promise.race([runCli(args, io), late]);
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  } finally {
    clearTimeout(timer);
  }
}
