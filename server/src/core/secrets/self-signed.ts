import {
  X509Certificate,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  type KeyObject,
} from 'node:crypto';
import { isIP } from 'node:net';

/**
 * The self-signed certificate nginx serves with the tls profile until Let's Encrypt's exists (or
 * for good, without a domain). Made here with node:crypto rather than in a container, because
 * neither nginx:alpine nor every certbot image ships the openssl CLI; Node has no certificate
 * builder, so the few DER structures an X.509 v3 certificate needs are encoded below (RFC 5280).
 * ECDSA P-256 with SHA-256; the file holds the certificate followed by its PKCS#8 key. `serve`
 * beyond loopback uses the same builder for its own HTTPS certificate (infra/tls/serve-tls.ts).
 */

/** 825 days: the longest validity Apple platforms accept for a TLS server certificate. */
const VALID_DAYS = 825;
/** Renewed at `init` when fewer days than this remain. */
const RENEW_DAYS = 30;
const DAY_MS = 86_400_000;

function tlv(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const n = body.length;
  const length =
    n < 0x80
      ? Buffer.from([n])
      : n < 0x100
        ? Buffer.from([0x81, n])
        : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, body]);
}

const sequence = (...parts: Buffer[]): Buffer => tlv(0x30, ...parts);
const set = (...parts: Buffer[]): Buffer => tlv(0x31, ...parts);
const octets = (body: Buffer): Buffer => tlv(0x04, body);
const bits = (body: Buffer, unused = 0): Buffer => tlv(0x03, Buffer.from([unused]), body);
const utf8 = (text: string): Buffer => tlv(0x0c, Buffer.from(text, 'utf8'));

function oid(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split('.').map(Number);
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const chunk = [arc & 0x7f];
    for (let v = arc >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** A non-negative INTEGER from big-endian bytes. */
function integer(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start += 1;
  const trimmed = bytes.subarray(start);
  return tlv(0x02, (trimmed[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

/** UTCTime until 2049, GeneralizedTime after, as RFC 5280 §4.1.2.5 requires. */
function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return date.getUTCFullYear() < 2050
    ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`))
    : tlv(0x18, Buffer.from(`${iso}Z`));
}

const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return sequence(oid(id), ...(critical ? [tlv(0x01, Buffer.from([0xff]))] : []), octets(value));
}

/** The 16 bytes of an IPv6 address (`::` shorthand and a trailing dotted IPv4 part allowed). */
function ipv6Bytes(address: string): Buffer {
  let text = address;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (dotted) {
    const [a = 0, b = 0, c = 0, d = 0] = dotted.split('.').map(Number);
    text = `${text.slice(0, -dotted.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  const out = Buffer.alloc(16);
  groups.forEach((group: string, i: number) => out.writeUInt16BE(parseInt(group, 16), i * 2));
  return out;
}

function subjectAltNames(hosts: readonly string[]): Buffer {
  const names = hosts.map((host) => {
    const family = isIP(host);
    if (family === 4) return tlv(0x87, Buffer.from(host.split('.').map(Number)));
    if (family === 6) return tlv(0x87, ipv6Bytes(host));
    return tlv(0x82, Buffer.from(host, 'ascii'));
  });
  return sequence(...names);
}

function pem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

export interface CertificateOptions {
  /** The key to certify (a renewal keeps it); a new P-256 key when omitted. */
  privateKey?: KeyObject;
  /** The subject's and issuer's common name. */
  commonName?: string;
  /** Days of validity from `now` (825 when omitted). */
  validDays?: number;
}

/**
 * A self-signed certificate for `hosts` (DNS names, IPv4 and IPv6 addresses), valid from an hour
 * before `now` for `validDays`: the certificate's PEM and its key's (PKCS#8).
 */
export function createCertificate(
  hosts: readonly string[],
  now: Date,
  options: CertificateOptions = {},
): { certPem: string; keyPem: string } {
  const privateKey =
    options.privateKey ?? generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
  const publicKey = createPublicKey(privateKey);
  const serial = randomBytes(16);
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x01;
  const name = sequence(
    set(sequence(oid('2.5.4.3'), utf8(options.commonName ?? 'MediaNest Appliance self-signed'))),
  );
  const tbs = sequence(
    tlv(0xa0, integer(Buffer.from([2]))),
    integer(serial),
    sequence(oid(ECDSA_WITH_SHA256)),
    name,
    sequence(
      time(new Date(now.getTime() - 3_600_000)),
      time(new Date(now.getTime() + (options.validDays ?? VALID_DAYS) * DAY_MS)),
    ),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    tlv(
      0xa3,
      sequence(
        extension('2.5.29.19', true, sequence()), // basicConstraints: not a CA
        extension('2.5.29.15', true, bits(Buffer.from([0x80]), 7)), // keyUsage: digitalSignature
        extension('2.5.29.37', false, sequence(oid('1.3.6.1.5.5.7.3.1'))), // extKeyUsage: serverAuth
        extension('2.5.29.17', false, subjectAltNames(hosts)),
      ),
    ),
  );
  const signature = sign('sha256', tbs, privateKey);
  const certificate = sequence(tbs, sequence(oid(ECDSA_WITH_SHA256)), bits(signature));
  return {
    certPem: pem('CERTIFICATE', certificate),
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/**
 * A new key and self-signed certificate for `hosts`, valid from an hour before `now` for 825 days.
 * Returns the certificate PEM followed by the key PEM.
 */
export function createSelfSignedPem(hosts: readonly string[], now: Date): string {
  const { certPem, keyPem } = createCertificate(hosts, now);
  return certPem + keyPem;
}

/**
 * True when `pemText` holds a certificate and its matching key, covering every one of `hosts`, and
 * valid for at least another 30 days after `now`.
 */
export function selfSignedPemIsCurrent(
  pemText: string,
  hosts: readonly string[],
  now: Date,
): boolean {
  try {
    const cert = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/.exec(pemText)?.[0];
    const key = /-----BEGIN PRIVATE KEY-----[^-]+-----END PRIVATE KEY-----/.exec(pemText)?.[0];
    if (!cert || !key) return false;
    const x509 = new X509Certificate(cert);
    if (!x509.checkPrivateKey(createPrivateKey(key))) return false;
    if (Date.parse(x509.validTo) < now.getTime() + RENEW_DAYS * DAY_MS) return false;
    return hosts.every((host) =>
      isIP(host)
        ? x509.checkIP(host) !== undefined
        : x509.checkHost(host, { wildcards: false }) !== undefined,
    );
  } catch {
    return false;
  }
}

/** The names the self-signed certificate covers: the domain if any, and this machine by loopback. */
export function selfSignedHosts(domain: string | undefined): string[] {
  return [...(domain ? [domain] : []), 'localhost', '127.0.0.1'];
}
