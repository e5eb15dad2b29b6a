/**
 * Log throughput: a container prints N numbered lines as fast as it can; our follow API (SSE, in
 * this process) and `docker logs -f | wc -l` read the same container in the same run.
 * Follow latency: then a second container prints M lines, one every 20 ms, each carrying its own
 * write time (Date.now() inside the container: same machine, same clock); the SSE client notes when
 * each arrives. p50/p99 of (arrival - written), and of (arrival - engine timestamp), target p99 < 250 ms.
 * Usage: DOCKER_HOST=unix:///... MEDIANEST_IMAGES=... npx tsx bench/log-throughput/run.ts [N] [M]
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { createSseParser } from '../../server/src/contract/event-stream.js';
import { LOGS_FOLLOW_PATH, type LogFollowMessage } from '../../server/src/contract/logs-routes.js';
import { logStreamsRouter } from '../../server/src/http/logs-routes.js';
import { homePaths } from '../../server/src/infra/fs/home.js';
import { createLogService } from '../../server/src/app/logs.js';
import { rigDocker, rigEnv, imageOf } from '../../tests/integration/support/rig.js';

const N = Number(process.argv[2] ?? 500_000);
const M = Number(process.argv[3] ?? 400);
const INTERVAL_MS = 20;
const rig = rigEnv();
const docker = rigDocker(rig);
const project = `mnbench${randomBytes(3).toString('hex')}`;
const env = { ...process.env, MEDIANEST_COMPOSE_PROJECT: project };
const home = mkdtempSync(join(tmpdir(), 'mna-bench-'));

const app = express();
app.use(
  logStreamsRouter({
    logs: () => createLogService(homePaths(home), env),
    requireAuth: (_q, _s, n) => n(),
  }).router,
);
const server = app.listen(0, '127.0.0.1');
await new Promise((r) => server.once('listening', r));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const container = await docker.createContainer({
  name: `${project}-flood-1`,
  Image: imageOf(rig, 'backend'),
  Entrypoint: [
    'node',
    '-e',
    `setTimeout(()=>{let i=0;const N=${N};const w=()=>{let s='';const e=Math.min(N,i+2000);while(i<e){i++;s+='line '+i+'\\n'}if(process.stdout.write(s)){if(i<N)setImmediate(w)}else process.stdout.once('drain',w)};w()},1500);setInterval(()=>{},1e6)`,
  ],
  Cmd: [],
  Labels: {
    'com.docker.compose.project': project,
    'com.docker.compose.service': 'flood',
    'org.medianest.test': 'bench',
  },
  HostConfig: { NetworkMode: 'none' },
});
try {
  await container.start();
  const ours = new Promise<{ lines: number; ms: number; ordered: boolean; skipped: number }>(
    (resolve, reject) => {
      let lines = 0;
      let last = 0;
      let ordered = true;
      let skipped = 0;
      let first = 0;
      const req = http.get(`${base}${LOGS_FOLLOW_PATH}?services=flood&tail=0`, (res) => {
        const parser = createSseParser((m) => {
          const msg = JSON.parse(m.data) as LogFollowMessage;
          if (msg.type === 'logs.skipped') skipped += msg.count;
          if (msg.type !== 'logs.lines') return;
          first ||= Date.now();
          for (const l of msg.lines) {
            const n = Number(l.text.slice(5));
            if (n !== last + 1) ordered = false;
            last = n;
            lines++;
          }
          if (last >= N) {
            req.destroy();
            resolve({ lines, ms: Date.now() - first, ordered, skipped });
          }
        });
        res.setEncoding('utf8');
        res.on('data', (c: string) => parser.push(c));
      });
      req.on('error', reject);
    },
  );
  const theirs = new Promise<{ lines: number; ms: number }>((resolve) => {
    const child = spawn('sh', ['-c', `docker logs -f ${container.id}`], {
      env: { ...process.env, DOCKER_HOST: rig.dockerHost },
    });
    let lines = 0;
    let first = 0;
    child.stdout.on('data', (c: Buffer) => {
      first ||= Date.now();
      for (const b of c) if (b === 10) lines++;
      if (lines >= N) {
        child.kill();
        resolve({ lines, ms: Date.now() - first });
      }
    });
  });
  const [a, b] = await Promise.all([ours, theirs]);
  const rate = (r: { lines: number; ms: number }): number => Math.round(r.lines / (r.ms / 1000));
  console.log(
    JSON.stringify(
      {
        N,
        api: { ...a, perSecond: rate(a) },
        dockerLogs: { ...b, perSecond: rate(b) },
        ratio: +(rate(a) / rate(b)).toFixed(2),
      },
      null,
      2,
    ),
  );
  await container.remove({ force: true });
  console.log(JSON.stringify({ followLatency: await followLatency() }, null, 2));
} finally {
  await container.remove({ force: true }).catch(() => undefined);
  await docker
    .getContainer(`${project}-tick-1`)
    .remove({ force: true })
    .catch(() => undefined);
  server.close();
  server.closeAllConnections();
  rmSync(home, { recursive: true, force: true });
}

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? NaN;
}

/** M timestamped lines at a modest rate; how long each takes from write to the SSE client. */
async function followLatency(): Promise<Record<string, unknown>> {
  const tick = await docker.createContainer({
    name: `${project}-tick-1`,
    Image: imageOf(rig, 'backend'),
    Entrypoint: [
      'node',
      '-e',
      `setTimeout(()=>{let i=0;const t=setInterval(()=>{i++;console.log('lat '+i+' '+Date.now());if(i>=${M})clearInterval(t)},${INTERVAL_MS})},2500);setInterval(()=>{},1e6)`,
    ],
    Cmd: [],
    Labels: {
      'com.docker.compose.project': project,
      'com.docker.compose.service': 'tick',
      'org.medianest.test': 'bench',
    },
    HostConfig: { NetworkMode: 'none' },
  });
  await tick.start();
  const fromWrite: number[] = [];
  const fromEngine: number[] = [];
  let last = 0;
  let ordered = true;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => {
        req.destroy();
        reject(new Error(`latency: only ${fromWrite.length} of ${M} lines arrived`));
      },
      2500 + M * INTERVAL_MS + 30_000,
    );
    const req = http.get(`${base}${LOGS_FOLLOW_PATH}?services=tick&tail=0`, (res) => {
      const parser = createSseParser((m) => {
        const at = Date.now();
        const msg = JSON.parse(m.data) as LogFollowMessage;
        if (msg.type !== 'logs.lines') return;
        for (const l of msg.lines) {
          const [, n, written] = l.text.split(' ');
          if (Number(n) !== last + 1) ordered = false;
          last = Number(n);
          fromWrite.push(at - Number(written));
          fromEngine.push(at - Date.parse(l.time));
        }
        if (last >= M) {
          clearTimeout(timer);
          req.destroy();
          resolve();
        }
      });
      res.setEncoding('utf8');
      res.on('data', (c: string) => parser.push(c));
    });
    req.on('error', reject);
  });
  await tick.remove({ force: true });
  const a = [...fromWrite].sort((x, y) => x - y);
  const e = [...fromEngine].sort((x, y) => x - y);
  const p99 = percentile(a, 99);
  return {
    lines: a.length,
    intervalMs: INTERVAL_MS,
    ordered,
    writtenToClientMs: { p50: percentile(a, 50), p99, max: a.at(-1) },
    engineTimeToClientMs: { p50: percentile(e, 50), p99: percentile(e, 99), max: e.at(-1) },
    p99Under250ms: p99 < 250,
  };
}
