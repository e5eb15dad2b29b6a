/**
 * The backend's deep check (compose-templates/files/shims/deep-check.cjs) against real PostgreSQL
 * and Redis on the rig: run in the backend's image, on the backend's network, with the backend's
 * own secret files, it passes only while both accept the backend's credentials, and says which
 * one failed and why (issue 16, part 4). No HTTP to the backend at all.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { execIn, logsOf, runContainer, waitForExit, waitUntil } from './support/containers.js';
import { useMiniStack } from './support/mini-stack.js';
import { imageOf } from './support/rig.js';

const SUITE = 'deepcheck';
const SCRIPT = join(
  dirname(fileURLToPath(import.meta.url)),
  '../../compose-templates/files/shims/deep-check.cjs',
);

describe("the backend's deep check", { timeout: 120_000 }, () => {
  const the = useMiniStack(SUITE);
  const password = (): string => new URL(the().stack.databaseUrl).password;

  /** Runs the check as the stack does: the backend's image, user and secrets, on its network. */
  const check = async (): Promise<{ exitCode: number; output: string }> => {
    const { docker, env, stack } = the();
    const secrets = join(stack.dir, 'secrets');
    writeFileSync(join(secrets, 'database_url'), stack.databaseUrl, { mode: 0o644 });
    writeFileSync(join(secrets, 'redis_url'), stack.redisUrl, { mode: 0o644 });
    const container = await runContainer(docker, {
      suite: SUITE,
      name: `${stack.network}-check-${randomBytes(2).toString('hex')}`,
      image: imageOf(env, 'backend'),
      network: stack.network,
      user: '1001:1001',
      entrypoint: ['node', '/opt/medianest/deep-check.cjs'],
      cmd: [],
      binds: {
        [SCRIPT]: '/opt/medianest/deep-check.cjs:ro',
        [join(secrets, 'database_url')]: '/run/secrets/database_url:ro',
        [join(secrets, 'redis_url')]: '/run/secrets/redis_url:ro',
      },
      capDrop: ['ALL'],
    });
    const exitCode = await waitForExit(container, 30_000);
    const output = (await logsOf(container)).trim();
    await container.remove({ force: true });
    expect(output).not.toContain(password());
    return { exitCode, output };
  };

  const psql = async (query: string): Promise<void> => {
    const result = await execIn(the().stack.postgres, [
      'psql',
      '-X',
      '-q',
      '-U',
      'medianest',
      '-d',
      'medianest',
      '-c',
      query,
    ]);
    if (result.exitCode !== 0) throw new Error(result.stderr);
  };

  it('passes while PostgreSQL and Redis both accept the credentials the backend uses', async () => {
    expect(await check()).toEqual({ exitCode: 0, output: 'database: ok, cache: ok' });
  });

  it('fails naming the database when its password was changed underneath', async () => {
    await psql(
      `ALTER ROLE medianest PASSWORD 'changed-underneath-${randomBytes(4).toString('hex')}'`,
    );
    try {
      expect(await check()).toEqual({
        exitCode: 1,
        output: 'database: error (password authentication failed for user "medianest"), cache: ok',
      });
    } finally {
      await psql(`ALTER ROLE medianest PASSWORD '${password()}'`);
    }
    expect((await check()).exitCode).toBe(0);
  });

  it('fails naming the cache while Redis is stopped, and passes once it is back', async () => {
    const { redis } = the().stack;
    await redis.stop({ t: 5 });
    try {
      const result = await check();
      expect(result.exitCode).toBe(1);
      expect(result.output).toMatch(
        /^database: ok, cache: error \(redis( is not on the network \(is it running\?\)|:6379 refused the connection)\)$/,
      );
    } finally {
      await redis.start();
    }
    await waitUntil('the check passing again', async () =>
      (await check()).exitCode === 0 ? true : undefined,
    );
  });

  it('fails naming the database while PostgreSQL is stopped, and passes once it is back', async () => {
    const { postgres } = the().stack;
    await postgres.stop({ t: 10 });
    try {
      const result = await check();
      expect(result.exitCode).toBe(1);
      expect(result.output).toMatch(
        /^database: error \(postgres( is not on the network \(is it running\?\)|:5432 refused the connection)\), cache: ok$/,
      );
    } finally {
      await postgres.start();
    }
    await waitUntil('the check passing again', async () =>
      (await check()).exitCode === 0 ? true : undefined,
    );
  });
});
