/**
 * The tls profile with a domain, on a machine without internet (the rig: no route off the machine,
 * every outside name NXDOMAIN), with Debian's real certbot: `up` does not wait for a certificate
 * that cannot come; certbot's first `certonly` and, once a certificate is due, its `renew` fail the
 * way they fail for a user offline; nginx keeps serving HTTPS; and the app says so: an alert naming
 * the cause (no internet connection) with certbot's own words, and certbot's healthcheck output.
 */
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../server/src/contract/alerts.js';
import { createApiClient, type ApiClient } from '../../server/src/contract/client.js';
import type { ServiceStatus } from '../../server/src/contract/stack.js';
import { parseCertbotAttempt } from '../../server/src/core/alerts/letsencrypt-attempt.js';
import { createServer, type AppServer } from '../../server/src/index.js';
import { createLogger } from '../../server/src/infra/log/logger.js';
import { certbotAttemptRecord } from '../../server/src/infra/tls/served-certificate.js';
import { cliOk } from './support/cli.js';
import { waitUntil } from './support/containers.js';
import { initStack, stackEnv } from './support/installed-stack.js';
import { removeComposeProject } from './support/project.js';
import { rigDocker, rigEnv } from './support/rig.js';
import { execInService, runningContainerOf } from './support/service-exec.js';

const PROJECT = `mncert${Date.now().toString(36)}`;
const LABEL = `com.docker.compose.project=${PROJECT}`;
const DOMAIN = 'media.example.test';
const PLANT = join(
  dirname(fileURLToPath(import.meta.url)),
  '../fixtures/certbot/plant-due-certificate.py',
);
const rig = rigEnv();
const docker = rigDocker(rig);

let dir = '';
let home = '';
let dataDir = '';
let httpsPort = 0;
let server: AppServer | undefined;
let client: ApiClient;

/** The record certbot-loop.sh writes, once it is for `command`. */
const attemptOf = (command: 'certonly' | 'renew') =>
  waitUntil(
    `certbot's record of a ${command}`,
    async () => {
      const text = await certbotAttemptRecord(dataDir);
      const attempt = text ? parseCertbotAttempt(text) : undefined;
      return attempt?.command === command ? attempt : undefined;
    },
    90_000,
    500,
  );

const alertFor = (subject: string) =>
  waitUntil(
    `the ${subject} alert`,
    async (): Promise<Alert | undefined> =>
      (await client.alerts({})).firing.find(
        (a) => a.rule === 'tls-renewal-failed' && a.subject === subject && a.state === 'firing',
      ),
    60_000,
    500,
  );

/** The certificate served on the https port: its subject, issuer and end date. */
function servedCertificate(): Promise<{ subject: string; issuer: string; validTo: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      { host: '127.0.0.1', port: httpsPort, path: '/', rejectUnauthorized: false, timeout: 10_000 },
      (res) => {
        const cert = (res.socket as TLSSocket).getPeerCertificate();
        res.resume();
        resolve({
          subject: JSON.stringify(cert.subject),
          issuer: JSON.stringify(cert.issuer),
          validTo: cert.valid_to,
        });
      },
    );
    req.on('error', reject);
  });
}

beforeAll(async () => {
  await removeComposeProject(docker, PROJECT);
  dir = mkdtempSync(join(tmpdir(), `mna-${PROJECT}-`));
  home = join(dir, 'home');
  const env = stackEnv(rig.dockerHost, PROJECT);
  const more = ['--profile', 'tls', '--domain', DOMAIN, '--email', 'admin@example.test'];
  ({ httpsPort } = await initStack(rig, home, env, rig.imagesFile, more));
  dataDir = join(home, 'data');
  await cliOk(['up', '--home', home], env);
  server = createServer({
    home,
    env,
    logger: createLogger({ write: () => undefined }),
    alerts: { tickMs: 500, slowInputsMs: 1000, resolveHoldMs: 1000 },
  });
  const { url, token } = await server.start();
  client = createApiClient({ baseUrl: url, token });
}, 300_000);

