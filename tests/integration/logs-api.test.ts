/**
 * The log view through the real server: `createServer()` on port 0 with a token, its compose project
 * set to a private one whose services are plain labelled containers on the rig's engine. History and
 * search through the typed client, follow over SSE and download over node:http with the bearer token.
 * Canaries: a secret file in the home's secrets folder, and the per-launch token itself.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient, type ApiClient } from '../../server/src/contract/client.js';
import { createSseParser } from '../../server/src/contract/event-stream.js';
import {
  LOGS_DOWNLOAD_PATH,
  LOGS_FOLLOW_PATH,
  LogFollowMessageSchema,
  type LogFollowMessage,
  type LogLine,
} from '../../server/src/contract/logs-routes.js';
import { createServer, type AppServer } from '../../server/src/index.js';
import { homePaths } from '../../server/src/infra/fs/home.js';
import { createLogger } from '../../server/src/infra/log/logger.js';
import { byEngineStamp, tickStart, ticker, woven } from './support/tickers.js';
import { demux, waitUntil } from './support/containers.js';
import { request } from './support/http.js';
import { imageOf, rigDocker, rigEnv } from './support/rig.js';

const rig = rigEnv();
const docker = rigDocker(rig);
const project = `mnlogapi${randomBytes(3).toString('hex')}`;
const home = mkdtempSync(join(tmpdir(), 'mna-logs-api-'));
const token = randomBytes(32).toString('hex');
const canary = `canary-${randomBytes(12).toString('hex')}`;
const image = imageOf(rig, 'backend');
const log: string[] = [];

let server: AppServer;
let client: ApiClient;
let base = '';
let alpha: Docker.Container;
let beta: Docker.Container;

async function removeProject(): Promise<void> {
  const label = `com.docker.compose.project=${project}`;
  for (const c of await docker.listContainers({ all: true, filters: { label: [label] } })) {
    await docker.getContainer(c.Id).remove({ force: true });
  }
}

/** A service of our project: a container running a node script (the backend stand-in has node). */
async function service(
  name: string,
  script: string,
  env: Record<string, string> = {},
): Promise<Docker.Container> {
  const container = await docker.createContainer({
    name: `${project}-${name}-1`,
    Image: image,
    Entrypoint: ['node', '-e', script],
    Cmd: [],
    Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
    Labels: {
      'com.docker.compose.project': project,
      'com.docker.compose.service': name,
      'com.docker.compose.container-number': '1',
    },
    HostConfig: { NetworkMode: 'none' },
  });
  await container.start();
  return container;
}

async function engineLog(
  container: Docker.Container,
): Promise<Array<{ time: string; text: string }>> {
  const raw = await container.logs({ stdout: true, stderr: true, timestamps: true, follow: false });
  const { stdout, stderr } = demux(raw);
  return (stdout + stderr)
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => ({ time: l.slice(0, l.indexOf(' ')), text: l.slice(l.indexOf(' ') + 1) }));
}

const norm = (time: string): number => Date.parse(time);

beforeAll(async () => {
  await removeProject();
  const paths = homePaths(home);
  mkdirSync(paths.secretsDir, { recursive: true });
  writeFileSync(join(paths.secretsDir, 'db_password'), `${canary}\n`, { mode: 0o600 });
  server = createServer({
    home,
    token,
    port: 0,
    env: { ...process.env, DOCKER_HOST: rig.dockerHost, MEDIANEST_COMPOSE_PROJECT: project },
    logger: createLogger({ write: (line) => log.push(line) }),
    monitorHealth: false,
  });
  const started = await server.start();
  base = started.url;
  client = createApiClient({ baseUrl: base, token });

  const t0 = tickStart();
  alpha = await service('alpha', ticker(t0, 'A', 0));
  beta = await service('beta', ticker(t0, 'B', 100));
  await service(
    'leaky',
    // stderr a moment later: the engine reads the two streams apart and stamps them as it reads.
    `console.log('connecting with password ' + process.env.CANARY + ' to db');setTimeout(()=>console.error('bearer ' + process.env.TOKEN),300);setInterval(()=>{},1e6);`,
    { CANARY: canary, TOKEN: token },
  );
  await waitUntil(
    'the tickers to finish',
    async () => ((await engineLog(beta)).length >= 6 ? true : undefined),
    20_000,
  );
}, 40_000);

afterAll(async () => {
  await server?.stop();
  await removeProject();
  rmSync(home, { recursive: true, force: true });
});

