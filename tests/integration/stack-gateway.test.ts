/**
 * Parts of the dockerode gateway that the stack test cannot reach as root: setting owners through
 * the engine (what a desktop user without root gets), losing the engine in the middle of `up`, and
 * the long-lived streams (events, logs) and a stats read ending when their reader stops, whatever
 * the engine is doing.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DockerodeLogGateway } from '../../server/src/infra/docker/dockerode-log-gateway.js';
import { DockerodeStackGateway } from '../../server/src/infra/docker/dockerode-stack-gateway.js';
import { DockerodeStatsGateway } from '../../server/src/infra/docker/dockerode-stats-gateway.js';
import { cli } from './support/cli.js';
import { removeLabelled, TEST_LABEL } from './support/containers.js';
import { initStack, stackEnv } from './support/installed-stack.js';
import { removeComposeProject } from './support/project.js';
import { rigDocker, rigEnv } from './support/rig.js';

const rig = rigEnv();
const docker = rigDocker(rig);
const dir = mkdtempSync(join(tmpdir(), 'mna-gw-'));
/** The `up` test's own compose project, so it never meets another test's stack. */
const upProject = `mna-gw-up-${process.pid}`;

afterAll(async () => {
  await removeComposeProject(docker, upProject);
  rmSync(dir, { recursive: true, force: true });
});