afterAll(async () => {
  await server?.stop();
  await removeComposeProject(docker, PROJECT);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("Let's Encrypt without internet, with the real certbot", () => {
  it('starts the stack without waiting for a certificate that cannot come, HTTPS still served', async () => {
    const status = JSON.parse(
      (await cliOk(['status', '--json', '--home', home], stackEnv(rig.dockerHost, PROJECT))).stdout,
    ) as ServiceStatus[];
    const certbot = status.find((s) => s.service === 'certbot');
    expect(certbot?.state).toBe('running');
    expect(status.find((s) => s.service === 'nginx')?.health).toBe('healthy');
    // No Let's Encrypt certificate: nginx serves the stack's self-signed one.
    const served = await servedCertificate();
    expect(served.issuer).toBe(served.subject);
    expect(served.issuer).not.toMatch(/Let's Encrypt/);
  });

  it('fails certonly the way it fails offline, and the app says why in an alert', async () => {
    const attempt = await attemptOf('certonly');
    expect(attempt).toMatchObject({ result: 'failed', domain: DOMAIN, exitCode: 1 });
    // certbot's own words: it could not even look up Let's Encrypt's address.
    expect(attempt.output.join('\n')).toMatch(
      /acme-v02\.api\.letsencrypt\.org.*(Name or service not known|Temporary failure in name resolution)/,
    );
    const alert = await alertFor('letsencrypt-issue');
    expect(alert.title).toBe("Let's Encrypt cannot be reached");
    expect(alert.severity).toBe('warning');
    expect(alert.message).toContain(`no Let's Encrypt certificate for ${DOMAIN} yet`);
    expect(alert.message).toContain('no internet connection');
    expect(alert.message).toContain('self-signed certificate');
    expect(alert.message).not.toMatch(/object at 0x/);
    // The healthcheck says the same in its output (the service page's "last check").
    const health = await execInService(docker, LABEL, 'certbot', [
      '/bin/sh',
      '/opt/medianest/certbot-loop.sh',
      'health',
    ]);
    expect(health.exitCode).toBe(1);
    expect(health.stdout).toMatch(
      new RegExp(
        `no certificate for ${DOMAIN.replace(/\./g, '\\.')} yet: the attempt at .* failed: .*(not known|name resolution)`,
      ),
    );
  });

  it('fails a due renewal offline too: the alert says which certificate stays valid until when', async () => {
    // What a user who once got a certificate has: an account, the certificate (due in 5 days), its
    // renewal configuration; planted with the certbot image's own python, then certbot restarted.
    const planted = await execInService(
      docker,
      LABEL,
      'certbot',
      ['python3', '-', '/etc/letsencrypt', DOMAIN, '5'],
      { stdin: readFileSync(PLANT, 'utf8') },
    );
    expect(planted.exitCode, planted.stderr).toBe(0);
    await (await runningContainerOf(docker, LABEL, 'certbot')).restart({ t: 5 });
    const attempt = await attemptOf('renew');
    expect(attempt.result).toBe('failed');
    expect(attempt.output.join('\n')).toMatch(
      new RegExp(
        `Failed to renew certificate ${DOMAIN.replace(/\./g, '\\.')} with error: .*acme-v02`,
      ),
    );
    const alert = await alertFor('letsencrypt-renewal');
    expect(alert.message).toContain(`The certificate for ${DOMAIN} was not renewed`);
    expect(alert.message).toContain('no internet connection');
    const notAfter = new Date(Date.now() + 5 * 86_400_000).toISOString().slice(0, 10);
    const dayBefore = new Date(Date.now() + 4 * 86_400_000).toISOString().slice(0, 10);
    expect(alert.message).toMatch(new RegExp(`valid until (${notAfter}|${dayBefore})`));
    // The failed first issuance is over: that alert resolves.
    await waitUntil(
      'the issue alert to resolve',
      async () =>
        (await client.alerts({})).history.some(
          (a) => a.subject === 'letsencrypt-issue' && a.state === 'resolved',
        ) || undefined,
      30_000,
      500,
    );
  });
});
