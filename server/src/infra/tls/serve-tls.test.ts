import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCertificate } from '../../core/secrets/self-signed.js';
import { SERVE_CERT_FILE, SERVE_KEY_FILE, serveTls, type ServeTlsOptions } from './serve-tls.js';

const NOW = new Date('2026-12-08T10:00:00Z');
const DAY = 86_400_000;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mna-serve-tls-'));
  dirs.push(dir);
  return dir;
}

function options(dir: string, more: Partial<ServeTlsOptions> = {}): ServeTlsOptions {
  return {
    dir: join(dir, 'tls'),
    names: ['localhost', 'nas', 'nas.local'],
    addresses: ['127.0.0.1', '::1', '192.168.1.20', 'fd00::20'],
    bindHost: '0.0.0.0',
    now: NOW,
    ...more,
  };
}

const mode = (path: string): number => statSync(path).mode & 0o777;

describe('the certificate serve makes for HTTPS beyond loopback', () => {
  it("is made at the first start for the machine's names and addresses, the key readable by its user only", () => {
    const dir = scratch();
    const tls = serveTls(options(dir));
    expect(tls.source).toBe('made');
    const cert = new X509Certificate(tls.cert);
    for (const name of ['localhost', 'nas', 'nas.local']) expect(cert.checkHost(name)).toBe(name);
    for (const ip of ['127.0.0.1', '::1', '192.168.1.20', 'fd00::20'])
      expect(cert.checkIP(ip)).toBe(ip);
    expect(cert.checkHost('evil.example')).toBeUndefined();
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(cert.fingerprint256).toBe(tls.fingerprint);
    expect(tls.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(Date.parse(tls.notAfter)).toBe(NOW.getTime() + 825 * DAY);
    expect(mode(join(dir, 'tls'))).toBe(0o700);
    expect(mode(join(dir, 'tls', SERVE_KEY_FILE))).toBe(0o600);
    expect(readdirSync(join(dir, 'tls')).sort()).toEqual([SERVE_CERT_FILE, SERVE_KEY_FILE]);
  });

  it('is kept across starts, even when an address changed', () => {
    const dir = scratch();
    const first = serveTls(options(dir));
    const again = serveTls(options(dir, { addresses: ['127.0.0.1', '192.168.1.77'] }));
    expect(again.source).toBe('kept');
    expect(again.fingerprint).toBe(first.fingerprint);
  });

  it('is renewed with the same key 30 days before it expires, and when a name is added', () => {
    const dir = scratch();
    const first = serveTls(options(dir));
    const late = new Date(Date.parse(first.notAfter) - 29 * DAY);
    const renewed = serveTls(options(dir, { now: late }));
    expect(renewed.source).toBe('renewed');
    expect(renewed.fingerprint).not.toBe(first.fingerprint);
    expect(renewed.keyFingerprint).toBe(first.keyFingerprint);
    expect(Date.parse(renewed.notAfter)).toBe(late.getTime() + 825 * DAY);

    const named = serveTls(
      options(dir, { now: late, names: ['localhost', 'nas', 'nas.local', 'media.home.arpa'] }),
    );
    expect(named.source).toBe('renewed');
    expect(new X509Certificate(named.cert).checkHost('media.home.arpa')).toBe('media.home.arpa');
    expect(named.keyFingerprint).toBe(first.keyFingerprint);
  });

  it('is made again, with a new key, when its files are unreadable', () => {
    const dir = scratch();
    const first = serveTls(options(dir));
    writeFileSync(join(dir, 'tls', SERVE_KEY_FILE), 'not a key');
    const made = serveTls(options(dir));
    expect(made.source).toBe('made');
    expect(made.keyFingerprint).not.toBe(first.keyFingerprint);
  });
});

describe("the user's own certificate (--tls-cert, --tls-key)", () => {
  /** Writes a certificate for `hosts` and its key; returns their paths. */
  function userFiles(dir: string, hosts: string[], now = NOW, validDays = 90) {
    const { certPem, keyPem } = createCertificate(hosts, now, { validDays });
    const cert = join(dir, 'user.crt');
    const key = join(dir, 'user.key');
    writeFileSync(cert, certPem);
    writeFileSync(key, keyPem, { mode: 0o600 });
    return { cert, key, certPem };
  }

  it('is used as given when it matches its key, is valid now and names this server; nothing is made', () => {
    const dir = scratch();
    const files = userFiles(dir, ['nas.local']);
    const tls = serveTls(options(dir, { userCert: files.cert, userKey: files.key }));
    expect(tls.source).toBe('user');
    expect(tls.fingerprint).toBe(new X509Certificate(files.certPem).fingerprint256);
    expect(readdirSync(dir)).not.toContain('tls');
  });

  const refusals: Array<[string, (dir: string) => Partial<ServeTlsOptions>, string, RegExp]> = [
    [
      'a key of another certificate',
      (dir) => {
        const files = userFiles(dir, ['nas.local']);
        const other = join(dir, 'other.key');
        const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
        writeFileSync(other, privateKey.export({ type: 'pkcs8', format: 'pem' }));
        return { userCert: files.cert, userKey: other };
      },
      '--tls-key',
      /is not the key of the certificate/,
    ],
    [
      'an expired certificate',
      (dir) => {
        const files = userFiles(dir, ['nas.local'], new Date(NOW.getTime() - 10 * DAY), 5);
        return { userCert: files.cert, userKey: files.key };
      },
      '--tls-cert',
      /expired on/,
    ],
    [
      'a certificate for other names',
      (dir) => {
        const files = userFiles(dir, ['elsewhere.example']);
        return { userCert: files.cert, userKey: files.key };
      },
      '--tls-cert',
      /names DNS:elsewhere\.example, none of localhost, nas, nas\.local, 127\.0\.0\.1/,
    ],
    [
      'a certificate not covering the address it binds',
      (dir) => {
        const files = userFiles(dir, ['nas.local']);
        return { userCert: files.cert, userKey: files.key, bindHost: '192.168.1.20' };
      },
      '--tls-cert',
      /none of 192\.168\.1\.20/,
    ],
    [
      'a file that is not there',
      (dir) => ({ userCert: join(dir, 'missing.crt'), userKey: join(dir, 'missing.key') }),
      '--tls-cert',
      /cannot read .*missing\.crt \(ENOENT\)/,
    ],
    [
      'a key without its certificate',
      (dir) => ({ userKey: userFiles(dir, ['nas.local']).key }),
      '--tls-cert',
      /go together/,
    ],
    [
      'a certificate file holding no certificate',
      (dir) => {
        const files = userFiles(dir, ['nas.local']);
        writeFileSync(files.cert, 'hello');
        return { userCert: files.cert, userKey: files.key };
      },
      '--tls-cert',
      /holds no PEM certificate/,
    ],
    [
      'a key with a passphrase',
      (dir) => {
        const files = userFiles(dir, ['nas.local']);
        const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
        writeFileSync(
          files.key,
          privateKey.export({
            type: 'pkcs8',
            format: 'pem',
            cipher: 'aes-256-cbc',
            passphrase: 'secret words',
          }),
        );
        return { userCert: files.cert, userKey: files.key };
      },
      '--tls-key',
      /is encrypted/,
    ],
  ];

  it.each(refusals)('refuses %s, naming the flag', (_what, given, field, message) => {
    const dir = scratch();
    let thrown: unknown;
    try {
      serveTls(options(dir, given(dir)));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'validation_failed', details: { field } });
    expect((thrown as Error).message).toMatch(new RegExp(`^${field}: `));
    expect((thrown as Error).message).toMatch(message);
    expect((thrown as Error).message).not.toContain('secret words');
    expect(readdirSync(dir)).not.toContain('tls');
  });
});
