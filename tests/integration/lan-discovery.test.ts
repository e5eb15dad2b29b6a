/**
 * Finding appliances on the LAN (issue 21 §4): two network namespaces joined by a veth pair this
 * test creates and removes, a "NAS" `serve --host 0.0.0.0` announcing itself over mDNS in one, a
 * "desktop" `serve` in the other that hears it, pairs with the address it heard and reaches its
 * API. Nothing leaves the namespaces: the announcement is switched on only inside them.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, CLI } from './security/serve-process.js';

const ID = `${process.pid % 100_000}`;
const NAS_NS = `mna${ID}n`;
const DESK_NS = `mna${ID}d`;
const SUBNET = `10.${200 + (process.pid % 50)}.${process.pid % 250}`;
const NAS_IP = `${SUBNET}.1`;
const PASSWORD = 'the NAS admin password';

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });
const children: ChildProcess[] = [];
const homes: string[] = [];

function newHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'mna-lan-'));
  homes.push(home);
  return home;
}

/** `serve` inside `ns`, with mDNS on; resolves with serve.json once it is ready. */
async function serveIn(
  ns: string,
  home: string,
  args: string[] = [],
  env: Record<string, string> = {},
) {
  const child = spawn(
    'ip',
    ['netns', 'exec', ns, process.execPath, CLI, 'serve', '--home', home, '--port', '0', ...args],
    {
      env: {
        ...process.env,
        DOCKER_HOST: 'unix:///nonexistent.sock',
        MEDIANEST_MDNS: 'on',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const file = join(home, 'serve.json');
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (existsSync(file)) {
      const served = JSON.parse(readFileSync(file, 'utf8')) as { url: string; token: string };
      if (served.url) return served;
    }
    if (child.exitCode !== null) throw new Error(`serve in ${ns} exited: ${stderr}`);
    if (Date.now() > deadline) throw new Error(`serve in ${ns} did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs `fetch(url, init)` inside `ns` (where the desktop's loopback server is) and answers JSON. */
function fetchIn(
  ns: string,
  url: string,
  init: Record<string, unknown> = {},
): { status: number; body: unknown } {
  const script = `const r = await fetch(${JSON.stringify(url)}, ${JSON.stringify(init)});
process.stdout.write(JSON.stringify({ status: r.status, body: await r.json() }));`;
  const out = execFileSync(
    'ip',
    ['netns', 'exec', ns, process.execPath, '--input-type=module', '-e', script],
    {
      stdio: 'pipe',
      timeout: 30_000,
    },
  );
  return JSON.parse(out.toString()) as { status: number; body: unknown };
}

beforeAll(() => {
  buildCli();
  for (const ns of [NAS_NS, DESK_NS]) {
    ip('netns', 'add', ns);
    ip('-n', ns, 'link', 'set', 'lo', 'up');
  }
  ip('link', 'add', `${NAS_NS}v`, 'type', 'veth', 'peer', 'name', `${DESK_NS}v`);
  ip('link', 'set', `${NAS_NS}v`, 'netns', NAS_NS);
  ip('link', 'set', `${DESK_NS}v`, 'netns', DESK_NS);
  ip('-n', NAS_NS, 'addr', 'add', `${NAS_IP}/24`, 'dev', `${NAS_NS}v`);
  ip('-n', DESK_NS, 'addr', 'add', `${SUBNET}.2/24`, 'dev', `${DESK_NS}v`);
  ip('-n', NAS_NS, 'link', 'set', `${NAS_NS}v`, 'up');
  ip('-n', DESK_NS, 'link', 'set', `${DESK_NS}v`, 'up');
}, 180_000);

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await gone;
    }
  }
  // Removing a namespace removes its end of the veth pair, and with it the other end.
  for (const ns of [NAS_NS, DESK_NS]) {
    try {
      ip('netns', 'del', ns);
    } catch {
      // already gone
    }
  }
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

describe('appliances on the LAN', () => {
  it('the desktop hears the NAS announce itself, pairs with the address it heard, and reaches it', async () => {
    const nasHome = newHome();
    const nas = await serveIn(NAS_NS, nasHome, ['--host', '0.0.0.0'], {
      MEDIANEST_ADMIN_PASSWORD: PASSWORD,
    });
    const port = new URL(nas.url).port;
    const fingerprint = (
      JSON.parse(readFileSync(join(nasHome, 'serve.json'), 'utf8')) as { fingerprint: string }
    ).fingerprint;
    const desktop = await serveIn(DESK_NS, newHome());
    const auth = { authorization: `Bearer ${desktop.token}` };

    const heard = fetchIn(DESK_NS, `${desktop.url}/api/appliances/nearby`, { headers: auth });
    expect(heard.status).toBe(200);
    const { nearby, interfaces } = heard.body as {
      nearby: Array<{ name: string; address: string; fingerprintPrefix?: string; paired: boolean }>;
      interfaces: number;
    };
    expect(interfaces).toBe(1);
    expect(nearby).toHaveLength(1);
    expect(nearby[0]).toMatchObject({
      name: expect.stringMatching(/^MediaNest on /) as unknown,
      address: `https://${NAS_IP}:${port}`,
      fingerprintPrefix: fingerprint.replace(/:/g, '').slice(0, 16),
      paired: false,
    });

    // The code from the NAS (its CLI, in its home), the address from what was heard.
    const pair = execFileSync(process.execPath, [CLI, 'pair', '--home', nasHome, '--json'], {
      env: { ...process.env, DOCKER_HOST: 'unix:///nonexistent.sock' },
    });
    const { code } = JSON.parse(pair.toString()) as { code: string };
    const added = fetchIn(DESK_NS, `${desktop.url}/api/appliances`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ address: nearby[0]?.address, code }),
    });
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    const { id } = added.body as { id: string };
    const health = fetchIn(DESK_NS, `${desktop.url}/api/remote/${id}/api/health`, {
      headers: auth,
    });
    expect(health).toMatchObject({ status: 200, body: { status: 'ok' } });
    const again = fetchIn(DESK_NS, `${desktop.url}/api/appliances/nearby`, { headers: auth });
    expect((again.body as { nearby: Array<{ paired: boolean }> }).nearby[0]?.paired).toBe(true);
  });

  it('says when no network can carry the question: a namespace with loopback only', () => {
    const lonely = `mna${ID}l`;
    ip('netns', 'add', lonely);
    try {
      ip('-n', lonely, 'link', 'set', 'lo', 'up');
      const script = `const { browseNearby } = await import(${JSON.stringify(join(CLI, '../infra/net/mdns.js'))});
process.stdout.write(JSON.stringify(await browseNearby(300)));`;
      const out = execFileSync('ip', [
        'netns',
        'exec',
        lonely,
        process.execPath,
        '--input-type=module',
        '-e',
        script,
      ]);
      expect(JSON.parse(out.toString())).toEqual({ found: [], interfaces: 0 });
    } finally {
      ip('netns', 'del', lonely);
    }
  });
});
