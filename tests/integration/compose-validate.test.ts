/**
 * The rendered project is plain compose: for every environment and profile combination, `init`
 * renders into a temporary home and Debian's docker-compose 1.29 must accept the file
 * (`config -q`) and read the same values the appliance applies. Needs /usr/bin/docker-compose
 * (`apt-get install docker-compose`); without it these tests fail, they never skip. No engine is
 * needed: `config` only reads files.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ENVIRONMENTS } from '../../server/src/core/stack/config.js';
import { PROFILES, type Profile } from '../../server/src/core/stack-names.js';
import { initStack } from '../../server/src/core/stack/init-service.js';
import type { ComposeFile } from '../../server/src/core/stack/compose-model.js';
import { NodeFileSystem } from '../../server/src/infra/fs/node-file-system.js';

const DOCKER_COMPOSE = '/usr/bin/docker-compose';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function dockerCompose(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    // A clean environment: no DOCKER_HOST or COMPOSE_* of the caller's may change the answer.
    const env = { PATH: '/usr/bin:/bin', HOME: tmpdir(), LANG: 'C.UTF-8' };
    execFile(DOCKER_COMPOSE, args, { env, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const PROFILE_SETS: Profile[][] = Array.from({ length: 2 ** PROFILES.length }, (_, mask) =>
  PROFILES.filter((_p, i) => mask & (2 ** i)),
);
const CASES = ENVIRONMENTS.flatMap((environment) =>
  PROFILE_SETS.flatMap((profiles) =>
    (profiles.includes('tls') ? [undefined, 'media.example.org'] : [undefined]).map((domain) => ({
      name: `${environment} [${profiles.join(',') || 'no profile'}]${domain ? ' with a domain' : ''}`,
      config: {
        environment,
        profiles,
        ...(domain ? { domain, email: 'admin@example.org' } : {}),
      },
    })),
  ),
);

const homes: string[] = [];
afterAll(() => {
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

/** Fields compose must read exactly as the appliance does (unquoted, PyYAML reads "472:0" as a number). */
const COMPARED = [
  'user',
  'restart',
  'entrypoint',
  'command',
  'environment',
  'read_only',
  'cap_drop',
  'cap_add',
  'security_opt',
  'tmpfs',
] as const;

describe('docker-compose 1.29 accepts every rendered stack', () => {
  it('has docker-compose installed', () => {
    expect(
      existsSync(DOCKER_COMPOSE),
      `${DOCKER_COMPOSE} is missing: apt-get install -y docker-compose`,
    ).toBe(true);
  });

  // Concurrent: each case is two docker-compose runs of about half a second.
  it.concurrent.for(CASES)('$name', async ({ config }, { expect }) => {
    expect(
      existsSync(DOCKER_COMPOSE),
      `${DOCKER_COMPOSE} is missing: apt-get install -y docker-compose`,
    ).toBe(true);
    const home = mkdtempSync(join(tmpdir(), 'mn-compose-'));
    homes.push(home);
    const stackDir = join(home, 'stack');
    const { rendered } = await initStack(
      { fs: new NodeFileSystem(), now: () => new Date() },
      { stackDir, secretsDir: join(stackDir, 'secrets'), config },
    );
    const file = join(stackDir, 'compose.yaml');

    const quiet = await dockerCompose(['-p', 'medianest', '-f', file, 'config', '-q']);
    expect(quiet.stderr).toBe('');
    expect(quiet.code).toBe(0);

    const full = await dockerCompose(['-p', 'medianest', '-f', file, 'config']);
    expect(full.code, full.stderr).toBe(0);
    // PyYAML quotes whatever it would itself misread, so its output reads the same under YAML 1.2.
    const seen = parse(full.stdout) as ComposeFile;
    expect(Object.keys(seen.services).sort()).toEqual(
      Object.keys(rendered.compose.services).sort(),
    );
    for (const [name, service] of Object.entries(rendered.compose.services)) {
      const theirs = seen.services[name] as unknown as Record<string, unknown>;
      for (const key of COMPARED) expect(theirs[key], `${name}.${key}`).toEqual(service[key]);
      expect(
        (theirs['healthcheck'] as { test?: unknown } | undefined)?.test,
        `${name}.healthcheck`,
      ).toEqual(service.healthcheck?.test);
    }
    expect(seen.networks['backend']).toMatchObject({ internal: true });
  });
});
