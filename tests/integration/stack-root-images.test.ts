/**
 * The prod stack on images shaped like those built from MediaNest's root Dockerfile (R2): no
 * dumb-init, no curl, WORKDIR /app, their own CMD. The stack runs each image's own command in its
 * own working directory after the secrets shim, checks health with node only, applies the
 * migrations from the image's files, and comes up healthy. (The other suites run the
 * consolidated-Dockerfile variant: CI covers both.)
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execIn } from './support/containers.js';
import { installAndWatch, type WatchedStack } from './support/installed-stack.js';
import { rigDocker, rigEnv } from './support/rig.js';

const PROJECT = 'mnrootdf';
const rig = rigEnv();
const docker = rigDocker(rig);
const imagesFile = join(dirname(rig.imagesFile), 'images-root.json');
let stack: WatchedStack;

beforeAll(async () => {
  stack = await installAndWatch(docker, rig, PROJECT, {}, { imagesFile });
}, 240_000);

afterAll(async () => {
  await stack?.remove();
}, 120_000);

describe('the stack on root-Dockerfile images (no dumb-init, no curl, WORKDIR /app)', () => {
  it('starts each with its own command and working directory, healthy, migrated', async () => {
    const images = JSON.parse(readFileSync(imagesFile, 'utf8')) as Record<string, string>;
    expect(images['backend']).toContain('backend-root');
    const health = await stack.client.stackHealth({});
    expect(health.status).toBe('healthy');
    const expected: Record<string, { cmd: string[] }> = {
      backend: { cmd: ['node', 'backend/dist/server.js'] },
      frontend: { cmd: ['node', 'frontend/server.js'] },
    };
    for (const [service, { cmd }] of Object.entries(expected)) {
      const info = await (await stack.containerOf(service)).inspect();
      expect(info.Config.Image, service).toBe(images[service]);
      expect(info.Config.Entrypoint, service).toEqual(['/bin/sh', '/opt/medianest/secrets-env.sh']);
      expect(info.Config.Cmd, service).toEqual(cmd);
      expect(info.Config.WorkingDir, service).toBe('/app');
      expect(info.State.Health?.Status, service).toBe('healthy');
      const tools = await execIn(await stack.containerOf(service), [
        '/bin/sh',
        '-c',
        'command -v dumb-init curl || echo none',
      ]);
      expect(tools.stdout.trim(), service).toBe('none');
    }
    const backend = health.services.find((s) => s.service === 'backend');
    expect(backend?.state).toBe('healthy');
    const postgres = await stack.containerOf('postgres');
    const rows = await execIn(postgres, [
      'psql',
      '-X',
      '-At',
      '-U',
      'medianest',
      '-d',
      'medianest',
      '-c',
      'SELECT count(*) FROM "_prisma_migrations" WHERE finished_at IS NOT NULL',
    ]);
    expect(rows.stdout.trim()).toBe('3');
  });
});
