import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pairingProof } from '../core/auth/pairing.js';
import { rawRequest as raw } from '../http/raw-request.test-support.js';
import type { CliIo } from './io.js';
import { runCli } from './run.js';
import { serve } from './serve.js';

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'mna-devices-cli-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

const ENV = {
  DOCKER_HOST: 'unix:///nonexistent.sock',
  MEDIANEST_ADMIN_PASSWORD: 'a long admin password',
};

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env: ENV,
    untilShutdown: () => Promise.resolve(),
  };
  const code = await runCli([...args, '--home', home], io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** Runs `serve --host 0.0.0.0` and, while it serves, `during(url)`. */
async function whileServing(during: (url: string) => Promise<void>): Promise<void> {
  let failure: Error | undefined;
  const io: CliIo = {
    stdout: () => undefined,
    stderr: () => undefined,
    env: ENV,
    untilShutdown: async () => {
      const { url } = JSON.parse(readFileSync(join(home, 'serve.json'), 'utf8')) as {
        url: string;
      };
      await during(url).catch(
        (error: unknown) => (failure = error instanceof Error ? error : new Error(String(error))),
      );
    },
  };
  const values = { home, host: '0.0.0.0', port: '0' };
  expect(await serve({ verb: 'serve', values, positionals: [] }, io)).toBe(0);
  if (failure) throw failure;
}

describe('pair and devices', () => {
  it('pair prints a code and the fingerprint; the code pairs; devices lists and revokes', async () => {
    await whileServing(async (url) => {
      const pair = await cli(['pair']);
      expect(pair.code).toBe(0);
      const code = /^pairing code (\S{5}-\S{5}) /m.exec(pair.out)?.[1] ?? '';
      const fingerprint = /^certificate SHA-256 (\S+)$/m.exec(pair.out)?.[1];
      const seen = (await raw(url, '/api/health')).fingerprint;
      expect(fingerprint).toBe(seen);

      const nonce = randomBytes(32).toString('hex');
      const proof = pairingProof('device', code, {
        fingerprint: seen ?? '',
        nonce,
        deviceName: 'Desk',
      });
      const paired = await raw(url, '/api/pair', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ deviceName: 'Desk', nonce, proof }),
      });
      expect(paired.status).toBe(200);
      const { deviceId, token } = JSON.parse(paired.body) as { deviceId: string; token: string };

      const listed = await cli(['devices']);
      expect(listed.out).toMatch(
        new RegExp(
          `^ID +NAME +PAIRED +LAST SEEN +ADDRESS\\n${deviceId} +Desk +\\S+ \\S+ +\\S+ \\S+ +127\\.0\\.0\\.1$`,
        ),
      );
      expect(listed.out).not.toContain(token);

      expect((await cli(['devices', 'revoke', deviceId])).code).toBe(0);
      const refused = await raw(url, '/api/devices', {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(refused.status).toBe(401);
      expect((await cli(['devices'])).out).toBe(
        'No paired devices. `pair` makes a code to pair one.',
      );
    });
  });

  it('pair says why it cannot without a serve over HTTPS; revoking an unknown device says so', async () => {
    const pair = await cli(['pair']);
    expect(pair.code).toBe(1);
    expect(pair.err).toContain('Pairing needs the appliance served over HTTPS');
    expect(pair.err).toContain(`No serve with HTTPS runs for ${home}.`);
    const revoke = await cli(['devices', 'revoke', 'nope']);
    expect(revoke.code).toBe(1);
    expect(revoke.err).toContain('There is no paired device nope');
    expect((await cli(['devices', 'forget'])).code).toBe(2);
  });
});
