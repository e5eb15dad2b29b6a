/**
 * One job at a time across processes: `medianest-appliance serve` and CLI verbs, each in its own
 * process, on one home and the rig's engine. A process is held still mid-job with SIGSTOP (its
 * lock stays held, its pid alive), so what the other side sees does not depend on timing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, createApiClient, type ApiClient } from '../../server/src/contract/client.js';
import { cli, cliOk } from './support/cli.js';
import { initStack } from './support/installed-stack.js';
import { removeComposeProject } from './support/project.js';
import { rigDocker, rigEnv } from './support/rig.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PROJECT = 'mnjoblock';
const rig = rigEnv();
const docker = rigDocker(rig);
const home = mkdtempSync(join(tmpdir(), 'mna-joblock-'));
const lockFile = join(home, 'job.lock');
const env = { ...process.env, DOCKER_HOST: rig.dockerHost, MEDIANEST_COMPOSE_PROJECT: PROJECT };
const children: ChildProcess[] = [];

/** `medianest-appliance ARGS` from the source, in its own process; `output()`: what it printed. */
function spawnCli(args: string[]): ChildProcess & { pid: number; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/cli.ts', ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  if (child.pid === undefined) throw new Error(`medianest-appliance ${args[0]} did not start`);
  let output = '';
  // Both pipes are read, so a chatty process never blocks on a full one.
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return Object.assign(child as ChildProcess & { pid: number }, { output: () => output });
}

async function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await gone;
}

interface Holder {
  owner: string;
  kind: string;
  jobId?: string;
  pid: number;
}

const holder = (): Holder | undefined =>
  existsSync(lockFile) ? (JSON.parse(readFileSync(lockFile, 'utf8')) as Holder) : undefined;

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function jobEnd(client: ApiClient, id: string): Promise<string> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const job = await client.job({ id });
    if (job.state !== 'running') return job.state;
    if (Date.now() > deadline) throw new Error(`job ${id} still running`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Each container of the project: id -> state (what a refused verb must leave as it was). */
async function containers(): Promise<Record<string, string>> {
  const list = await docker.listContainers({
    all: true,
    filters: { label: [`com.docker.compose.project=${PROJECT}`] },
  });
  return Object.fromEntries(list.map((c) => [c.Id, c.State]));
}

let server: ReturnType<typeof spawnCli>;
let client: ApiClient;

beforeAll(async () => {
  await removeComposeProject(docker, PROJECT);
  await initStack(rig, home, env);
  server = spawnCli(['serve', '--home', home, '--port', '0']);
  await until('serve to be ready', () => (/^ready /m.test(server.output()) ? true : undefined));
  const { url, token } = JSON.parse(readFileSync(join(home, 'serve.json'), 'utf8')) as {
    url: string;
    token: string;
  };
  client = createApiClient({ baseUrl: url, token });
  // The server's clean-up at start holds the lock for a moment.
  await until('the start-up clean-up', () => (holder() ? undefined : true));
}, 120_000);

afterAll(async () => {
  for (const child of children) await kill(child, 'SIGKILL');
  await removeComposeProject(docker, PROJECT);
  rmSync(home, { recursive: true, force: true });
});

describe('one job at a time between the server and the CLI', () => {
  it('refuses a CLI verb while the server runs a job, naming the job, and changes nothing', async () => {
    const { jobId } = await client.stackAction({ action: 'up', services: ['redis'] });
    server.kill('SIGSTOP');
    try {
      expect(holder()).toMatchObject({ owner: 'server', kind: 'up', jobId, pid: server.pid });
      const before = await containers();

      const down = await cli(['down', '--home', home], env);
      expect(down.code).toBe(1);
      expect(down.stderr).toMatch(
        new RegExp(
          `^medianest-appliance: Busy: the server is running an \`up\` of the stack \\(job ${jobId}, started \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC\\); try again when it has finished\\.$`,
        ),
      );
      const backup = await cli(['backup', '--home', home], env);
      expect(backup.code).toBe(1);
      expect(backup.stderr).toContain(`Busy: the server is running an \`up\` of the stack`);
      // Reading is never refused.
      expect((await cli(['status', '--home', home], env)).code).toBe(0);
      expect(JSON.parse((await cliOk(['backups', '--json', '--home', home], env)).stdout)).toEqual(
        [],
      );

      expect(await containers()).toEqual(before);
      expect(holder()).toMatchObject({ owner: 'server', jobId });
    } finally {
      server.kill('SIGCONT');
    }
    expect(await jobEnd(client, jobId)).toBe('succeeded');
    expect(holder()).toBeUndefined();
  }, 150_000);

  it('answers 409 busy to a server job while a CLI verb runs, and runs it once that CLI is killed', async () => {
    const restart = spawnCli(['restart', 'redis', '--home', home]);
    await until('the CLI to take the lock', () =>
      holder()?.pid === restart.pid ? true : undefined,
    );
    restart.kill('SIGSTOP');
    const jobsBefore = (await client.jobs({})).length;

    const refused = await client
      .stackAction({ action: 'up', services: ['redis'] })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ code: 'busy', status: 409 });
    expect((refused as ApiError).message).toMatch(
      new RegExp(
        `^Busy: the command line \\(process ${restart.pid}\\) is running a restart of the stack \\(started [^)]+\\); try again when it has finished\\.$`,
      ),
    );
    expect(await client.createBackup({}).catch((e: unknown) => e)).toMatchObject({
      code: 'busy',
      status: 409,
    });
    expect(await client.jobs({})).toHaveLength(jobsBefore);

    // SIGKILL: no chance to release; the lock file stays behind, naming a dead process.
    await kill(restart, 'SIGKILL');
    expect(holder()).toMatchObject({ owner: 'cli', kind: 'restart', pid: restart.pid });

    const { jobId } = await client.stackAction({ action: 'up', services: ['redis'] });
    expect(await jobEnd(client, jobId)).toBe('succeeded');
    expect(holder()).toBeUndefined();
    const redis = (await client.stackStatus({})).find((s) => s.service === 'redis');
    expect(redis?.health).toBe('healthy');
  }, 150_000);
});
