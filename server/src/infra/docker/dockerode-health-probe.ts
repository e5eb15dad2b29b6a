import Docker from 'dockerode';
import type { HealthProbe } from '../../core/stack/health-probe.js';
import { connectionOptions } from './endpoint.js';

/** The engine's shell for CMD-SHELL when neither the image nor the container sets one. */
const DEFAULT_SHELL = ['/bin/sh', '-c'];
/** The exec's stream can end a moment before the engine records its exit code. */
const EXIT_CODE_POLLS = 40;
const EXIT_CODE_POLL_MS = 25;
/** Run-as settings of this many containers are kept; a stack has a dozen. */
const MAX_REMEMBERED = 64;

interface RunAs {
  user: string;
  workingDir: string;
  shell: string[];
}

/**
 * Runs a container's healthcheck once through `docker exec`, set up the way the engine's own
 * health check is (moby daemon/health.go: the container's user, working folder and shell, no
 * stdin, no TTY, not privileged; the exec inherits the container's environment). The command and
 * its output are never logged or returned: the redis check reads its password from a file inside
 * the container, and its output is discarded unread.
 */
export class DockerodeHealthProbe implements HealthProbe {
  private readonly docker: Docker;
  private readonly runAs = new Map<string, RunAs>();

  constructor(endpoint: string) {
    this.docker = new Docker(connectionOptions(endpoint));
  }

  async check(
    containerId: string,
    test: readonly string[],
    timeoutMs: number,
    signal: AbortSignal,
  ): Promise<boolean> {
    if (signal.aborted) return false;
    try {
      return await this.run(containerId, test, timeoutMs, signal);
    } catch {
      // Not running, gone, or the engine unreachable: not healthy now. The engine's events say why.
      return false;
    }
  }

  private async settings(container: Docker.Container): Promise<RunAs> {
    const known = this.runAs.get(container.id);
    if (known) return known;
    const { Config } = await container.inspect();
    const shell = (Config as { Shell?: string[] }).Shell;
    const runAs = {
      user: Config.User ?? '',
      workingDir: Config.WorkingDir ?? '',
      shell: shell && shell.length > 0 ? shell : DEFAULT_SHELL,
    };
    if (this.runAs.size >= MAX_REMEMBERED) this.runAs.clear();
    this.runAs.set(container.id, runAs);
    return runAs;
  }

  private async run(
    containerId: string,
    test: readonly string[],
    timeoutMs: number,
    signal: AbortSignal,
  ): Promise<boolean> {
    const [form, ...args] = test;
    if ((form !== 'CMD' && form !== 'CMD-SHELL') || args.length === 0) return false;
    const container = this.docker.getContainer(containerId);
    const { user, workingDir, shell } = await this.settings(container);
    const exec = await container.exec({
      Cmd: form === 'CMD-SHELL' ? [...shell, ...args] : args,
      AttachStdin: false,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      Privileged: false,
      User: user,
      ...(workingDir ? { WorkingDir: workingDir } : {}),
    });
    const stream = await exec.start({ hijack: true, stdin: false });
    const finished = await new Promise<boolean>((resolve) => {
      const finish = (ended: boolean): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', abandon);
        resolve(ended);
      };
      const abandon = (): void => {
        stream.destroy();
        finish(false);
      };
      const timer = setTimeout(abandon, timeoutMs);
      signal.addEventListener('abort', abandon, { once: true });
      stream.on('end', () => finish(true));
      stream.on('close', () => finish(true));
      stream.on('error', () => finish(false));
      // Read and dropped: the output is nobody's business here.
      stream.resume();
    });
    if (!finished) return false;
    for (let i = 0; i < EXIT_CODE_POLLS && !signal.aborted; i += 1) {
      const info = await exec.inspect();
      if (!info.Running) return info.ExitCode === 0;
      await new Promise((r) => setTimeout(r, EXIT_CODE_POLL_MS));
    }
    return false;
  }
}
