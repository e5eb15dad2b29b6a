/**
 * `docker exec` with stdin streamed in (pg_restore, pg_restore -l) on the rig's engine: a command
 * that reads all its input gets all of it; one that stops reading early (as `pg_restore -l` does
 * after a dump's table of contents) ends as soon as it exits, and is not fed the rest of the input.
 */
import { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execStream } from '../../server/src/infra/docker/dockerode-exec-stream.js';
import { removeLabelled, runContainer } from './support/containers.js';
import { imageOf, rigDocker, rigEnv } from './support/rig.js';

const SUITE = `exec-stream-${process.pid}`;
const rig = rigEnv();
const docker = rigDocker(rig);
let container: Docker.Container;

/** `total` bytes of 'x' in 64 KiB pieces, counting how many were pulled from it. */
function source(total: number): { stream: Readable; pulled: () => number } {
  let pulled = 0;
  const piece = Buffer.alloc(64 * 1024, 'x');
  const stream = new Readable({
    read() {
      if (pulled >= total) return void this.push(null);
      const part = piece.subarray(0, Math.min(piece.length, total - pulled));
      pulled += part.length;
      this.push(part);
    },
  });
  return { stream, pulled: () => pulled };
}

async function text(stream: Readable): Promise<string> {
  let out = '';
  for await (const chunk of stream) out += (chunk as Buffer).toString('utf8');
  return out;
}

beforeAll(async () => {
  container = await runContainer(docker, {
    suite: SUITE,
    name: SUITE,
    image: imageOf(rig, 'postgres'),
    cmd: ['sleep', 'infinity'],
    network: 'none',
  });
});

afterAll(async () => {
  await removeLabelled(docker, SUITE);
});

describe('exec with streamed input', () => {
  it('a command that reads everything gets every byte, then its exit code', async () => {
    const input = source(5 * 1024 * 1024 + 3);
    const run = await execStream(docker, container, ['wc', '-c'], input.stream);
    expect((await text(run.stdout)).trim()).toBe(String(5 * 1024 * 1024 + 3));
    expect((await run.done).exitCode).toBe(0);
  });

  it('a command that stops reading early ends without being fed the rest', async () => {
    const total = 2 * 1024 * 1024 * 1024;
    const input = source(total);
    const run = await execStream(docker, container, ['head', '-c', '10'], input.stream);
    expect(await text(run.stdout)).toBe('x'.repeat(10));
    expect((await run.done).exitCode).toBe(0);
    // Without the exit check the engine takes all 2 GB for a command long gone.
    expect(input.pulled()).toBeLessThan(total);
    expect(input.stream.destroyed).toBe(true);
  });

  it('a command that fails after reading a little reports its exit code and stderr', async () => {
    const input = source(1024 * 1024 * 1024);
    const run = await execStream(
      docker,
      container,
      ['sh', '-c', 'head -c 5 >/dev/null; echo "bad input" >&2; exit 3'],
      input.stream,
    );
    await text(run.stdout);
    expect(await run.done).toMatchObject({ exitCode: 3, stderr: 'bad input\n' });
  });
});
