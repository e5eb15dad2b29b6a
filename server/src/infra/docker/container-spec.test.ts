import { describe, expect, it } from 'vitest';
import { planStack } from '../../core/stack/plan.js';
import { containerCreateOptions } from './container-spec.js';
import { demuxFrames } from './frames.js';

const plan = planStack(
  {
    services: {
      postgres: {
        image: 'postgres:16-alpine',
        user: '70:70',
        environment: { POSTGRES_DB: 'medianest' },
        ports: ['127.0.0.1:5432:5432'],
        volumes: [{ type: 'bind', source: '/data/postgres', target: '/var/lib/postgresql/data' }],
        tmpfs: ['/tmp:size=64m,mode=1777', '/run/postgresql'],
        read_only: true,
        cap_drop: ['ALL'],
        cap_add: ['CHOWN'],
        security_opt: ['no-new-privileges:true'],
        networks: { backend: {}, frontend: {} },
        secrets: [{ source: 'postgres_postgres_password', target: 'postgres_password' }],
        healthcheck: {
          test: ['CMD-SHELL', 'pg_isready'],
          interval: '5s',
          timeout: '3s',
          retries: 5,
          start_period: '1m',
        },
        stop_grace_period: '20s',
        stop_signal: 'SIGINT',
        restart: 'unless-stopped',
        logging: { driver: 'json-file', options: { 'max-size': '20m', 'max-file': '3' } },
        deploy: {
          resources: {
            limits: { cpus: '1.0', memory: '1G' },
            reservations: { cpus: '0.25', memory: '256M' },
          },
        },
      },
    },
    networks: { backend: { internal: true }, frontend: {} },
    secrets: {
      postgres_postgres_password: {
        file: '/h/stack/secrets/by-service/postgres/postgres_password',
      },
    },
  },
  {
    project: 'medianest',
    composeFile: '/h/stack/compose.yaml',
    workingDir: '/h/stack',
    fileHashes: new Map(),
  },
);

describe('engine create options', () => {
  const options = containerCreateOptions(plan.services[0]!);

  it('carries the hardening of the compose file into the container', () => {
    expect(options.User).toBe('70:70');
    expect(options.HostConfig).toMatchObject({
      ReadonlyRootfs: true,
      CapDrop: ['ALL'],
      CapAdd: ['CHOWN'],
      SecurityOpt: ['no-new-privileges:true'],
      RestartPolicy: { Name: 'unless-stopped' },
      LogConfig: { Type: 'json-file', Config: { 'max-size': '20m', 'max-file': '3' } },
      Memory: 1024 ** 3,
      NanoCpus: 1e9,
      MemoryReservation: 256 * 1024 ** 2,
      Tmpfs: { '/tmp': 'size=64m,mode=1777', '/run/postgresql': '' },
    });
  });

  it('puts the healthcheck at the top level, in nanoseconds', () => {
    expect(options.Healthcheck).toEqual({
      Test: ['CMD-SHELL', 'pg_isready'],
      Interval: 5e9,
      Timeout: 3e9,
      Retries: 5,
      StartPeriod: 60e9,
    });
    expect(options.HostConfig).not.toHaveProperty('Healthcheck');
    expect(options.StopTimeout).toBe(20);
    expect(options.StopSignal).toBe('SIGINT');
  });

  it('publishes ports only on the address the file names', () => {
    expect(options.HostConfig?.PortBindings).toEqual({
      '5432/tcp': [{ HostIp: '127.0.0.1', HostPort: '5432' }],
    });
  });

  it('mounts data read-write and secrets read-only, never as environment', () => {
    expect(options.HostConfig?.Mounts).toEqual([
      {
        Type: 'bind',
        Source: '/data/postgres',
        Target: '/var/lib/postgresql/data',
        ReadOnly: false,
      },
      {
        Type: 'bind',
        Source: '/h/stack/secrets/by-service/postgres/postgres_password',
        Target: '/run/secrets/postgres_password',
        ReadOnly: true,
      },
    ]);
    expect(options.Env).toEqual(['POSTGRES_DB=medianest']);
  });

  it('joins the first network at create, with the service name as alias', () => {
    expect(options.HostConfig?.NetworkMode).toBe('medianest_backend');
    expect(options.NetworkingConfig).toEqual({
      EndpointsConfig: { medianest_backend: { Aliases: ['postgres'] } },
    });
  });
});

describe('log frames', () => {
  it('splits stdout and stderr frames, including a truncated last one', () => {
    const frame = (type: number, text: string): Buffer => {
      const body = Buffer.from(text);
      const header = Buffer.alloc(8);
      header[0] = type;
      header.writeUInt32BE(body.length, 4);
      return Buffer.concat([header, body]);
    };
    const buffer = Buffer.concat([
      frame(1, 'out\n'),
      frame(2, 'err\n'),
      frame(1, 'partial').subarray(0, 11),
    ]);
    expect(demuxFrames(buffer)).toEqual([
      { stream: 'stdout', text: 'out\n' },
      { stream: 'stderr', text: 'err\n' },
      { stream: 'stdout', text: 'par' },
    ]);
  });
});
