/**
 * Runs `medianest-appliance` in-process, exactly as the command line would (same parser, same
 * exit codes), capturing its output. Faster than spawning, and the stack tests call it often.
 */
import type { CliIo } from '../../../server/src/cli/io.js';
import { runCli } from '../../../server/src/cli/run.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** An in-process CLI's io, its stdout and stderr lines kept (readable while it runs). */
export function capturingIo(env: Record<string, string | undefined>): {
  io: CliIo;
  out: string[];
  err: string[];
} {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env,
    untilShutdown: () => Promise.resolve(),
  };
  return { io, out, err };
}

export async function cli(
  args: string[],
  env: Record<string, string | undefined> = process.env,
): Promise<CliResult> {
  const { io, out, err } = capturingIo(env);
  const code = await runCli(args, io);
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

/** Same, but fails the test with everything the command said when it does not exit 0. */
export async function cliOk(
  args: string[],
  env?: Record<string, string | undefined>,
): Promise<CliResult> {
  const result = await cli(args, env);
  if (result.code !== 0) {
    throw new Error(
      `medianest-appliance ${args.join(' ')} exited ${result.code}\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result;
}
