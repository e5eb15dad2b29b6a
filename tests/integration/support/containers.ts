/**
 * Small helpers for integration tests that run containers on the rig's engine. Everything a test
 * creates carries the label `org.medianest.test=<suite>`, so `removeLabelled` can clean up after a
 * run that died half-way (call it before and after a suite).
 */
import type Docker from 'dockerode';

export const TEST_LABEL = 'org.medianest.test';

export interface RunSpec {
  /** Suite name: the value of the org.medianest.test label. */
  readonly suite: string;
  readonly name: string;
  readonly image: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly cmd?: readonly string[];
  readonly entrypoint?: readonly string[];
  /** host path -> container path (append ":ro" to the container path for read-only) */
  readonly binds?: Readonly<Record<string, string>>;
  readonly network?: string;
  readonly aliases?: readonly string[];
  /** container ports (tcp) to publish on 127.0.0.1 at a port the engine picks */
  readonly publish?: readonly number[];
  readonly capDrop?: readonly string[];
  readonly capAdd?: readonly string[];
  readonly user?: string;
}

/** Creates and starts a container. */
export async function runContainer(docker: Docker, spec: RunSpec): Promise<Docker.Container> {
  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const port of spec.publish ?? []) {
    exposed[`${port}/tcp`] = {};
    bindings[`${port}/tcp`] = [{ HostIp: '127.0.0.1', HostPort: '' }];
  }
  const container = await docker.createContainer({
    name: spec.name,
    Image: spec.image,
    Env: Object.entries(spec.env ?? {}).map(([k, v]) => `${k}=${v}`),
    ...(spec.cmd ? { Cmd: [...spec.cmd] } : {}),
    ...(spec.entrypoint ? { Entrypoint: [...spec.entrypoint] } : {}),
    ...(spec.user ? { User: spec.user } : {}),
    Labels: { [TEST_LABEL]: spec.suite },
    ExposedPorts: exposed,
    HostConfig: {
      Binds: Object.entries(spec.binds ?? {}).map(([host, inside]) => `${host}:${inside}`),
      PortBindings: bindings,
      ...(spec.network ? { NetworkMode: spec.network } : {}),
      ...(spec.capDrop ? { CapDrop: [...spec.capDrop] } : {}),
      ...(spec.capAdd ? { CapAdd: [...spec.capAdd] } : {}),
      SecurityOpt: ['no-new-privileges'],
    },
    ...(spec.network
      ? {
          NetworkingConfig: {
            EndpointsConfig: { [spec.network]: { Aliases: [...(spec.aliases ?? [])] } },
          },
        }
      : {}),
  });
  await container.start();
  return container;
}

/** Removes every container (with its anonymous volumes) and network labelled for the suite. */
export async function removeLabelled(docker: Docker, suite: string): Promise<void> {
  const filters = { label: [`${TEST_LABEL}=${suite}`] };
  const containers = await docker.listContainers({ all: true, filters });
  await Promise.all(
    containers.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true })),
  );
  const networks = await docker.listNetworks({ filters });
  await Promise.all(networks.map((n) => docker.getNetwork(n.Id).remove()));
}

export async function createNetwork(
  docker: Docker,
  suite: string,
  name: string,
): Promise<Docker.Network> {
  return docker.createNetwork({ Name: name, Driver: 'bridge', Labels: { [TEST_LABEL]: suite } });
}

/** The 127.0.0.1 port the engine published a container port on. */
export async function publishedPort(container: Docker.Container, port: number): Promise<number> {
  const info = await container.inspect();
  const hostPort = info.NetworkSettings.Ports[`${port}/tcp`]?.[0]?.HostPort;
  if (!hostPort) throw new Error(`container port ${port} is not published`);
  return Number(hostPort);
}

/** Splits Docker's multiplexed stream format (Tty false) into stdout and stderr. */
export function demux(buf: Buffer): { stdout: string; stderr: string } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let off = 0;
  while (off + 8 <= buf.length) {
    const kind = buf[off];
    const size = buf.readUInt32BE(off + 4);
    const chunk = buf.subarray(off + 8, off + 8 + size);
    (kind === 2 ? err : out).push(chunk);
    off += 8 + size;
  }
  return {
    stdout: Buffer.concat(out).toString('utf8'),
    stderr: Buffer.concat(err).toString('utf8'),
  };
}

/** Everything the container wrote so far, stdout and stderr together. */
export async function logsOf(container: Docker.Container): Promise<string> {
  const raw = await container.logs({ stdout: true, stderr: true, follow: false });
  const { stdout, stderr } = demux(raw);
  return stdout + stderr;
}

export interface ExecResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command inside a running container and waits for it. */
export async function execIn(
  container: Docker.Container,
  cmd: readonly string[],
): Promise<ExecResult> {
  const exec = await container.exec({ Cmd: [...cmd], AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  const { ExitCode } = await exec.inspect();
  return { exitCode: ExitCode ?? -1, ...demux(Buffer.concat(chunks)) };
}

/** Waits for a container to exit and returns its exit code. */
export async function waitForExit(container: Docker.Container, timeoutMs: number): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`container did not exit within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    const result = (await Promise.race([container.wait(), timeout])) as { StatusCode: number };
    return result.StatusCode;
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `probe` until it returns a value other than undefined, or throws after timeoutMs. */
export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 60_000,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (e) {
      last = e instanceof Error ? e.message : JSON.stringify(e);
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${last})` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
