import { spawn } from 'node:child_process';
import type { DockerInstallResult } from '../../contract/desktop.js';
import type { DockerInstallPlan } from '../../contract/docker-setup.js';
import { shellQuote } from '../../core/doctor/install-plan.js';

/** Runs a program to its end; `error` is set when it could not be started at all. */
export type Run = (
  program: string,
  args: string[],
) => Promise<{ code: number | null; stderr: string; error?: NodeJS.ErrnoException }>;

/** pkexec's own exit codes: the dialog was dismissed (126) or no one may authorise (127). */
const PKEXEC_DISMISSED = 126;
const PKEXEC_NOT_AUTHORISED = 127;

/** The plan as one root shell script, so the user answers one password prompt, not five. */
export function rootScript(plan: DockerInstallPlan): string {
  return ['set -e', ...plan.steps.map((s) => s.argv.map(shellQuote).join(' '))].join('\n');
}

/**
 * Runs a Linux install plan through polkit's `pkexec` (the desktop's own password prompt). Only the
 * desktop calls this; the headless server prints the commands instead, never running them.
 */
export async function runPlanWithPkexec(
  plan: DockerInstallPlan,
  run: Run,
): Promise<DockerInstallResult> {
  if (plan.kind !== 'commands' || plan.steps.length === 0) {
    return { ok: false, message: `Nothing can be installed for you here. ${plan.summary}` };
  }
  const result = await run('pkexec', ['/bin/sh', '-c', rootScript(plan)]);
  if (result.error?.code === 'ENOENT') {
    return {
      ok: false,
      message:
        'This desktop has no password prompt for administrator tasks (polkit is missing): copy the commands and run them in a terminal.',
    };
  }
  if (result.code === 0) {
    return {
      ok: true,
      message: plan.groupNote
        ? 'Docker is installed and running. Log out and back in so your account can use it, then open MediaNest Appliance again.'
        : 'Docker is installed and running.',
    };
  }
  if (result.code === PKEXEC_DISMISSED || result.code === PKEXEC_NOT_AUTHORISED) {
    return {
      ok: false,
      message:
        'Nothing was installed: the password prompt was closed or the password was not accepted. Try again, or run the commands in a terminal.',
    };
  }
  const last = result.stderr.trim().split('\n').slice(-3).join(' ').slice(0, 400);
  return {
    ok: false,
    message: `The install stopped with an error${last ? `: ${last}` : ''}. Run the commands in a terminal to see each step.`,
  };
}

/** Node's spawn as a Run: no shell, stderr kept (bounded) for the message. */
export const spawnRun: Run = (program, args) =>
  new Promise((resolve) => {
    let stderr = '';
    const child = spawn(program, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4096);
    });
    child.once('error', (error: NodeJS.ErrnoException) => resolve({ code: null, stderr, error }));
    child.once('close', (code) => resolve({ code, stderr }));
  });
