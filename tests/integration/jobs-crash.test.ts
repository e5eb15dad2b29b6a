/**
 * A job whose server is killed (SIGKILL: no chance to clean up) is reported as interrupted after
 * the next start, never left "running"; and the stack can be brought up again afterwards.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient } from '../../server/src/contract/client.js';
import { cliOk } from './support/cli.js';
import { initStack, stackEnv } from './support/installed-stack.js';
import { removeComposeProject } from './support/project.js';
import { rigDocker, rigEnv } from './support/rig.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'dist/server/src/cli.js');
const PROJECT = 'mncrash';
const rig = rigEnv();
const docker = rigDocker(rig);
const home = mkdtempSync(join(tmpdir(), 'mna-crash-'));
const env = stackEnv(rig.dockerHost, PROJECT);

const removeProject = (): Promise<void> => removeComposeProject(docker, PROJECT);

/** The built `serve`, ready: its URL and token from serve.json. */
async function serve(): Promise<{ child: ChildProcess; url: string; token: string }> {
  const child = spawn(process.execPath, [CLI, 'serve', '--home', home, '--port', '0'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (/^ready /m.test(out)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code}`)));
  });
  const { url, token } = JSON.parse(readFileSync(join(home, 'serve.json'), 'utf8')) as {
    url: string;
    token: string;
  };
  return { child, url, token };
}

beforeAll(async () => {
  execFileSync('npm', ['run', '-s', 'build:node'], { cwd: ROOT, stdio: 'pipe', timeout: 170_000 });
  await removeProject();
  await initStack(rig, home, env);
}, 180_000);

afterAll(async () => {
  await removeProject();
  rmSync(home, { recursive: true, force: true });
});

describe('a job cut short by SIGKILL', () => {
  it('is marked interrupted at the next start, and a new up then succeeds', async () => {
    const first = await serve();
    const client = createApiClient({ baseUrl: first.url, token: first.token });
    const { jobId } = await client.stackAction({ action: 'up', services: [] });
    expect((await client.job({ id: jobId })).state).toBe('running');
    // Let it get under way (networks, first containers), then kill it without warning.
    await new Promise((r) => setTimeout(r, 1500));
    const killed = new Promise((resolve) => first.child.once('exit', resolve));
    first.child.kill('SIGKILL');
    await killed;

    const second = await serve();
    try {
      const again = createApiClient({ baseUrl: second.url, token: second.token });
      const job = await again.job({ id: jobId });
      expect(job).toMatchObject({
        state: 'interrupted',
        kind: 'up',
        error: { message: 'The appliance stopped while this job ran.' },
      });
      expect(job.finishedAt).not.toBeNull();
      expect((await again.jobs({})).filter((j) => j.state === 'running')).toEqual([]);
    } finally {
      const stopped = new Promise((resolve) => second.child.once('exit', resolve));
      second.child.kill('SIGTERM');
      await stopped;
    }
    // The half-done up is finished by the next one.
    await cliOk(['up', '--home', home], env);
    const rows = JSON.parse(
      (await cliOk(['status', '--json', '--home', home], env)).stdout,
    ) as Array<{ service: string; health: string }>;
    for (const row of rows.filter((r) => r.service !== 'migrate'))
      expect(row.health, row.service).toBe('healthy');
  });
});
