/**
 * The shipped server, dist/server/medianest-appliance.mjs (what bin/medianest-appliance.js and
 * scripts/start.sh run), copied into a folder laid out as an installed app, away from this
 * repository: it must find its package.json, compose templates and built UI beside itself, not
 * where its modules were compiled. None of this needs the Docker engine (DOCKER_HOST points nowhere).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from './support/http.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BUNDLE = 'dist/server/medianest-appliance.mjs';
const NO_ENGINE = { DOCKER_HOST: 'unix:///nonexistent.sock' };
const VERSION = '9.8.7-installed';
const UI_MARKER = 'installed-ui-4c1f';
// A directive with a value the shipped templates do not have: rendered only from this copy.
const TEMPLATE_MARKER = 'location = /installed-templates-7d2a { return 204; }';

let app: string;
let home: string;
const children: ChildProcess[] = [];

beforeAll(() => {
  // The test runs what the build ships: build it first, so it never tests stale output.
  execFileSync('npm', ['run', '-s', 'build:bundle'], {
    cwd: ROOT,
    stdio: 'pipe',
    timeout: 170_000,
  });
  app = mkdtempSync(join(tmpdir(), 'mna-bundle-app-'));
  home = join(app, 'home');
  mkdirSync(join(app, 'dist/server'), { recursive: true });
  cpSync(join(ROOT, BUNDLE), join(app, BUNDLE));
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as object;
  writeFileSync(join(app, 'package.json'), JSON.stringify({ ...pkg, version: VERSION }));
  cpSync(join(ROOT, 'compose-templates'), join(app, 'compose-templates'), { recursive: true });
  appendFileSync(
    join(app, 'compose-templates/files/config/nginx/locations.conf'),
    `${TEMPLATE_MARKER}\n`,
  );
  mkdirSync(join(app, 'dist/renderer'), { recursive: true });
  writeFileSync(
    join(app, 'dist/renderer/index.html'),
    `<!doctype html><html><body><div id="root">${UI_MARKER}</div></body></html>`,
  );
  // The packages the bundle leaves out (better-sqlite3, ...), as an installed app has them.
  symlinkSync(join(ROOT, 'node_modules'), join(app, 'node_modules'), 'dir');
}, 180_000);

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await gone;
    }
  }
  rmSync(app, { recursive: true, force: true });
});

const run = (...args: string[]): string =>
  execFileSync(process.execPath, [join(app, BUNDLE), ...args], {
    env: { ...process.env, ...NO_ENGINE },
    encoding: 'utf8',
    timeout: 60_000,
  });

async function serve(): Promise<{ url: string; loginUrl: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [join(app, BUNDLE), 'serve', '--home', home, '--port', '0'],
    {
      env: { ...process.env, ...NO_ENGINE },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const deadline = Date.now() + 20_000;
  for (;;) {
    const url = /^ready (\S+)$/m.exec(stdout)?.[1];
    if (url) {
      const serveFile = JSON.parse(readFileSync(join(home, 'serve.json'), 'utf8')) as {
        loginUrl: string;
      };
      return { url, loginUrl: serveFile.loginUrl, child };
    }
    if (child.exitCode !== null) throw new Error(`serve exited early: ${stderr}`);
    if (Date.now() > deadline) throw new Error(`serve did not become ready: ${stderr}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the shipped one-file server', () => {
  it('reports the version of the package.json beside it', () => {
    expect(run('version').trim()).toContain(VERSION);
  });

  it('renders the stack from the compose templates beside it', () => {
    const out = run('init', '--env', 'test', '--home', home);
    expect(out).toContain(join(home, 'stack/compose.yaml'));
    expect(readFileSync(join(home, 'stack/compose.yaml'), 'utf8')).toContain('redis');
    expect(readFileSync(join(home, 'stack/config/nginx/locations.conf'), 'utf8')).toContain(
      TEMPLATE_MARKER,
    );
  });

  it('serves the UI beside it and answers the API, signed in through the login link', async () => {
    const s = await serve();
    const page = await request(`${s.url}/`);
    expect(page.status).toBe(200);
    expect(page.body.toString()).toContain(UI_MARKER);

    const login = await request(s.loginUrl);
    expect(login.status).toBe(303);
    const cookie = (login.headers['set-cookie']?.[0] ?? '').split(';')[0] ?? '';
    const session = await request(`${s.url}/api/auth/session`, { headers: { cookie } });
    expect(session.json<{ signedIn: boolean }>().signedIn).toBe(true);
    // An area the server loads on first use (the doctor), inside the same file.
    const doctor = await request(`${s.url}/api/doctor`, { headers: { cookie } });
    expect(doctor.status).toBe(200);
    // A JSON body (decoded by the parts the bundle leaves in node_modules), answered from the
    // stack this home was initialised with, rendered again from the templates beside the bundle.
    const preview = await request(`${s.url}/api/settings/preview`, {
      method: 'POST',
      headers: { cookie, origin: s.url, 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ changes: { httpPort: 8089 } }),
    });
    expect(preview.status, preview.body.toString()).toBe(200);
    expect(preview.json<{ config: { httpPort: number } }>().config.httpPort).toBe(8089);

    const exited = new Promise<number | null>((resolve) => s.child.once('exit', resolve));
    s.child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
