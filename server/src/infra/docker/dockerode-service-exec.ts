import Docker from 'dockerode';
import { engineUnavailable } from '../../core/docker-gateway.js';
import type { ExecResult, ServiceExec } from '../../core/service-exec.js';
import { LABEL_PROJECT, LABEL_SERVICE } from '../../core/stack/plan.js';
import type { HealthState } from '../../core/docker-gateway.js';
import { connectionOptions } from './endpoint.js';
import { demuxFrames } from './frames.js';

const DEFAULT_TIMEOUT_MS = 60_000;
/** An exec's output is read whole; anything a command here prints is small. */
const MAX_OUTPUT_BYTES = 1 << 20;

/** A lost or absent engine becomes the one clear error the stack service gives too. */
async function guard<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw engineUnavailable(error) ?? error;
  }
}

function healthOf(status: string): HealthState {
  if (status.includes('(healthy)')) return 'healthy';
  if (status.includes('(unhealthy)')) return 'unhealthy';
  if (status.includes('(health: starting)')) return 'starting';
  return 'none';
}

/**
 * `docker exec` into the stack's running containers. The command is argv (no shell unless the
 * caller runs one); stdin is written through the attached stream and then half-closed, so a
 * secret handed in that way is in neither the exec's argv nor its environment, which
 * `GET /exec/{id}/json` and the host's process list would show.
 */
export class DockerodeServiceExec implements ServiceExec {
  private readonly docker: Docker;

  constructor(
    endpoint: string,
    private readonly project: string,
  ) {
    this.docker = new Docker(connectionOptions(endpoint));
  }

  runningServices(): Promise<Array<{ service: string; health: HealthState }>> {
    return guard(() => this.listRunning());
  }

  private async listRunning(): Promise<Array<{ service: string; health: HealthState }>> {
    const list = await this.docker.listContainers({
      filters: { label: [`${LABEL_PROJECT}=${this.project}`], status: ['running'] },
    });
    return list
      .filter((c) => c.Labels['com.docker.compose.oneoff'] !== 'True')
      .map((c) => ({ service: c.Labels[LABEL_SERVICE] ?? '', health: healthOf(c.Status) }));
  }

  private async containerOf(service: string): Promise<Docker.Container> {
    const [found] = await this.docker.listContainers({
      filters: {
        label: [`${LABEL_PROJECT}=${this.project}`, `${LABEL_SERVICE}=${service}`],
        status: ['running'],
      },
    });
    if (!found) throw new Error(`${service} has no running container`);
    return this.docker.getContainer(found.Id);
  }

  exec(
    service: string,
    command: readonly string[],
    options: { stdin?: string; timeoutMs?: number } = {},
  ): Promise<ExecResult> {
    return guard(() => this.run(service, command, options));
  }

  private async run(
    service: string,
    command: readonly string[],
    options: { stdin?: string; timeoutMs?: number },
  ): Promise<ExecResult> {
    const container = await this.containerOf(service);
    const withStdin = options.stdin !== undefined;
    const exec = await container.exec({
      Cmd: [...command],
      AttachStdin: withStdin,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
    });
    const stream = await exec.start({ hijack: true, stdin: withStdin });
    const output = await new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const timer = setTimeout(() => {
        stream.destroy();
        reject(new Error(`${command[0] ?? 'the command'} in ${service} did not finish in time`));
      }, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_OUTPUT_BYTES) chunks.push(chunk);
      });
      stream.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      stream.on('end', () => {
        clearTimeout(timer);
        resolve(Buffer.concat(chunks));
      });
      // Half-close: the command sees end of input, its output keeps coming.
      if (withStdin) stream.end(options.stdin);
    });
    const { ExitCode } = await exec.inspect();
    const frames = demuxFrames(output);
    const join = (kind: 'stdout' | 'stderr'): string =>
      frames
        .filter((f) => f.stream === kind)
        .map((f) => f.text)
        .join('');
    return { exitCode: ExitCode ?? -1, stdout: join('stdout'), stderr: join('stderr') };
  }
}
