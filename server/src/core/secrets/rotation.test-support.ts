import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, expect } from 'vitest';
import { NodeFileSystem } from '../../infra/fs/node-file-system.js';
import { AppError } from '../app-error.js';
import { initStack } from '../stack/init-service.js';
import type { UpResult } from '../stack/reconciler.js';
import type { ExecResult, ServiceExec } from '../service-exec.js';
import { scramKeys } from './rotation-scram.js';
import { SecretsService, type RotateOptions, type RotationResult } from './rotation-service.js';

export const T0 = new Date('2026-03-01T12:00:00Z');

class RecordingFileSystem extends NodeFileSystem {
  constructor(private readonly steps: () => string[]) {
    super();
  }

  override async writeFile(path: string, data: string | Uint8Array, mode?: number): Promise<void> {
    if (path.includes('/secrets/') && !path.includes('by-service'))
      this.steps().push(`write ${basename(path)}`);
    return super.writeFile(path, data, mode);
  }
}

/**
 * The containers, as far as rotation sees them: PostgreSQL keeps the verifier it was given and
 * checks a TCP login against it the way SCRAM does; Grafana may or may not have its CLI.
 */
export class FakeEngine implements ServiceExec {
  constructor(private readonly steps: () => string[]) {}

  running = [
    { service: 'postgres', health: 'healthy' as const },
    { service: 'redis', health: 'healthy' as const },
    { service: 'backend', health: 'healthy' as const },
  ];
  calls: Array<{ service: string; command: readonly string[]; stdin?: string }> = [];
  verifier = '';
  fail: { alter?: number; verify?: number; grafana?: boolean } = {};
  grafanaCli = true;
  grafanaPassword = '';

  async runningServices() {
    return this.running;
  }

  async exec(
    service: string,
    command: readonly string[],
    options: { stdin?: string } = {},
  ): Promise<ExecResult> {
    this.calls.push({ service, command, ...(options.stdin ? { stdin: options.stdin } : {}) });
    const ok = (stdout = ''): ExecResult => ({ exitCode: 0, stdout, stderr: '' });
    const err = (stderr: string): ExecResult => ({ exitCode: 1, stdout: '', stderr });
    if (service === 'postgres' && command[0] === 'psql') {
      this.steps().push('ALTER ROLE');
      if (this.fail.alter) {
        this.fail.alter -= 1;
        return err(`ERROR:  permission denied\nLINE 1: ${options.stdin ?? ''}\n`);
      }
      this.verifier = /PASSWORD '([^']+)'/.exec(options.stdin ?? '')?.[1] ?? '';
      return ok();
    }
    if (service === 'postgres' && command[0] === 'sh') {
      this.steps().push('login over TCP');
      const password = (options.stdin ?? '').replace(/\n$/, '');
      const [, iterations = '', salt = '', stored = ''] =
        /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):/.exec(this.verifier) ?? [];
      const keys = scramKeys(password, {
        salt: Buffer.from(salt, 'base64'),
        iterations: Number(iterations),
      });
      const refused = (this.fail.verify ?? 0) > 0;
      if (refused) this.fail.verify = (this.fail.verify ?? 0) - 1;
      const accepted = !refused && keys.storedKey.toString('base64') === stored;
      return accepted ? ok('1\n') : err('FATAL:  password authentication failed');
    }
    if (service === 'grafana' && command[0] === 'sh') {
      return ok(this.grafanaCli ? '/usr/share/grafana/bin/grafana\n' : '');
    }
    if (service === 'grafana') {
      this.steps().push('grafana reset');
      if (this.fail.grafana) return err('Error: could not open database');
      this.grafanaPassword = (options.stdin ?? '').trim();
      return ok();
    }
    return err(`unexpected exec in ${service}`);
  }
}

/**
 * A stack rendered in a temporary home, a fake engine and a rotation service over them; its fields
 * are set afresh before each test (steps: the order in which things happen, across the fakes).
 */
export interface RotationRig {
  home: string;
  fs: RecordingFileSystem;
  engine: FakeEngine;
  now: Date;
  renderFailures: number;
  upFails: boolean;
  service: SecretsService;
  steps: string[];
  progress: string[];
  /** A secret file's value. */
  secret(name: string): string;
  /** A service's copy of a secret. */
  copy(service: string, name: string): string;
  /** Rotates one secret through the service, its progress steps kept in `progress`. */
  rotate(name: string, options?: RotateOptions): Promise<RotationResult>;
}

const config = { profiles: ['monitoring'] };

/** Registers the rig's set-up and clean-up around each test of the calling file. */
export function useRotationRig(): RotationRig {
  const secretsDir = (): string => join(rig.home, 'stack', 'secrets');
  const rig = {
    steps: [] as string[],
    progress: [] as string[],
    secret: (name) => readFileSync(join(secretsDir(), name), 'utf8'),
    copy: (service, name) => readFileSync(join(secretsDir(), 'by-service', service, name), 'utf8'),
    rotate: (name, options = {}) =>
      rig.service.rotate(name, options, (step) => rig.progress.push(step)),
  } as RotationRig;
  beforeEach(async () => {
    rig.home = mkdtempSync(join(tmpdir(), 'mn-rotate-'));
    rig.fs = new RecordingFileSystem(() => rig.steps);
    rig.engine = new FakeEngine(() => rig.steps);
    rig.now = T0;
    rig.renderFailures = 0;
    rig.upFails = false;
    rig.progress.length = 0;
    const location = {
      stackDir: join(rig.home, 'stack'),
      secretsDir: join(rig.home, 'stack', 'secrets'),
      composeFile: join(rig.home, 'stack', 'compose.yaml'),
    };
    const render = () => initStack({ fs: rig.fs, now: () => rig.now }, { ...location, config });
    await render();
    rig.steps = [];
    rig.service = new SecretsService({
      fs: rig.fs,
      engine: () => rig.engine,
      location,
      render: async () => {
        rig.steps.push('render');
        if (rig.renderFailures > 0) {
          rig.renderFailures -= 1;
          throw new Error('disk full');
        }
        await render();
      },
      up: async (): Promise<UpResult> => {
        rig.steps.push('up');
        if (rig.upFails) throw new AppError('conflict', 'backend did not become healthy.');
        return { created: [], recreated: ['backend'], started: [], unchanged: [], removed: [] };
      },
      now: () => rig.now,
    });
  });
  afterEach(() => rmSync(rig.home, { recursive: true, force: true }));
  return rig;
}

export const failure = async (promise: Promise<unknown>): Promise<AppError> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
};
