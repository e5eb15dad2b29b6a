/**
 * A Docker registry on loopback for tests that pull: Debian's `docker-registry` (distribution 2.8),
 * serving a temporary folder on 127.0.0.1 at a free port. The rig's engine pushes to and pulls from
 * 127.0.0.1:PORT without any insecure-registry setting (loopback is allowed).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { waitUntil } from './containers.js';
import { request } from './http.js';

export interface LocalRegistry {
  /** `127.0.0.1:PORT`, the prefix of every reference pushed to it. */
  readonly host: string;
  /** Tags `image` as `host/name` in the engine and pushes it; returns the digest the registry gave. */
  push(docker: Docker, image: string, name: string): Promise<string>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export async function startRegistry(): Promise<LocalRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'mn-registry-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const config = join(dir, 'config.yml');
  writeFileSync(
    config,
    [
      'version: 0.1',
      'log: { level: warn }',
      `storage: { filesystem: { rootdirectory: ${join(dir, 'data')} }, delete: { enabled: true } }`,
      `http: { addr: "${host}" }`,
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn('docker-registry', ['serve', config], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let said = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    said = (said + chunk.toString()).slice(-2000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitUntil(
      `docker-registry on ${host}`,
      async () => {
        if (child.exitCode !== null) throw new Error(`docker-registry exited: ${said}`);
        const res = await request(`http://${host}/v2/`);
        return res.status === 200 ? true : undefined;
      },
      20_000,
      200,
    );
  } catch (error) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    host,
    async push(docker, image, name) {
      const [repo, tag = 'latest'] = name.split(':');
      await docker.getImage(image).tag({ repo: `${host}/${repo}`, tag });
      // The engine wants an auth header even for a registry without auth: an empty one.
      const stream = await docker
        .getImage(`${host}/${repo}:${tag}`)
        .push({ authconfig: { serveraddress: host } });
      const events: { aux?: { Digest?: string }; error?: string }[] = await new Promise(
        (resolve, reject) =>
          docker.modem.followProgress(stream, (err: Error | null, out: unknown[]) =>
            err ? reject(err) : resolve(out as never),
          ),
      );
      const failed = events.find((e) => e.error);
      if (failed) throw new Error(`push of ${name} failed: ${failed.error}`);
      const digest = events.find((e) => e.aux?.Digest)?.aux?.Digest;
      if (!digest) throw new Error(`push of ${name} gave no digest`);
      return digest;
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
