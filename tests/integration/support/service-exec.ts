/** `docker exec` into a running service of a test's stack: test-side checks, not the product's path. */
import type Docker from 'dockerode';
import { demux } from './containers.js';

export interface ExecOutput {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** The running container of `service` in the project named by `projectLabel`. */
export async function runningContainerOf(
  docker: Docker,
  projectLabel: string,
  service: string,
): Promise<Docker.Container> {
  const [found] = await docker.listContainers({
    filters: {
      label: [projectLabel, `com.docker.compose.service=${service}`],
      status: ['running'],
    },
  });
  if (!found) throw new Error(`${service} is not running`);
  return docker.getContainer(found.Id);
}

/** Runs `cmd` in the service with optional environment and stdin, and returns what it printed. */
export async function execInService(
  docker: Docker,
  projectLabel: string,
  service: string,
  cmd: string[],
  options: { env?: string[]; stdin?: string } = {},
): Promise<ExecOutput> {
  const container = await runningContainerOf(docker, projectLabel, service);
  const instance = await container.exec({
    Cmd: cmd,
    Env: options.env ?? [],
    AttachStdin: options.stdin !== undefined,
    AttachStdout: true,
    AttachStderr: true,
  });
  const stream = await instance.start({ hijack: true, stdin: options.stdin !== undefined });
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', resolve);
    stream.on('error', reject);
    if (options.stdin !== undefined) stream.end(options.stdin);
  });
  const { ExitCode } = await instance.inspect();
  return { exitCode: ExitCode ?? -1, ...demux(Buffer.concat(chunks)) };
}

/** The environment of a service's main process: what the shim exported from /run/secrets. */
export async function processEnvOf(
  docker: Docker,
  projectLabel: string,
  service: string,
): Promise<Map<string, string>> {
  const { stdout } = await execInService(docker, projectLabel, service, ['cat', '/proc/1/environ']);
  return new Map(
    stdout
      .split('\0')
      .filter((e) => e.includes('='))
      .map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)] as [string, string]),
  );
}
