import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test as base, type Browser, type BrowserContext } from '@playwright/test';

const CLI = fileURLToPath(new URL('../../dist/server/src/cli.js', import.meta.url));

export interface ServedApp {
  url: string;
  token: string;
  home: string;
  /** The one-time login link `serve` printed (and wrote to serve.json). */
  loginUrl: string;
  /** Beyond loopback: the HTTPS certificate's SHA-256 fingerprint from serve.json. */
  fingerprint?: string;
}

export interface ServeOptions {
  args?: string[];
  env?: Record<string, string>;
}

/** `medianest-appliance serve` exactly as a user runs it, with a fresh home, against the rig's engine. */
export async function startServe(
  options: ServeOptions = {},
): Promise<{ app: ServedApp; child: ChildProcess }> {
  if (!process.env.DOCKER_HOST) {
    throw new Error(
      'DOCKER_HOST is not set: run the e2e tests through scripts/test.sh, which starts the rig.',
    );
  }
  const home = mkdtempSync(join(tmpdir(), 'mna-e2e-'));
  const args = [CLI, 'serve', '--home', home, '--port', '0', ...(options.args ?? [])];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(
      () => reject(new Error(`serve did not become ready: ${stderr}`)),
      15_000,
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /^ready (\S+)$/m.exec(stdout);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
  });
  const serveFile = JSON.parse(readFileSync(join(home, 'serve.json'), 'utf8')) as {
    token: string;
    loginUrl: string;
    fingerprint?: string;
  };
  const { token, loginUrl, fingerprint } = serveFile;
  return { app: { url, token, home, loginUrl, ...(fingerprint ? { fingerprint } : {}) }, child };
}

/** `serve --host 0.0.0.0` with an admin password: HTTPS with the certificate it makes. */
export const startLanServe = (password: string, args: string[] = []) =>
  startServe({
    args: ['--host', '0.0.0.0', ...args],
    env: { MEDIANEST_ADMIN_PASSWORD: password },
  });

/**
 * Runs `run` against `serve --host 0.0.0.0` (admin password `password`) in a browser context told
 * to accept its self-signed certificate, as a user does after comparing the fingerprint; then
 * closes both.
 */
export async function withLanServe(
  browser: Browser,
  password: string,
  run: (started: { app: ServedApp }, context: BrowserContext) => Promise<void>,
): Promise<void> {
  const started = await startLanServe(password);
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  try {
    await run(started, context);
  } finally {
    await context.close();
    await stopServe(started);
  }
}

/** Stops a serve started by `startServe` the way systemd would (SIGTERM), and removes its home. */
export async function stopServe({ app, child }: { app: ServedApp; child: ChildProcess }) {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  rmSync(app.home, { recursive: true, force: true });
}

export const test = base.extend<object, { served: ServedApp }>({
  served: [
    async ({}, use) => {
      const started = await startServe();
      await use(started.app);
      await stopServe(started);
    },
    { scope: 'worker' },
  ],
});

export { expect } from '@playwright/test';
