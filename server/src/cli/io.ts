import { resolve } from 'node:path';
import { defaultHome } from '../infra/fs/home.js';
import type { ParsedCommand } from './args.js';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
  /** Whether stdout is a terminal a person watches (not a pipe, a file or a service journal). */
  stdoutIsTerminal?: boolean;
  /** Resolves when the process is asked to stop (SIGTERM/SIGINT); only cli.ts traps signals. */
  untilShutdown: () => Promise<void>;
}

/** Exit codes of DESIGN.md's CLI contract. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export const DEFAULT_SERVE_PORT = 7420;

export function resolveHome(cmd: ParsedCommand, io: CliIo): string {
  const flag = cmd.values.home;
  return typeof flag === 'string' ? resolve(flag) : defaultHome(io.env);
}
