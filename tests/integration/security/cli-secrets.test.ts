/**
 * Secrets a user hands to the command line, and secrets in the server's own log, as an attacker
 * on the same machine would look for them: the built CLI in its own process, /proc/<pid>/cmdline,
 * and the JSON lines `serve` writes to stderr. None of this needs the Docker engine.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { writeHostile } from '../../../server/src/core/backup/archive/fixtures.test-support.js';
import {
  formatRecoveryKey,
  generateRecoveryKey,
} from '../../../server/src/core/backup/recovery-key.js';
import { request } from '../support/http.js';
import { buildCli, CLI, NO_ENGINE } from './serve-process.js';

const folders: string[] = [];
const children: ChildProcess[] = [];

beforeAll(buildCli, 180_000);

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await gone;
    }
  }
});
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function folder(): string {
  const made = mkdtempSync(join(tmpdir(), 'mna-cli-secrets-'));
  folders.push(made);
  return made;
}

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function run(args: string[]): Run {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, ...NO_ENGINE },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, output: () => output, exited };
}

/** What every other user of the machine can read about the process. */
function commandLine(pid: number): string {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
}

const newKey = (): Uint8Array => generateRecoveryKey();

describe('the recovery key of a restore', () => {
  it('is refused on the command line, with what to do instead and without repeating it', async () => {
    const key = formatRecoveryKey(newKey());
    const dir = folder();
    const r = run([
      'restore',
      join(dir, 'x.mnbackup'),
      '--recovery-key',
      key,
      '--yes',
      '--home',
      dir,
    ]);
    r.child.stdin?.end();
    expect(await r.exited).toBe(2);
    expect(r.output()).toContain('--recovery-key-file FILE');
    expect(r.output()).not.toContain(key);
  });

  it('comes in on standard input: never in the process list, and it opens the archive', async () => {
    const dir = folder();
    const key = newKey();
    const archive = join(dir, 'medianest-other-machine.mnbackup');
    await writeHostile(archive, key, []);
    const attempt = async (text: string): Promise<string> => {
      const home = join(dir, `home-${randomBytes(3).toString('hex')}`);
      const r = run(['restore', archive, '--yes', '--home', home]);
      const pid = r.child.pid ?? 0;
      // Read while it waits for the key, as another user's `ps` would.
      const shown = commandLine(pid);
      expect(shown).toContain('restore');
      r.child.stdin?.end(`${text}\n`);
      await r.exited;
      expect(shown + r.output()).not.toContain(text);
      return r.output();
    };
    // A wrong key is read and tried: the archive refuses it.
    expect(await attempt(formatRecoveryKey(newKey()))).toMatch(/wrong key/);
    // The right key opens it: whatever happens next, it is not the key.
    const right = await attempt(formatRecoveryKey(key));
    expect(right).not.toMatch(/wrong key|needs the recovery key|recoveryKey:/);
  });

  it('comes from --recovery-key-file FILE', async () => {
    const dir = folder();
    const key = newKey();
    const archive = join(dir, 'medianest-other-machine.mnbackup');
    await writeHostile(archive, key, []);
    const keyFile = join(dir, 'key.txt');
    writeFileSync(keyFile, `${formatRecoveryKey(newKey())}\n`, { mode: 0o600 });
    const r = run([
      'restore',
      archive,
      '--recovery-key-file',
      keyFile,
      '--yes',
      '--home',
      join(dir, 'h'),
    ]);
    r.child.stdin?.end();
    await r.exited;
    expect(r.output()).toMatch(/wrong key/);
  });
});

/** A webhook receiver on loopback that fails with a reason phrase the test chooses. */
async function failingWebhook(reason: string): Promise<{ url: string; close: () => void }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.statusCode = 500;
      res.statusMessage = reason;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, close: () => server.close() };
}

describe("the server's own log", () => {
  it('never holds a stack secret, in another case or a 16+ character piece of it', async () => {
    const home = folder();
    // A stack secret as `init` keeps it: one file, 0600, in a 0700 folder.
    const secret = randomBytes(32).toString('hex');
    const secrets = join(home, 'stack', 'secrets');
    mkdirSync(secrets, { recursive: true, mode: 0o700 });
    chmodSync(secrets, 0o700);
    writeFileSync(join(secrets, 'jwt_secret'), `${secret}\n`, { mode: 0o600 });
    // An error that carries it upper-cased and cut short, from a request that carries a piece.
    const hook = await failingWebhook(
      `Rejected ${secret.toUpperCase()} (token ${secret.slice(9, 31)})`,
    );
    const serve = run(['serve', '--home', home, '--port', '0']);
    serve.child.stdin?.end();
    try {
      const deadline = Date.now() + 30_000;
      while (!/^ready /m.test(serve.output()) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      const { url, token } = JSON.parse(readFileSync(join(home, 'serve.json'), 'utf8')) as {
        url: string;
        token: string;
      };
      const headers = {
        authorization: `Bearer ${token}`,
        origin: url,
        'content-type': 'application/json',
      };
      const id = `hook-${secret.slice(20, 40)}`;
      const saved = await request(`${url}/api/alerts/channels`, {
        method: 'PUT',
        headers,
        body: JSON.stringify({
          channels: [{ id, name: 'Hook', kind: 'generic', url: hook.url, minSeverity: 'info' }],
        }),
      });
      expect(saved.status, saved.body.toString()).toBe(200);
      const tested = await request(`${url}/api/alerts/channels/${id}/test`, {
        method: 'POST',
        headers,
        body: '{}',
      });
      expect(tested.status).toBe(200);
      while (!/an alert channel failed/.test(serve.output()) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      const logged = serve.output();
      const line = logged.split('\n').find((l) => l.includes('an alert channel failed')) ?? '';
      // The line is there, and says what failed, with the secret masked.
      expect(JSON.parse(line)).toMatchObject({
        level: 'warn',
        channel: 'hook-[redacted]',
        error: 'HTTP 500 Rejected [redacted] (token [redacted])',
      });
      for (let i = 0; i + 16 <= secret.length; i++)
        expect(logged.toLowerCase()).not.toContain(secret.slice(i, i + 16));
    } finally {
      hook.close();
      serve.child.kill('SIGTERM');
      await serve.exited;
    }
  });
});
