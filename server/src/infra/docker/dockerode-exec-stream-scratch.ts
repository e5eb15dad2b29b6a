import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import Docker from 'dockerode';
import type { ExecStream } from '../../core/backup/ports.js';
import type { ScratchEngine, ScratchSession } from '../../core/backup/restore-test.js';
import { engineUnavailable } from '../../core/docker-gateway.js';
import type { ExecResult } from '../../core/service-exec.js';
import { connectionOptions } from './endpoint.js';
import { execStream } from './dockerode-exec-stream.js';

const LABEL = 'org.medianest.appliance.scratch';

/**
 * Throwaway PostgreSQL and Redis for a restore test: from the stack's own images, on an internal
 * network of their own (no route out, no port published), with unique names; `close()` removes
 * the containers and the network whatever happened.
 */
export class DockerodeScratch implements ScratchEngine {
  private readonly docker: Docker;

  constructor(endpoint: string) {
    this.docker = new Docker(connectionOptions(endpoint));
  }

  async open(images: { postgres: string; redis: string }): Promise<ScratchSession> {
    const id = randomBytes(4).toString('hex');
    const name = `medianest-scratch-${id}`;
    const docker = this.docker;
    const containers = new Map<string, Docker.Container>();
    let network: Docker.Network | undefined;
    /** One of the two: on the scratch network, labelled for clean-up, with 512 MiB at most. */
    const create = async (
      service: 'postgres' | 'redis',
      options: Docker.ContainerCreateOptions,
    ): Promise<Docker.Container> => {
      const container = await docker.createContainer({
        name: `${name}-${service}`,
        Image: images[service],
        Labels: { [LABEL]: id },
        HostConfig: { NetworkMode: name, Memory: 512 * 1024 * 1024 },
        ...options,
      });
      containers.set(service, container);
      return container;
    };
    const close = async (): Promise<void> => {
      for (const container of containers.values()) {
        await container.remove({ force: true, v: true }).catch(() => undefined);
      }
      await network?.remove().catch(() => undefined);
    };
    try {
      network = await docker.createNetwork({ Name: name, Internal: true, Labels: { [LABEL]: id } });
      const postgres = await create('postgres', {
        Env: [
          'POSTGRES_USER=medianest',
          'POSTGRES_DB=medianest',
          'POSTGRES_HOST_AUTH_METHOD=trust',
        ],
      });
      await postgres.start();
    } catch (error) {
      await close();
      throw engineUnavailable(error) ?? error;
    }
    const run = async (
      service: string,
      command: readonly string[],
      stdin?: Readable,
    ): Promise<ExecStream> => {
      const container = containers.get(service);
      if (!container) throw new Error(`the scratch ${service} is not running`);
      return execStream(docker, container, command, stdin);
    };
    return {
      run,
      exec: async (service, command): Promise<ExecResult> => {
        const stream = await run(service, command);
        const chunks: Buffer[] = [];
        for await (const chunk of stream.stdout) chunks.push(chunk as Buffer);
        const { exitCode, stderr } = await stream.done;
        return { exitCode, stdout: Buffer.concat(chunks).toString('utf8'), stderr };
      },
      runningServices: async () =>
        [...containers.keys()].map((service) => ({ service, health: 'none' as const })),
      startRedis: async (rdb: Readable): Promise<void> => {
        // The snapshot goes in on stdin before Redis starts, so Redis loads it as it would at boot.
        const redis = await create('redis', {
          Cmd: [
            'sh',
            '-c',
            'cat > /data/dump.rdb && exec redis-server --dir /data --appendonly no --save ""',
          ],
          OpenStdin: true,
          StdinOnce: true,
          AttachStdin: true,
        });
        const attached = await redis.attach({ stream: true, stdin: true, hijack: true });
        await redis.start();
        await new Promise<void>((resolve, reject) => {
          rdb.on('error', reject);
          rdb.pipe(attached);
          rdb.on('end', () => resolve());
        });
      },
      close,
    };
  }
}
