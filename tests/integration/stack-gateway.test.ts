/**
 * Parts of the dockerode gateway that the stack test cannot reach as root: setting owners through
 * the engine (what a desktop user without root gets), and losing the engine in the middle of `up`.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DockerodeStackGateway } from '../../server/src/infra/docker/dockerode-stack-gateway.js';
import { cli, cliOk } from './support/cli.js';
import { rigDocker, rigEnv } from './support/rig.js';

const rig = rigEnv();
const docker = rigDocker(rig);
const dir = mkdtempSync(join(tmpdir(), 'mna-gw-'));

afterAll(async () => {
  await cli(['down', '--home', join(dir, 'home')], { ...process.env, DOCKER_HOST: rig.dockerHost });
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
    const env = { ...process.env, DOCKER_HOST: `unix://${socketPath}` };
    try {
      await cliOk(
        [
          'init',
          '--home',
          home,
          '--images',
          rig.imagesFile,
          '--http-port',
          '29811',
          '--https-port',
          '29812',
        ],
        env,
      );
      const r = await cli(['up', '--home', home], env);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('The Docker engine cannot be reached');
      expect(r.stderr).not.toMatch(/^\s+at /m);
    } finally {
      await new Promise((resolve) => proxy.close(resolve));
    }
    // With the engine back, the same command finishes the job.
    const again = await cli(['up', '--home', home], {
      ...process.env,
      DOCKER_HOST: rig.dockerHost,
    });
    expect(again.code, again.stderr).toBe(0);
  });
});
