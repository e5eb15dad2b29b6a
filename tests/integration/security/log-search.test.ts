/**
 * Issue 17, section 2: one regular expression must not freeze the server. `^(a+)+$` as a log search
 * on a 30-character line held the event loop for 26 s, and SSE, alerts and monitoring froze with it.
 * Here the real server (`createServer()` on port 0) searches the real engine's log of one container
 * of a private compose project, whose lines are exactly what that pattern backtracks on: short and
 * very long runs of `a` ending in `!`. The search must be answered (refused) within a second, and
 * `/api/health` must answer while it runs.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorBody } from '../../../server/src/contract/errors.js';
import type { LogSearchResult } from '../../../server/src/contract/logs-routes.js';
import { createServer, type AppServer } from '../../../server/src/index.js';
import { createLogger } from '../../../server/src/infra/log/logger.js';
import { demux, waitUntil } from '../support/containers.js';
import { request } from '../support/http.js';
import { imageOf, rigDocker, rigEnv } from '../support/rig.js';

const rig = rigEnv();
const docker = rigDocker(rig);
const project = 'mna-sec-logs';
const home = mkdtempSync(join(tmpdir(), 'mna-sec-logs-'));
const token = randomBytes(32).toString('hex');
const auth = { authorization: `Bearer ${token}` };
/** 30 to 39 `a`s, then 20 lines of 5000: each one alone takes a backtracking engine forever. */
const LINES = [
  ...Array.from({ length: 10 }, (_, i) => 'a'.repeat(30 + i) + '!'),
  ...Array.from({ length: 20 }, () => 'a'.repeat(5000) + '!'),
  'the end',
];

let server: AppServer;
let base = '';
let container: Docker.Container;

async function removeProject(): Promise<void> {
  const label = `com.docker.compose.project=${project}`;
  for (const c of await docker.listContainers({ all: true, filters: { label: [label] } })) {
    await docker.getContainer(c.Id).remove({ force: true });
  }
}

const search = (query: string, regex: boolean) =>
  `${base}/api/logs/search?${new URLSearchParams({ query, regex: String(regex) }).toString()}`;

beforeAll(async () => {
  await removeProject();
  server = createServer({
    home,
    token,
    port: 0,
    env: { ...process.env, DOCKER_HOST: rig.dockerHost, MEDIANEST_COMPOSE_PROJECT: project },
    logger: createLogger({ write: () => undefined }),
    monitorHealth: false,
  });
  base = (await server.start()).url;
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
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await removeProject();
  rmSync(home, { recursive: true, force: true });
});

describe('a catastrophic regular expression as a log search', () => {
  it('is refused within a second, naming the field, while /api/health answers', async () => {
    const started = performance.now();
    let answeredAt = 0;
    const searching = request(search('^(a+)+$', true), { headers: auth, timeoutMs: 60_000 }).then(
      (res) => {
        answeredAt = performance.now();
        return res;
      },
    );
    // Health, asked one after another for as long as the search runs.
    const health: Array<{ status: number; ms: number }> = [];
    while (answeredAt === 0 && performance.now() - started < 5000) {
      const asked = performance.now();
      const res = await request(`${base}/api/health`, { timeoutMs: 5000 });
      health.push({ status: res.status, ms: performance.now() - asked });
    }
    const res = await searching;

    expect(answeredAt - started).toBeLessThan(1000);
    expect(res.status).toBe(422);
    const body = res.json<ErrorBody>();
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.message).toMatch(/^query: this regular expression took longer/);
    expect(health.length).toBeGreaterThan(0);
    for (const h of health) expect(h).toMatchObject({ status: 200 });
    expect(Math.max(...health.map((h) => h.ms))).toBeLessThan(500);
  });

  it('leaves the server searching as before: a plain pattern over the same lines answers', async () => {
    const res = await request(search('^a{30}!$', true), { headers: auth });
    expect(res.status).toBe(200);
    const body = res.json<LogSearchResult>();
    expect(body.lines.map((l) => l.text)).toEqual(['a'.repeat(30) + '!']);
    expect(body.scanned).toBe(LINES.length);
    expect(body.truncated).toBe(false);
  });
});
