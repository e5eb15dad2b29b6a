/**
 * The support bundle on the rig: a home made by `init`, a container of the home's project that
 * prints the real generated secrets, then `support-bundle`: every part is there, no secret is.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { supportCommand } from '../../server/src/cli/support-command.js';
import { homePaths } from '../../server/src/infra/fs/home.js';
import { cliOk } from './support/cli.js';
import { removeLabelled, TEST_LABEL, waitUntil, logsOf } from './support/containers.js';
import { imageOf, rigDocker, rigEnv } from './support/rig.js';
import { freeHttpPort } from './support/ports.js';

const rig = rigEnv();
const docker = rigDocker(rig);
const suite = `bundle-${randomBytes(3).toString('hex')}`;
const project = `mnbundle${randomBytes(3).toString('hex')}`;
const env = { ...process.env, MEDIANEST_COMPOSE_PROJECT: project };
const home = mkdtempSync(join(tmpdir(), 'mna-bundle-'));
const out = mkdtempSync(join(tmpdir(), 'mna-bundle-out-'));
const paths = homePaths(home);
let secrets: Array<[string, string]> = [];

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
  secrets = readdirSync(paths.secretsDir)
    .filter((n) => statSync(join(paths.secretsDir, n)).isFile() && !n.startsWith('plex_'))
    .map((n): [string, string] => [n, readFileSync(join(paths.secretsDir, n), 'utf8').trim()]);
  expect(secrets.length).toBeGreaterThan(2);
  const container = await docker.createContainer({
    name: `${project}-backend-1`,
    Image: imageOf(rig, 'backend'),
    Entrypoint: ['sh', '-c', 'echo "leak: $S1 and $S2"; echo "err $S3" >&2; sleep 600'],
    Cmd: [],
    Env: secrets.slice(0, 3).map(([, v], i) => `S${i + 1}=${v}`),
    Labels: {
      [TEST_LABEL]: suite,
      'com.docker.compose.project': project,
      'com.docker.compose.service': 'backend',
    },
    HostConfig: { NetworkMode: 'none' },
  });
  await container.start();
  await waitUntil('the leak to be logged', async () =>
    (await logsOf(container)).includes('err ') ? true : undefined,
  );
});

afterAll(async () => {
  await removeLabelled(docker, suite);
  rmSync(home, { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
});

describe('support bundle', () => {
  it('holds every part a bug report needs and none of the secret values', async () => {
    const file = join(out, 'bundle.tar.gz');
    const said: string[] = [];
    const code = await supportCommand(
      { verb: 'support-bundle', values: { output: file, lines: '100' }, positionals: [] },
      paths,
      {
        stdout: (t) => said.push(t),
        stderr: (t) => said.push(t),
        env,
        untilShutdown: async () => undefined,
      },
    );
    expect(code, said.join('\n')).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const raw = readFileSync(file);
    const tar = spawnSync('tar', ['-xzf', file, '-C', out]);
    expect(tar.status, tar.stderr.toString()).toBe(0);
    const dir = join(out, 'medianest-support');
    const names = readdirSync(dir, { recursive: true }).map(String).sort();
    for (const part of [
      'version.json',
      'doctor.json',
      'engine.json',
      'services.json',
      'jobs.json',
      'compose.yaml',
      'env',
      'logs/services.log',
    ]) {
      expect(names).toContain(part);
    }
    const version = JSON.parse(readFileSync(join(dir, 'version.json'), 'utf8')) as { app: string };
    expect(version.app).toMatch(/^\d+\.\d+\.\d+/);
    const engine = readFileSync(join(dir, 'engine.json'), 'utf8');
    expect(engine).toContain('serverVersion');
    const logs = readFileSync(join(dir, 'logs', 'services.log'), 'utf8');
    // The log service masks before the bundle names: either form proves the value is gone.
    const hidden = String.raw`(<secret:[a-z_]+>|\[redacted\])`;
    expect(logs).toMatch(new RegExp(`backend stdout leak: ${hidden} and ${hidden}`));
    expect(logs).toMatch(new RegExp(`backend stderr err ${hidden}`));
    const everything = names
      .filter((n) => statSync(join(dir, n)).isFile())
      .map((n) => readFileSync(join(dir, n), 'utf8'))
      .join('\n');
    const gunzipped = spawnSync('gzip', ['-dc'], { input: raw }).stdout.toString('latin1');
    for (const [name, value] of secrets) {
      expect(everything, name).not.toContain(value);
      expect(gunzipped, name).not.toContain(value);
    }
  });
});
