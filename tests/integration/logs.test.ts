/**
 * The log view against the rig's engine: plain containers carrying the compose labels of a private
 * project, a home made by `init` (its real generated secrets are the canaries), the log routes
 * mounted on an express app exactly as the server mounts them.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { createSseParser } from '../../server/src/contract/event-stream.js';
import {
  LOGS_DOWNLOAD_PATH,
  LOGS_FOLLOW_PATH,
  LogFollowMessageSchema,
  logsRoutes,
  type LogFollowMessage,
  type LogHistory,
  type LogLine,
  type LogSearchResult,
} from '../../server/src/contract/logs-routes.js';
import { AppError } from '../../server/src/core/app-error.js';
import { errorMiddleware } from '../../server/src/http/error-middleware.js';
import { logsHandlers, logStreamsRouter } from '../../server/src/http/logs-routes.js';
import { fieldErrors } from '../../server/src/http/routes.js';
import { homePaths } from '../../server/src/infra/fs/home.js';
import { createLogService } from '../../server/src/app/logs.js';
import { cliOk } from './support/cli.js';
import { byEngineStamp, tickStart, ticker, woven } from './support/tickers.js';
import { demux, removeLabelled, TEST_LABEL, waitUntil } from './support/containers.js';
import { request } from './support/http.js';
import { imageOf, rigDocker, rigEnv } from './support/rig.js';
import { freeHttpPort } from './support/ports.js';

const rig = rigEnv();
const docker = rigDocker(rig);
const suite = `logs-${randomBytes(3).toString('hex')}`;
const project = `mnlogs${randomBytes(3).toString('hex')}`;
const env = { ...process.env, MEDIANEST_COMPOSE_PROJECT: project };
const home = mkdtempSync(join(tmpdir(), 'mna-logs-'));
const paths = homePaths(home);
const image = imageOf(rig, 'backend');

/** A container of our project, running a node script (the backend stand-in has node). */
async function service(
  name: string,
  script: string,
  extraEnv: Record<string, string> = {},
): Promise<Docker.Container> {
  const container = await docker.createContainer({
    name: `${project}-${name}-1`,
    Image: image,
    Entrypoint: ['node', '-e', script],
    Cmd: [],
    Env: Object.entries(extraEnv).map(([k, v]) => `${k}=${v}`),
    Labels: {
      [TEST_LABEL]: suite,
      'com.docker.compose.project': project,
      'com.docker.compose.service': name,
      'com.docker.compose.container-number': '1',
    },
    HostConfig: { NetworkMode: 'none' },
  });
  await container.start();
  return container;
}

/** The engine's own log of a container: (time, text) with the engine's timestamps. */
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

/** The last line a container wrote, read without pulling its whole log into this process. */
async function lastLine(container: Docker.Container): Promise<string> {
  const raw = await container.logs({ stdout: true, stderr: true, tail: 1, follow: false });
  const { stdout, stderr } = demux(raw);
  return (stdout + stderr).trim();
}

const norm = (time: string): number => Date.parse(time);
let server: http.Server;
let base = '';
let stats: ReturnType<typeof logStreamsRouter>['stats'];
let secrets: string[] = [];
let alpha: Docker.Container;
let beta: Docker.Container;

beforeAll(async () => {
  await removeLabelled(docker, suite);
  const port = await freeHttpPort();
  await cliOk(
    [
      'init',
      '--home',
      home,
      '--images',
      rig.imagesFile,
      '--http-port',
      String(port),
      '--https-port',
      String(port + 1),
    ],
    env,
  );
  const dir = paths.secretsDir;
  secrets = readdirSync(dir)
    .filter((n) => statSync(join(dir, n)).isFile() && !n.startsWith('plex_'))
    .map((n) => readFileSync(join(dir, n), 'utf8').trim())
    .filter((v) => v.length >= 8);
  expect(secrets.length).toBeGreaterThan(2);

  const app = express();
  const pass: express.RequestHandler = (_req, _res, next) => next();
  const logs = () => createLogService(paths, env);
  const handlers = logsHandlers({ logs });
  for (const [name, route] of Object.entries(logsRoutes)) {
    app.get(route.path, async (req, res) => {
      const parsed = (route.input as z.ZodType).safeParse(req.query);
      if (!parsed.success)
        throw new AppError('validation_failed', 'bad input', { fields: fieldErrors(parsed.error) });
      const handler = handlers[name as keyof typeof handlers] as (
        i: unknown,
        req: express.Request,
        res: express.Response,
      ) => Promise<unknown>;
      res.json(await handler(parsed.data, req, res));
    });
  }
  const streams = logStreamsRouter({
    logs,
    requireAuth: pass,
    buffer: { maxLines: 2000, maxBytes: 1024 * 1024 },
    socketHighWaterBytes: 64 * 1024,
  });
  stats = streams.stats;
  app.use(streams.router);
  app.use(errorMiddleware(() => undefined));
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const t0 = tickStart();
  alpha = await service('alpha', ticker(t0, 'A', 0));
  beta = await service('beta', ticker(t0, 'B', 100));
  // stderr a moment after stdout: the engine reads the two streams apart and stamps them as it reads.
  await service(
    'leaky',
    `console.log('connecting with password ' + process.env.CANARY + ' to db');setTimeout(()=>console.error('redis auth ' + process.env.CANARY2),300);setInterval(()=>{},1e6);`,
    {
      CANARY: secrets[0] ?? '',
      CANARY2: secrets[1] ?? '',
    },
  );
  await waitUntil(
    'the tickers to finish',
    async () => ((await engineLog(beta)).length >= 6 ? true : undefined),
    20_000,
  );
});

