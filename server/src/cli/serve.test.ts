import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServer } from '../index.js';
import type { CliIo } from './io.js';
import { serve } from './serve.js';

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'mna-serve-cli-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

function io(out: string[]): CliIo {
  return {
    stdout: (t) => out.push(t),
    stderr: (t) => out.push(t),
    env: {},
    untilShutdown: () => Promise.resolve(),
  };
}

const piped = (text: string) => Readable.from([text]) as unknown as NodeJS.ReadStream;

describe('serve --set-admin-password', () => {
  it('reads the password from a pipe, stores its hash and exits without serving', async () => {
    const out: string[] = [];
    const cmd = { verb: 'serve', values: { home, 'set-admin-password': true }, positionals: [] };
    expect(await serve(cmd, io(out), piped('a piped admin password\n'))).toBe(0);
    expect(out).toEqual(['admin password set']);
    expect(out.join('\n')).not.toContain('a piped admin password');
    const server = createServer({ home });
    expect(server.hasAdminPassword()).toBe(true);
    expect(await server.setAdminPassword('a piped admin password')).toBe('unchanged');
    await server.stop();
  });

  it('refuses a password that is too short, naming the rule', async () => {
    const cmd = { verb: 'serve', values: { home, 'set-admin-password': true }, positionals: [] };
    await expect(serve(cmd, io([]), piped('short\n'))).rejects.toMatchObject({
      code: 'validation_failed',
      message: 'The admin password needs at least 12 characters.',
    });
  });
});

describe('serve: the one-time login link goes only to a terminal', () => {
  const NO_ENGINE = { DOCKER_HOST: 'unix:///nonexistent.sock' };
  const run = async (
    terminal: boolean,
    env: Record<string, string> = {},
    json = false,
  ): Promise<string[]> => {
    const out: string[] = [];
    const io: CliIo = {
      stdout: (t) => out.push(t),
      stderr: () => undefined,
      env: { ...NO_ENGINE, ...env },
      stdoutIsTerminal: terminal,
      untilShutdown: () => Promise.resolve(),
    };
    const values = { home, port: '0', ...(json ? { json: true } : {}) };
    expect(await serve({ verb: 'serve', values, positionals: [] }, io)).toBe(0);
    return out;
  };
  const LINK = /\/auth\/login\?code=/;
  const serveFile = () => join(home, 'serve.json');

  it('prints ready and the link on a terminal', async () => {
    const out = await run(true);
    expect(out[0]).toMatch(/^ready http:\/\/127\.0\.0\.1:\d+$/);
    expect(out[1]).toMatch(/^login http:\/\/127\.0\.0\.1:\d+\/auth\/login\?code=\S{43}$/);
  });

  it('under systemd (JOURNAL_STREAM set, output not a terminal) prints no link, only where it is', async () => {
    const out = await run(false, { JOURNAL_STREAM: '8:123456', INVOCATION_ID: 'c0ffee' });
    expect(out.join('\n')).not.toMatch(LINK);
    expect(out[1]).toBe(
      `login link not printed (running as a service, the journal would keep it): it is "loginUrl" in ${serveFile()}`,
    );
  });

  it('into a pipe prints no link either', async () => {
    const out = await run(false);
    expect(out.join('\n')).not.toMatch(LINK);
    expect(out[1]).toContain(`(output is not a terminal): it is "loginUrl" in ${serveFile()}`);
  });

  it('--json names serve.json always and carries the link only to a terminal', async () => {
    const piped = JSON.parse((await run(false, {}, true)).join('')) as Record<string, unknown>;
    expect(piped).toEqual({
      ready: true,
      url: expect.any(String) as unknown,
      serveFile: serveFile(),
    });
    const shown = JSON.parse((await run(true, {}, true)).join('')) as Record<string, unknown>;
    expect(shown.loginUrl).toMatch(LINK);
    expect(shown.serveFile).toBe(serveFile());
  });
});

describe('serve beyond loopback: HTTPS, or plain HTTP by name with a warning', () => {
  const env = {
    DOCKER_HOST: 'unix:///nonexistent.sock',
    MEDIANEST_ADMIN_PASSWORD: 'a long admin password',
  };
  const run = async (values: Record<string, string | boolean>) => {
    const out: string[] = [];
    const err: string[] = [];
    let running: { fingerprint?: string } = {};
    const io: CliIo = {
      stdout: (t) => out.push(t),
      stderr: (t) => err.push(t),
      env,
      stdoutIsTerminal: false,
      // While it serves: what serve.json says.
      untilShutdown: () => {
        running = JSON.parse(readFileSync(join(home, 'serve.json'), 'utf8')) as typeof running;
        return Promise.resolve();
      },
    };
    const code = await serve(
      { verb: 'serve', values: { home, port: '0', ...values }, positionals: [] },
      io,
    );
    return { code, out, err, running };
  };

  it('prints the https address and the certificate fingerprint, and keeps it in serve.json', async () => {
    const { code, out, err, running } = await run({ host: '0.0.0.0' });
    expect(code).toBe(0);
    expect(out[0]).toMatch(/^ready https:\/\/127\.0\.0\.1:\d+$/);
    const fingerprint = /^certificate SHA-256 ((?:[0-9A-F]{2}:){31}[0-9A-F]{2})$/.exec(
      out[1] ?? '',
    )?.[1];
    expect(fingerprint).toBeDefined();
    expect(err.join('\n')).toContain(`HTTPS certificate made now, kept in ${join(home, 'tls')}`);
    expect(running.fingerprint).toBe(fingerprint);
  });

  it('serves plain HTTP with --insecure-plain-http, warning that passwords cross the network in clear', async () => {
    const { code, out, err } = await run({ host: '0.0.0.0', 'insecure-plain-http': true });
    expect(code).toBe(0);
    expect(out[0]).toMatch(/^ready http:\/\/127\.0\.0\.1:\d+$/);
    expect(out.join('\n')).not.toContain('certificate');
    expect(err.join('\n')).toMatch(/WARNING: serving plain HTTP on 0\.0\.0\.0: the admin password/);
  });

  it.each([
    [
      { 'tls-cert': '/x.crt', 'tls-key': '/x.key' },
      '--tls-cert: serve speaks HTTPS only beyond loopback',
    ],
    [
      { host: '0.0.0.0', 'insecure-plain-http': true, 'tls-cert': '/x.crt' },
      '--insecure-plain-http: cannot go with --tls-cert',
    ],
  ])('refuses %o, naming the flag', async (values, message) => {
    await expect(run(values)).rejects.toMatchObject({
      code: 'validation_failed',
      message: expect.stringContaining(message) as unknown,
    });
  });
});
