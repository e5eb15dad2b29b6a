/**
 * The certificate `serve` uses whenever it listens beyond loopback (issue 21 §1): the user's own
 * (`--tls-cert` and `--tls-key`, checked: a matching pair, in its validity, covering a name this
 * server is reached by), or one made here at the first start (ECDSA P-256, this machine's names and
 * addresses) and kept in `<home>/tls`, the key 0600. It is renewed 30 days before it expires with
 * the same key; a name added later (MEDIANEST_ALLOWED_HOSTS) also renews it. A changed address
 * does not: browsers warn about a self-signed certificate anyway, and a device that pinned it (a
 * paired desktop) would have to pair again.
 */
import {
  X509Certificate,
  createHash,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
} from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { AppError } from '../../core/app-error.js';
import { createCertificate } from '../../core/secrets/self-signed.js';

const DAY_MS = 86_400_000;
/** Renewed when fewer days than this remain. */
const RENEW_DAYS = 30;
export const SERVE_CERT_FILE = 'server.crt';
export const SERVE_KEY_FILE = 'server.key';
const COMMON_NAME = 'MediaNest Appliance';

export interface ServeTlsOptions {
  /** `<home>/tls`: where the made certificate and its key live. */
  dir: string;
  /** The names the certificate must cover (this machine's, the allowed hosts). */
  names: readonly string[];
  /** Addresses put in a new certificate as well (not a reason to renew it). */
  addresses: readonly string[];
  /** The address `serve` binds; a user's certificate must cover it unless it is a wildcard. */
  bindHost: string;
  now: Date;
  /** The user's own certificate (PEM, a chain allowed) and key files. */
  userCert?: string;
  userKey?: string;
}

export interface ServeTls {
  cert: string;
  key: string;
  /** SHA-256 of the certificate, as browsers show it: `AB:CD:...`. */
  fingerprint: string;
  /** SHA-256 of the public key (SPKI), hex: stays the same across renewals. */
  keyFingerprint: string;
  notAfter: string;
  source: 'user' | 'made' | 'renewed' | 'kept';
}

const wildcard = (host: string): boolean => host === '0.0.0.0' || host === '::';

function covers(cert: X509Certificate, host: string): boolean {
  return isIP(host)
    ? cert.checkIP(host) !== undefined
    : cert.checkHost(host, { wildcards: true }) !== undefined;
}

function described(cert: X509Certificate, key: KeyObject, source: ServeTls['source']) {
  const spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
  return {
    fingerprint: cert.fingerprint256,
    keyFingerprint: createHash('sha256').update(spki).digest('hex'),
    notAfter: new Date(cert.validTo).toISOString(),
    source,
  };
}

function readField(path: string, field: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new AppError(
      'validation_failed',
      `${field}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)}).`,
      { field },
    );
  }
}

/** The user's certificate and key, refused with the flag's name when they cannot serve. */
function userTls(options: ServeTlsOptions, certPath: string, keyPath: string): ServeTls {
  const certText = readField(certPath, '--tls-cert');
  const keyText = readField(keyPath, '--tls-key');
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certText);
  } catch {
    throw new AppError('validation_failed', `--tls-cert: ${certPath} holds no PEM certificate.`, {
      field: '--tls-cert',
    });
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(keyText);
  } catch {
    const encrypted = /ENCRYPTED PRIVATE KEY|Proc-Type: 4,ENCRYPTED/.test(keyText);
    throw new AppError(
      'validation_failed',
      `--tls-key: ${keyPath} ${encrypted ? 'is encrypted; give the key without a passphrase (readable by this user only)' : 'holds no PEM private key'}.`,
      { field: '--tls-key' },
    );
  }
  const fail = (field: string, message: string): never => {
    throw new AppError('validation_failed', `${field}: ${message}`, { field });
  };
  if (!cert.checkPrivateKey(key))
    fail('--tls-key', `${keyPath} is not the key of the certificate in ${certPath}.`);
  const now = options.now.getTime();
  if (Date.parse(cert.validTo) <= now)
    fail('--tls-cert', `the certificate expired on ${cert.validTo}.`);
  if (Date.parse(cert.validFrom) > now)
    fail('--tls-cert', `the certificate is not valid before ${cert.validFrom}.`);
  const wanted = wildcard(options.bindHost)
    ? [...options.names, ...options.addresses]
    : [options.bindHost];
  if (!wanted.some((host) => covers(cert, host))) {
    fail(
      '--tls-cert',
      `the certificate names ${cert.subjectAltName ?? cert.subject}, none of ${wanted.join(', ')} (how this server is reached).`,
    );
  }
  return { cert: certText, key: keyText, ...described(cert, key, 'user') };
}

function readMade(dir: string): { cert: X509Certificate; key: KeyObject } | undefined {
  try {
    const key = createPrivateKey(readFileSync(join(dir, SERVE_KEY_FILE), 'utf8'));
    const cert = new X509Certificate(readFileSync(join(dir, SERVE_CERT_FILE), 'utf8'));
    return { cert, key };
  } catch {
    return undefined;
  }
}

function writeAtomically(path: string, text: string, mode: number): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, text, { mode });
  chmodSync(temp, mode);
  renameSync(temp, path);
}

/** The certificate and key `serve` listens with beyond loopback. */
export function serveTls(options: ServeTlsOptions): ServeTls {
  const { userCert, userKey } = options;
  if (userCert || userKey) {
    if (!userCert || !userKey) {
      const missing = userCert ? '--tls-key' : '--tls-cert';
      throw new AppError(
        'validation_failed',
        `${missing}: --tls-cert and --tls-key go together (the certificate and its key).`,
        { field: missing },
      );
    }
    return userTls(options, userCert, userKey);
  }
  const { dir, now } = options;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const made = readMade(dir);
  const current =
    made?.cert.checkPrivateKey(made.key) === true &&
    Date.parse(made.cert.validTo) > now.getTime() + RENEW_DAYS * DAY_MS &&
    options.names.every((name) => covers(made.cert, name));
  if (made && current) {
    return {
      cert: made.cert.toString(),
      key: made.key.export({ type: 'pkcs8', format: 'pem' }).toString(),
      ...described(made.cert, made.key, 'kept'),
    };
  }
  const hosts = [...new Set([...options.names, ...options.addresses])];
  const { certPem, keyPem } = createCertificate(hosts, now, {
    commonName: COMMON_NAME,
    ...(made ? { privateKey: made.key } : {}),
  });
  // The key first: a certificate never names a key that is not on disk.
  writeAtomically(join(dir, SERVE_KEY_FILE), keyPem, 0o600);
  writeAtomically(join(dir, SERVE_CERT_FILE), certPem, 0o600);
  const key = createPrivateKey(keyPem);
  return {
    cert: certPem,
    key: keyPem,
    ...described(new X509Certificate(certPem), key, made ? 'renewed' : 'made'),
  };
}
