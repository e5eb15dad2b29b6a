import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import Docker from 'dockerode';
import type { ExecStream, StreamingExec } from '../../core/backup/ports.js';
import { engineUnavailable } from '../../core/docker-gateway.js';
import { LABEL_PROJECT, LABEL_SERVICE } from '../../core/stack/plan.js';
import { connectionOptions } from './endpoint.js';
import { demuxExec } from './exec-demux.js';

const CLOSED_PIPE = new Set([
  'EPIPE',
  'ECONNRESET',
  'ERR_STREAM_PREMATURE_CLOSE',
  'ERR_STREAM_DESTROYED',
  'ERR_STREAM_WRITE_AFTER_END',
]);

/** How often a command fed from stdin is checked for having exited before reading it all. */
const EXIT_POLL_MS = 200;

/** stderr is kept for the error message only: the last bytes say why a command failed. */
const MAX_STDERR_BYTES = 64 * 1024;

/**
 * `docker exec` with streamed stdout and stdin, for pg_dump / pg_restore / redis dumps: the bytes
 * go between the engine and the archive without a copy inside the container or in memory.
 */
export class DockerodeExecStream implements StreamingExec {
  private readonly docker: Docker;

  constructor(
    endpoint: string,
    private readonly project: string,
  ) {
    this.docker = new Docker(connectionOptions(endpoint));
  }

  async run(service: string, command: readonly string[], stdin?: Readable): Promise<ExecStream> {
    try {
      return await this.start(service, command, stdin);
    } catch (error) {
      throw engineUnavailable(error) ?? error;
    }
  }

  private async start(
    service: string,
    command: readonly string[],
    stdin?: Readable,
  ): Promise<ExecStream> {
    const [found] = await this.docker.listContainers({
      filters: {
        label: [`${LABEL_PROJECT}=${this.project}`, `${LABEL_SERVICE}=${service}`],
        status: ['running'],
      },
    });
    if (!found) throw new Error(`${service} is not running`);
    return execStream(this.docker, this.docker.getContainer(found.Id), command, stdin);
  }
}

/** Runs `command` in `container` with stdout streamed and `stdin` piped in, then half-closed. */
export async function execStream(
  docker: Docker,
  container: Docker.Container,
  command: readonly string[],
  stdin?: Readable,
): Promise<ExecStream> {
  const exec = await container.exec({
    Cmd: [...command],
    AttachStdin: stdin !== undefined,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
  });
  const duplex = await exec.start({ hijack: true, stdin: stdin !== undefined });
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let errText = Buffer.alloc(0);
  stderr.on('data', (chunk: Buffer) => {
    errText = Buffer.concat([errText, chunk]).subarray(-MAX_STDERR_BYTES);
  });
  demuxExec(duplex, stdout, stderr);
  const halfClose = (): void => (duplex as unknown as { end: () => void }).end();
  let feeding = stdin !== undefined;
  const fed = stdin
    ? pipeline(stdin, duplex, { end: false }).then(
        // Half-close: the command sees end of input, its output keeps coming.
        halfClose,
        (error: NodeJS.ErrnoException) => {
          // A command may stop reading early (pg_restore -l reads only the dump's header): then
          // the rest of the input is not needed, and its exit code says how it went.
          if (!CLOSED_PIPE.has(error.code ?? '')) throw error;
          stdin.destroy();
          halfClose();
        },
      )
    : Promise.resolve();
  void fed.finally(() => (feeding = false)).catch(() => undefined);
  if (stdin) {
    // The engine keeps taking input for a command that has exited until the input ends, and only
    // then ends its output: a command that stopped reading early is noticed here, and feeding it
    // stops, instead of pushing the rest of a dump into nowhere.
    void (async () => {
      while (feeding) {
        await new Promise((r) => setTimeout(r, EXIT_POLL_MS));
        if (!feeding) return;
        const info = await exec.inspect().catch(() => undefined);
        // An exit code only once it has run and ended (not before it started).
        if (info && !info.Running && typeof info.ExitCode === 'number') {
          stdin.destroy();
          return;
        }
      }
    })();
  }
  const ended = new Promise<void>((resolve, reject) => {
    duplex.on('end', resolve);
    duplex.on('close', resolve);
    duplex.on('error', (error: NodeJS.ErrnoException) => {
      if (CLOSED_PIPE.has(error.code ?? '')) resolve();
      else reject(error);
    });
  });
  const done = (async () => {
    try {
      await Promise.all([fed, ended]);
    } finally {
      stdout.end();
      stderr.end();
      // All output is in. Input the command never read may still be queued on the socket, and
      // would hold the process open until the engine drained it: the connection is done with.
      duplex.destroy();
    }
    // The stream can end a moment before the engine records the exit code.
    for (let i = 0; i < 100; i += 1) {
      const info = await exec.inspect();
      if (!info.Running) return { exitCode: info.ExitCode ?? -1, stderr: errText.toString('utf8') };
      await new Promise((r) => setTimeout(r, 50));
    }
    return { exitCode: -1, stderr: errText.toString('utf8') };
  })();
  // The caller awaits `done` after consuming stdout; an early failure must not go unhandled.
  done.catch(() => undefined);
  return {
    stdout,
    done,
    abort: () => {
      duplex.destroy();
    },
  };
}
