/**
 * Issue 17, section 2: one regular expression must not freeze the server. `^(a+)+$` as a log search
 * on a 30-character line held the event loop for 26 s, and SSE, alerts and monitoring froze with it.
 * Here the built `serve` runs as its own process (so a frozen server shows as unanswered requests,
 * not as a frozen test) and searches the real engine's log of one container of a private compose
 * project, whose lines are exactly what that pattern backtracks on: short and very long runs of `a`
 * ending in `!`. The search must be refused (the server stops it at its time budget; without one it
 * runs for minutes) and `/api/health` must answer while it runs. How fast is the budget's business,
 * not this test's: a loaded machine stretches it.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorBody } from '../../../server/src/contract/errors.js';
import type { LogSearchResult } from '../../../server/src/contract/logs-routes.js';
import { cli } from '../support/cli.js';
import { demux, waitUntil } from '../support/containers.js';
import { request } from '../support/http.js';
import { imageOf, rigDocker, rigEnv } from '../support/rig.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const CLI = join(ROOT, 'dist/server/src/cli.js');
const rig = rigEnv();
const docker = rigDocker(rig);
const project = 'mna-sec-logs';
const home = mkdtempSync(join(tmpdir(), 'mna-sec-logs-'));
/** 30 to 39 `a`s, then 20 lines of 5000: each one alone takes a backtracking engine forever. */
const LINES = [
  ...Array.from({ length: 10 }, (_, i) => 'a'.repeat(30 + i) + '!'),
  ...Array.from({ length: 20 }, () => 'a'.repeat(5000) + '!'),
  'the end',
];

let serve: ChildProcess | undefined;
let base = '';
let auth: Record<string, string> = {};
let container: Docker.Container;

async function removeProject(): Promise<void> {
  const label = `com.docker.compose.project=${project}`;
  for (const c of await docker.listContainers({ all: true, filters: { label: [label] } })) {
    await docker.getContainer(c.Id).remove({ force: true });
  }
}

const search = (query: string, regex: boolean) =>
  `${base}/api/logs/search?${new URLSearchParams({ query, regex: String(regex) }).toString()}`;

async function startServe(): Promise<void> {
  const child = spawn(process.execPath, [CLI, 'serve', '--home', home, '--port', '0'], {
    env: { ...process.env, DOCKER_HOST: rig.dockerHost, MEDIANEST_COMPOSE_PROJECT: project },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  serve = child;
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ready = /^ready (\S+)$/m.exec(stdout);
    if (ready?.[1]) {
      base = ready[1];
      break;
    }
    if (child.exitCode !== null) throw new Error(`serve exited early: ${stderr}`);
    if (Date.now() > deadline) throw new Error(`serve did not become ready: ${stderr}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const { token } = JSON.parse(readFileSync(join(home, 'serve.json'), 'utf8')) as {
    token: string;
  };
  auth = { authorization: `Bearer ${token}` };
}

beforeAll(async () => {
  // The test runs the built CLI: build it first, so it never tests stale output.
  execFileSync('npm', ['run', '-s', 'build:node'], { cwd: ROOT, stdio: 'pipe', timeout: 170_000 });
  await removeProject();
  await startServe();
  container = await docker.createContainer({
    name: `${project}-writer-1`,
    Image: imageOf(rig, 'backend'),
    Entrypoint: [
      'node',
      '-e',
      `for (const l of ${JSON.stringify(LINES)}) console.log(l); setInterval(() => {}, 1e6);`,
    ],
    Cmd: [],
    Labels: {
      'com.docker.compose.project': project,
      'com.docker.compose.service': 'writer',
      'com.docker.compose.container-number': '1',
    },
    HostConfig: { NetworkMode: 'none' },
  });
  await container.start();
  await waitUntil(
    'the writer to print every line',
    async () => {
      const raw = await container.logs({ stdout: true, stderr: true, follow: false });
      return demux(raw).stdout.includes('the end') ? true : undefined;
    },
    20_000,
  );
}, 240_000);

afterAll(async () => {
  if (serve && serve.exitCode === null) {
    const gone = new Promise((resolve) => serve?.once('exit', resolve));
    serve.kill('SIGKILL');
    await gone;
  }
  await removeProject();
  rmSync(home, { recursive: true, force: true });
});

describe('a catastrophic regular expression as a log search', () => {
  it('is refused, not run to its end, naming the field, while /api/health answers', async () => {
    const started = performance.now();
    let answeredAt = 0;
    const searching = request(search('^(a+)+$', true), { headers: auth, timeoutMs: 15_000 }).then(
      (res) => {
        answeredAt = performance.now();
        return res;
      },
      () => undefined,
    );
    // Health, asked one after another for as long as the search runs.
    const health: Array<{ status: number; at: number }> = [];
    while (answeredAt === 0 && performance.now() - started < 15_000) {
      const res = await request(`${base}/api/health`, { timeoutMs: 2000 }).catch(() => undefined);
      health.push({ status: res?.status ?? 0, at: performance.now() });
    }
    const res = await searching;

    expect(res, 'the search got no answer within 15 s').toBeDefined();
    expect(res?.status).toBe(422);
    const body = res?.json<ErrorBody>();
    expect(body?.error.code).toBe('validation_failed');
    expect(body?.error.message).toMatch(/^query: this regular expression took longer/);
    expect(health.map((h) => h.status)).not.toContain(0);
    expect(health.filter((h) => h.status === 200 && h.at < answeredAt).length).toBeGreaterThan(0);
  });

  it('leaves the server searching as before: a plain pattern over the same lines answers', async () => {
    const res = await request(search('^a{30}!$', true), { headers: auth });
    expect(res.status).toBe(200);
    const body = res.json<LogSearchResult>();
    expect(body.lines.map((l) => l.text)).toEqual(['a'.repeat(30) + '!']);
    expect(body.scanned).toBe(LINES.length);
    expect(body.truncated).toBe(false);
  });

  it('is refused by `logs --grep` too, naming the flag; a plain pattern still prints', async () => {
    const env = { ...process.env, DOCKER_HOST: rig.dockerHost, MEDIANEST_COMPOSE_PROJECT: project };
    const started = performance.now();
    const refused = await cli(['logs', '--home', home, '--grep', '^(a+)+$'], env);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--grep: this regular expression took longer than \d+ ms/);
    const plain = await cli(['logs', '--home', home, '--grep', '^a{31}!$'], env);
    expect(plain.code).toBe(0);
    const printed = plain.stdout.split('\n').map((l) => l.slice(l.indexOf('| ') + 2));
    expect(printed).toEqual([`${'a'.repeat(31)}!`]);
  });

  it('lets the command end by itself once it has printed (the idle worker holds no process)', async () => {
    const child = spawn(process.execPath, [CLI, 'logs', '--home', home, '--grep', '^a{32}!$'], {
      env: { ...process.env, DOCKER_HOST: rig.dockerHost, MEDIANEST_COMPOSE_PROJECT: project },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    const code = await new Promise<number | null | 'still running'>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve('still running');
      }, 30_000);
      child.once('exit', (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
    expect(code).toBe(0);
    expect(stdout).toContain(`| ${'a'.repeat(32)}!`);
  });
});
