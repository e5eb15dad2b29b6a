/**
 * `appliances` against a real appliance server (HTTPS on 0.0.0.0, asked on 127.0.0.1): pair with
 * the code it shows, list it with its state, forget it (revoked there), and bad usage.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startLanServer } from '../app/lan-server.test-support.js';
import { pinnedRequest } from '../infra/net/pinned-https.js';
import { NO_ENGINE, runCaptured } from './run-cli.test-support.js';

const TOKEN = 'e5'.repeat(32);
const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

function tempHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'mna-appliances-cli-'));
  closers.push(() => rmSync(home, { recursive: true, force: true }));
  return home;
}

async function nas() {
  const { server, url } = await startLanServer(tempHome(), (stop) => closers.push(stop), {
    token: TOKEN,
  });
  const admin = { authorization: `Bearer ${TOKEN}` };
  const code = async () =>
    (
      JSON.parse(
        (
          await pinnedRequest(`${url}/api/devices/pairing-code`, {
            method: 'POST',
            headers: { ...admin, 'content-type': 'application/json' },
            body: '{}',
          })
        ).body,
      ) as { code: string }
    ).code;
  const devices = async () =>
    (
      JSON.parse((await pinnedRequest(`${url}/api/devices`, { headers: admin })).body) as {
        devices: unknown[];
      }
    ).devices;
  return { server, url, code, devices };
}

describe('appliances', () => {
  it('pairs with the code, lists it with its state, and forgets it, revoked there', async () => {
    const { server, url, code, devices } = await nas();
    const desk = tempHome();
    const run = (args: string[]) => runCaptured([...args, '--home', desk], NO_ENGINE);

    const added = await run(['appliances', 'add', url, await code(), '--name', 'Attic NAS']);
    expect(added.code, added.output).toBe(0);
    expect(added.stdout).toContain(
      `certificate SHA-256 ${server.tls()?.fingerprint ?? '?'} (pinned)`,
    );
    expect(await devices()).toHaveLength(1);

    const listed = await run(['appliances', '--json']);
    const [row] = (JSON.parse(listed.stdout) as { appliances: Array<Record<string, unknown>> })
      .appliances;
    // No engine on that NAS: its own tray says unknown, and it was reached (no problem).
    expect(row).toMatchObject({ name: 'Attic NAS', address: url, state: 'unknown' });
    expect(row?.problem).toBeUndefined();
    expect(JSON.stringify(row)).not.toMatch(/token/i);

    const forgot = await run(['appliances', 'forget', String(row?.id)]);
    expect(forgot.stdout).toBe(`forgot ${String(row?.id)}; this computer is revoked there`);
    expect(await devices()).toEqual([]);
    expect((await run(['appliances'])).stdout).toMatch(/^No appliance is paired/);
  });

  it('a wrong code is refused and nothing is kept; bad usage says how', async () => {
    const { url } = await nas();
    const desk = tempHome();
    const run = (args: string[]) => runCaptured([...args, '--home', desk], NO_ENGINE);
    const wrong = await run(['appliances', 'add', url, 'ABCDE-FGHJK']);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/refused/i);
    expect((await run(['appliances', '--json'])).stdout).toContain('"appliances": []');
    const usage = await run(['appliances', 'add', url]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('appliances add takes ADDRESS CODE');
    const bad = await run(['appliances', 'add', 'http://10.0.0.2:7420', 'ABCDE-FGHJK']);
    expect(bad.stderr).toContain('address: an appliance is paired over HTTPS only');
  });
});