describe('the dockerode stack gateway', () => {
  it('gives folders and files the owners containers run as, through the engine itself', async () => {
    const data = join(dir, 'data');
    mkdirSync(join(data, 'nested'), { recursive: true });
    writeFileSync(join(data, 'nested', 'file'), 'x');
    const secret = join(dir, 'secret');
    writeFileSync(secret, 'y', { mode: 0o400 });
    const gateway = new DockerodeStackGateway(rig.dockerHost);
    const images = rig.images;
    await gateway.fixOwnership(
      [
        { path: data, uid: 70, gid: 70, recursive: true },
        { path: secret, uid: 1001, gid: 1001, recursive: false },
      ],
      images.postgres ?? '',
    );
    expect(statSync(join(data, 'nested', 'file'))).toMatchObject({ uid: 70, gid: 70 });
    expect(statSync(data)).toMatchObject({ uid: 70, gid: 70 });
    expect(statSync(secret)).toMatchObject({ uid: 1001, gid: 1001 });
    const helpers = await docker.listContainers({
      all: true,
      filters: { label: ['org.medianest.appliance.role=ownership-helper'] },
    });
    expect(helpers).toEqual([]);
  });

  it('fails `up` cleanly when the engine goes away in the middle, saying so', async () => {
    // A proxy in front of the rig's socket that drops everything once containers start being created.
    const socketPath = join(dir, 'flaky.sock');
    const target = rig.dockerHost.replace('unix://', '');
    const sockets = new Set<Socket>();
    let creates = 0;
    let cut = false;
    const proxy: Server = createServer((client) => {
      if (cut) return client.destroy();
      const upstream = connect(target);
      sockets.add(client).add(upstream);
      client.on('data', (chunk: Buffer) => {
        if (/POST \S*\/containers\/create/.test(chunk.toString('latin1'))) {
          creates += 1;
          if (creates === 2) {
            cut = true;
            for (const s of sockets) s.destroy();
            return;
          }
        }
        upstream.write(chunk);
      });
      upstream.on('data', (chunk: Buffer) => client.write(chunk));
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(socketPath, resolve));
    const home = join(dir, 'home');
    const env = stackEnv(`unix://${socketPath}`, upProject);
    try {
      await initStack(rig, home, env);
      const r = await cli(['up', '--home', home], env);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('The Docker engine cannot be reached');
      expect(r.stderr).not.toMatch(/^\s+at /m);
    } finally {
      await new Promise((resolve) => proxy.close(resolve));
    }
    // With the engine back, the same command finishes the job.
    const again = await cli(['up', '--home', home], stackEnv(rig.dockerHost, upProject));
    expect(again.code, again.stderr).toBe(0);
  });
});

/** The promise's value, or 'still waiting' when it has not settled within `ms`: a hang fails the test. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | 'still waiting'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'still waiting'>((resolve) => {
    timer = setTimeout(() => resolve('still waiting'), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

describe('the engine streams, stopped by their reader', () => {
  const suite = `stack-gateway-abort-${process.pid}`;
  const project = `mna-gw-abort-${process.pid}`;
  const ended = { done: true, value: undefined };
  const anySource = { id: 'any', name: 'any', service: 'any', running: true, tty: false };

  afterAll(async () => {
    await removeLabelled(docker, suite);
  });

  it('end the event and log iterations and a stats read when aborted before the engine answered', async () => {
    // An engine that takes the request and never answers it.
    const socketPath = join(dir, 'silent.sock');
    const waiting: Socket[] = [];
    const silent = createServer((socket) => {
      waiting.push(socket);
    });
    await new Promise<void>((resolve) => silent.listen(socketPath, resolve));
    try {
      const abort = new AbortController();
      const endpoint = `unix://${socketPath}`;
      const events = new DockerodeStackGateway(endpoint).events(project, abort.signal);
      const stats = new DockerodeStatsGateway(endpoint).read('any', abort.signal);
      const logs = new DockerodeLogGateway(endpoint);
      const follow = logs.follow(anySource, {}, abort.signal);
      const firsts = Promise.all([
        events[Symbol.asyncIterator]().next(),
        stats,
        follow[Symbol.asyncIterator]().next(),
        logs.watch(project, () => undefined, abort.signal).then((watch) => watch.done),
      ]);
      await expect.poll(() => waiting.length).toBe(4);
      abort.abort();
      expect(await within(firsts, 5_000)).toEqual([ended, undefined, ended, undefined]);
    } finally {
      for (const socket of waiting) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('end the event iteration and the log watch when aborted right after asking the real engine', async () => {
    const abort = new AbortController();
    const events = new DockerodeStackGateway(rig.dockerHost).events(project, abort.signal);
    const first = events[Symbol.asyncIterator]().next();
    const watch = new DockerodeLogGateway(rig.dockerHost)
      .watch(project, () => undefined, abort.signal)
      .then((w) => w.done);
    abort.abort();
    expect(await within(Promise.all([first, watch]), 5_000)).toEqual([ended, undefined]);
  });

  it("ends a running container's log follow when aborted right after asking", async () => {
    const container = await docker.createContainer({
      Image: rig.images.redis ?? '',
      Labels: { [TEST_LABEL]: suite },
    });
    await container.start();
    const abort = new AbortController();
    const source = { ...anySource, id: container.id };
    const follow = new DockerodeLogGateway(rig.dockerHost).follow(source, {}, abort.signal);
    const first = follow[Symbol.asyncIterator]().next();
    abort.abort();
    expect(await within(first, 5_000)).toEqual(ended);
  });

  it('ends the event loop promptly when aborted mid-way, after events arrived', async () => {
    const abort = new AbortController();
    const gateway = new DockerodeStackGateway(rig.dockerHost);
    const seen: string[] = [];
    let opened!: () => void;
    const open = new Promise<void>((resolve) => (opened = resolve));
    const loop = (async () => {
      for await (const event of gateway.events(project, abort.signal, () => opened())) {
        seen.push(`${event.kind} ${event.service}`);
      }
      return 'ended';
    })();
    await open;
    const container = await docker.createContainer({
      Image: rig.images.redis ?? '',
      Labels: {
        [TEST_LABEL]: suite,
        'com.docker.compose.project': project,
        'com.docker.compose.service': 'cache',
      },
    });
    await container.start();
    await expect.poll(() => seen, { timeout: 15_000 }).toContain('start cache');
    abort.abort();
    expect(await within(loop, 5_000)).toBe('ended');
  });
});