afterAll(async () => {
  server?.close();
  server?.closeAllConnections();
  await removeLabelled(docker, suite);
  rmSync(home, { recursive: true, force: true });
});

const getJson = async <T>(path: string): Promise<T> => {
  const res = await request(`${base}${path}`);
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${res.body.toString()}`);
  return res.json<T>();
};

describe('history and merge', () => {
  it('merges services in the order of the engine timestamps', async () => {
    const history = await getJson<LogHistory>('/api/logs?services=alpha,beta&tail=100');
    const engine = byEngineStamp([...(await engineLog(alpha)), ...(await engineLog(beta))]);
    expect(history.lines.map((l) => l.text)).toEqual(engine.map((e) => e.text));
    expect(woven(history.lines.map((l) => l.text))).toBe(true);
    expect(history.lines.map((l) => norm(l.time))).toEqual(engine.map((e) => norm(e.time)));
    expect(history.lines.find((l) => l.text === 'A1')).toMatchObject({
      service: 'alpha',
      stream: 'stdout',
      container: `${project}-alpha-1`,
    });
  });

  it('names an unknown service instead of showing nothing', async () => {
    const res = await request(`${base}/api/logs?services=nope`);
    expect(res.status).toBe(404);
    expect(res.body.toString()).toContain('nope');
  });
});

describe('search', () => {
  it('finds lines by substring (case option) and by regular expression within a time range', async () => {
    const any = await getJson<LogSearchResult>('/api/logs/search?query=a3');
    expect(any.lines.map((l) => l.text)).toEqual(['A3']);
    const exact = await getJson<LogSearchResult>('/api/logs/search?query=a3&caseSensitive=true');
    expect(exact.lines).toEqual([]);
    const all = await getJson<LogHistory>('/api/logs?services=alpha,beta&tail=100');
    const b2 = all.lines.find((l) => l.text === 'B2');
    const b5 = all.lines.find((l) => l.text === 'B5');
    const re = encodeURIComponent('^B\\d$');
    const ranged = await getJson<LogSearchResult>(
      `/api/logs/search?regex=true&caseSensitive=true&query=${re}&since=${b2?.time}&until=${b5?.time}`,
    );
    expect(ranged.lines.map((l) => l.text)).toEqual(['B2', 'B3', 'B4']);
  });
});

describe('download', () => {
  it('matches the engine logs of the same container, as text and as NDJSON', async () => {
    const engine = await engineLog(alpha);
    const text = await request(`${base}${LOGS_DOWNLOAD_PATH}?services=alpha&format=text`);
    expect(text.status).toBe(200);
    expect(text.headers['content-disposition']).toMatch(
      /attachment; filename="medianest-logs-.*\.log"/,
    );
    const rows = text.body
      .toString()
      .trimEnd()
      .split('\n')
      .map((l) => l.split(' '));
    expect(rows.map((r) => [norm(r[0] ?? ''), r[1], r[3]])).toEqual(
      engine.map((e) => [norm(e.time), 'alpha', e.text]),
    );
    const nd = await request(`${base}${LOGS_DOWNLOAD_PATH}?services=alpha&format=ndjson`);
    const lines = nd.body
      .toString()
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as LogLine);
    expect(lines.map((l) => [norm(l.time), l.text])).toEqual(
      engine.map((e) => [norm(e.time), e.text]),
    );
  });
});

describe('secret canaries', () => {
  it('masks the real generated secrets in history, search, download and the CLI', async () => {
    const history = await getJson<LogHistory>('/api/logs?services=leaky');
    expect(history.lines.map((l) => l.text)).toEqual([
      expect.stringContaining('password [redacted] to db'),
      'redis auth [redacted]',
    ]);
    const prefix = (secrets[0] ?? '').slice(0, 12);
    expect((await getJson<LogSearchResult>(`/api/logs/search?query=${prefix}`)).lines).toEqual([]);
    const download = await request(`${base}${LOGS_DOWNLOAD_PATH}?format=ndjson`);
    const { logsCommand } = await import('../../server/src/cli/logs-command.js');
    const out: string[] = [];
    const code = await logsCommand(
      { verb: 'logs', values: { home }, positionals: ['leaky'] },
      paths,
      {
        stdout: (t) => out.push(t),
        stderr: () => undefined,
        env,
        untilShutdown: async () => undefined,
      },
    );
    expect(code).toBe(0);
    expect(out.join('\n')).toContain('[redacted]');
    for (const value of secrets) {
      expect(JSON.stringify(history)).not.toContain(value);
      expect(download.body.toString()).not.toContain(value);
      expect(out.join('\n')).not.toContain(value);
    }
  });
});

/** Reads a follow stream; `pause` holds it unread until resumed. */
function follow(query: string): Promise<{
  messages: LogFollowMessage[];
  res: http.IncomingMessage;
  close: () => void;
}> {
  return new Promise((resolve, reject) => {
    const messages: LogFollowMessage[] = [];
    const req = http.get(`${base}${LOGS_FOLLOW_PATH}?${query}`, { agent: false }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`follow answered ${res.statusCode}`));
      const parser = createSseParser((m) =>
        messages.push(LogFollowMessageSchema.parse(JSON.parse(m.data))),
      );
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => parser.push(chunk));
      resolve({ messages, res, close: () => req.destroy() });
    });
    req.on('error', reject);
  });
}

const linesOf = (messages: LogFollowMessage[], service: string): LogLine[] =>
  messages.flatMap((m) =>
    m.type === 'logs.lines' ? m.lines.filter((l) => l.service === service) : [],
  );

describe('follow over SSE', () => {
  it('continues a restarted container without a gap or a duplicate', async () => {
    const counter = await service(
      'counter',
      `let i=0;const f='/tmp/n';try{i=Number(require('fs').readFileSync(f,'utf8'))}catch{};setInterval(()=>{i++;require('fs').writeFileSync(f,String(i));console.log('n'+i)},5);`,
    );
    // Each life waits for lines of its own (not a fixed time), so a loaded machine still restarts a
    // container that has written something in every life.
    const moreLines = async (what: string): Promise<void> => {
      const before = (await engineLog(counter)).length;
      await waitUntil(
        what,
        async () => ((await engineLog(counter)).length >= before + 30 ? true : undefined),
        30_000,
      );
    };
    await moreLines('the counter to start');
    const stream = await follow('services=counter&tail=10000');
    await moreLines('lines before the restart');
    await counter.restart({ t: 0 });
    await moreLines('lines after the restart');
    await counter.stop({ t: 0 });
    await counter.start();
    await moreLines('lines after the start');
    await counter.stop({ t: 0 });
    const engine = await engineLog(counter);
    await waitUntil(
      'the follow to catch up',
      async () => (linesOf(stream.messages, 'counter').length >= engine.length ? true : undefined),
      15_000,
    );
    await new Promise((r) => setTimeout(r, 300));
    stream.close();
    const got = linesOf(stream.messages, 'counter');
    expect(got.map((l) => l.text)).toEqual(engine.map((e) => e.text));
    expect(got.map((l) => norm(l.time))).toEqual(engine.map((e) => norm(e.time)));
    expect(stream.messages.some((m) => m.type === 'logs.skipped')).toBe(false);
    expect(engine.length).toBeGreaterThan(100);
  });

  it('gives a slow client skip markers, accounts for every line, and keeps memory bounded', async () => {
    const total = 300_000;
    const stream = await follow('services=flood&tail=0');
    stream.res.pause();
    await new Promise((r) => setTimeout(r, 300));
    const heapBefore = process.memoryUsage().heapUsed;
    const flood = await service(
      'flood',
      `let i=0;const N=${total};const w=()=>{let s='';const end=Math.min(N,i+2000);while(i<end){i++;s+='f'+i+'\\n'}if(process.stdout.write(s)){if(i<N)setImmediate(w)}else process.stdout.once('drain',w)};w();setInterval(()=>{},1e6);`,
    );
    let maxHeld = 0;
    let maxSocket = 0;
    const deadline = Date.now() + 60_000;
    for (;;) {
      const s = stats();
      maxHeld = Math.max(maxHeld, s.heldLines);
      maxSocket = Math.max(maxSocket, s.socketBytes);
      // Only the last line: reading the whole log here would grow this process's heap, which holds
      // the server under test too.
      const written = Number((await lastLine(flood)).slice(1)) || 0;
      if (written >= total || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
    expect(maxHeld).toBeLessThanOrEqual(2000);
    expect(maxSocket).toBeLessThan(64 * 1024 + 512 * 1024);
    expect(heapGrowth).toBeLessThan(150 * 1024 * 1024);
    stream.res.resume();
    const accounted = (): number =>
      linesOf(stream.messages, 'flood').length +
      stream.messages.reduce((n, m) => n + (m.type === 'logs.skipped' ? m.count : 0), 0);
    await waitUntil(
      'every line to be delivered or skipped',
      async () => (accounted() >= total ? true : undefined),
      60_000,
    );
    stream.close();
    const numbers = linesOf(stream.messages, 'flood').map((l) => Number(l.text.slice(1)));
    expect(stream.messages.some((m) => m.type === 'logs.skipped')).toBe(true);
    expect(accounted()).toBe(total);
    expect(numbers.every((n, i) => i === 0 || n > (numbers[i - 1] ?? 0))).toBe(true);
    expect(numbers.at(-1)).toBe(total);
  });
});