describe('history and search through the typed client', () => {
  it('merges services in engine-timestamp order', async () => {
    const history = await client.logsHistory({ services: ['alpha', 'beta'], tail: 100 });
    expect(history.truncated).toBe(false);
    const engine = byEngineStamp([...(await engineLog(alpha)), ...(await engineLog(beta))]);
    expect(history.lines.map((l) => l.text)).toEqual(engine.map((e) => e.text));
    expect(woven(history.lines.map((l) => l.text))).toBe(true);
    expect(history.lines.map((l) => norm(l.time))).toEqual(engine.map((e) => norm(e.time)));
    expect(history.lines.find((l) => l.text === 'B1')).toMatchObject({
      service: 'beta',
      stream: 'stdout',
      container: `${project}-beta-1`,
    });
  });

  it('masks the canary secret and the token in history', async () => {
    const history = await client.logsHistory({ services: ['leaky'] });
    expect(history.lines.map((l) => [l.stream, l.text])).toEqual([
      ['stdout', 'connecting with password [redacted] to db'],
      ['stderr', 'bearer [redacted]'],
    ]);
    const all = JSON.stringify(await client.logsHistory({}));
    expect(all).not.toContain(canary);
    expect(all).not.toContain(token);
    expect(all).toContain('A6');
  });

  it('searches by substring (case option) and by regular expression', async () => {
    const any = await client.logsSearch({ query: 'a3' });
    expect(any.lines.map((l) => l.text)).toEqual(['A3']);
    const exact = await client.logsSearch({ query: 'a3', caseSensitive: true });
    expect(exact.lines).toEqual([]);
    const re = await client.logsSearch({ query: '^B[2-4]$', regex: true, caseSensitive: true });
    expect(re.lines.map((l) => l.text)).toEqual(['B2', 'B3', 'B4']);
    expect(re.scanned).toBeGreaterThanOrEqual(14);
    expect((await client.logsSearch({ query: canary.slice(0, 14) })).lines).toEqual([]);
  });
});

describe('the streaming endpoints with the bearer token', () => {
  it('refuses the follow and the download without the token', async () => {
    expect((await request(`${base}${LOGS_FOLLOW_PATH}`)).status).toBe(401);
    expect((await request(`${base}${LOGS_DOWNLOAD_PATH}`)).status).toBe(401);
  });

  it('follows new lines over SSE, in order, masked', async () => {
    const messages: LogFollowMessage[] = [];
    const req = http.get(
      `${base}${LOGS_FOLLOW_PATH}?services=live,alpha&tail=2`,
      { agent: false, headers: { authorization: `Bearer ${token}` } },
      (res) => {
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-type']).toContain('text/event-stream');
        const parser = createSseParser((m) =>
          messages.push(LogFollowMessageSchema.parse(JSON.parse(m.data))),
        );
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => parser.push(chunk));
      },
    );
    try {
      const lines = (): LogLine[] =>
        messages.flatMap((m) => (m.type === 'logs.lines' ? m.lines : []));
      await waitUntil(
        'the tail of alpha',
        async () => (lines().length >= 2 ? true : undefined),
        10_000,
        50,
      );
      await service(
        'live',
        `let i=0;const t=setInterval(()=>{i++;console.log('L'+i+(i===5?' '+process.env.CANARY:''));if(i>=20)clearInterval(t)},30);setInterval(()=>{},1e6);`,
        { CANARY: canary },
      );
      await waitUntil(
        'the live lines',
        async () => (lines().filter((l) => l.service === 'live').length >= 20 ? true : undefined),
        20_000,
        50,
      );
      const got = lines();
      expect(got.slice(0, 2).map((l) => l.text)).toEqual(['A5', 'A6']);
      const live = got.filter((l) => l.service === 'live').map((l) => l.text);
      expect(live).toEqual(
        Array.from({ length: 20 }, (_, k) => (k === 4 ? 'L5 [redacted]' : `L${k + 1}`)),
      );
      expect(messages.some((m) => m.type === 'logs.skipped')).toBe(false);
      expect(JSON.stringify(messages)).not.toContain(canary);
    } finally {
      req.destroy();
    }
  });

  it('downloads text and NDJSON that match the engine log', async () => {
    const auth = { authorization: `Bearer ${token}` };
    const engine = await engineLog(alpha);
    const text = await request(`${base}${LOGS_DOWNLOAD_PATH}?services=alpha&format=text`, {
      headers: auth,
    });
    expect(text.status).toBe(200);
    expect(text.headers['content-type']).toContain('text/plain');
    expect(text.headers['content-disposition']).toMatch(
      /attachment; filename="medianest-logs-.*\.log"/,
    );
    const rows = text.body
      .toString()
      .trimEnd()
      .split('\n')
      .map((l) => l.split(' '));
    expect(rows.map((r) => [norm(r[0] ?? ''), r[1], r[2], r[3]])).toEqual(
      engine.map((e) => [norm(e.time), 'alpha', 'stdout', e.text]),
    );
    const nd = await request(`${base}${LOGS_DOWNLOAD_PATH}?format=ndjson`, { headers: auth });
    expect(nd.status).toBe(200);
    expect(nd.headers['content-type']).toContain('application/x-ndjson');
    const all = nd.body
      .toString()
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as LogLine);
    expect(all.filter((l) => l.service === 'alpha').map((l) => [norm(l.time), l.text])).toEqual(
      engine.map((e) => [norm(e.time), e.text]),
    );
    expect(all.some((l) => l.text === 'connecting with password [redacted] to db')).toBe(true);
    expect(nd.body.toString()).not.toContain(canary);
    expect(nd.body.toString()).not.toContain(token);
  });
});
