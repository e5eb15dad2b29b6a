import type { CliIo } from './io.js';
import { runCli } from './run.js';

/** A Docker socket where no engine answers: a command that asks one fails on it. */
export const NO_ENGINE = { DOCKER_HOST: 'unix:///nonexistent.sock' };

/** What a command wrote: each stream joined with newlines, and both in the order written. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  output: string;
}

/** An io that keeps what is written for `written()`; no terminal, and no signal ever ends it. */
export function capturingIo(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const both: string[] = [];
  const io: CliIo = {
    stdout: (text) => {
      out.push(text);
      both.push(text);
    },
    stderr: (text) => {
      err.push(text);
      both.push(text);
    },
    env,
    untilShutdown: () => Promise.resolve(),
  };
  const written = () => ({
    stdout: out.join('\n'),
    stderr: err.join('\n'),
    output: both.join('\n'),
  });
  return { io, written };
}

/** Runs the CLI as the shell would, with this environment, keeping what it wrote. */
export async function runCaptured(
  argv: string[],
  env: Record<string, string> = {},
): Promise<CliRun> {
  const { io, written } = capturingIo(env);
  const code = await runCli(argv, io);
  return { code, ...written() };
}
