import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSelfSignedPem, selfSignedHosts, selfSignedPemIsCurrent } from './self-signed.js';

const NOW = new Date('2026-03-01T12:00:00Z');
const DAY = 86_400_000;

function parts(pem: string): { cert: X509Certificate; keyPem: string } {
  const [certPem = '', keyPem = ''] = pem.split(/(?=-----BEGIN PRIVATE KEY-----)/);
  return { cert: new X509Certificate(certPem), keyPem };
}

describe('createSelfSignedPem', () => {
  const hosts = selfSignedHosts('media.example.org');
  const pem = createSelfSignedPem(hosts, NOW);
  const { cert, keyPem } = parts(pem);

  it('holds a certificate, then its private key', () => {
    expect(pem).toMatch(
      /^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\n/,
    );
    expect(cert.checkPrivateKey(createPrivateKey(keyPem))).toBe(true);
    expect(cert.verify(createPublicKey(keyPem))).toBe(true);
  });

  it('is a TLS server certificate for the domain, localhost and 127.0.0.1', () => {
    expect(cert.subjectAltName).toBe('DNS:media.example.org, DNS:localhost, IP Address:127.0.0.1');
    expect(cert.checkHost('media.example.org')).toBe('media.example.org');
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkHost('other.example.org')).toBeUndefined();
    expect(cert.ca).toBe(false);
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(cert.publicKey.asymmetricKeyType).toBe('ec');
  });

  it('is valid from an hour before now for 825 days', () => {
    expect(Date.parse(cert.validFrom)).toBe(NOW.getTime() - 3_600_000);
    expect(Date.parse(cert.validTo)).toBe(NOW.getTime() + 825 * DAY);
  });

  it('uses a fresh key and serial every time', () => {
    const other = parts(createSelfSignedPem(hosts, NOW));
    expect(other.cert.serialNumber).not.toBe(cert.serialNumber);
    expect(other.keyPem).not.toBe(keyPem);
  });
});

describe('selfSignedPemIsCurrent', () => {
  const pem = createSelfSignedPem(selfSignedHosts(undefined), NOW);

  it('accepts a matching, unexpired certificate', () => {
    expect(selfSignedPemIsCurrent(pem, selfSignedHosts(undefined), NOW)).toBe(true);
  });

  it('refuses one that does not cover a host, expires within 30 days, or is damaged', () => {
    expect(selfSignedPemIsCurrent(pem, selfSignedHosts('media.example.org'), NOW)).toBe(false);
    expect(selfSignedPemIsCurrent(pem, ['localhost'], new Date(NOW.getTime() + 800 * DAY))).toBe(
      false,
    );
    expect(
      selfSignedPemIsCurrent(
        pem.replace(/-----BEGIN PRIVATE KEY-----[\s\S]+$/, ''),
        ['localhost'],
        NOW,
      ),
    ).toBe(false);
    expect(selfSignedPemIsCurrent('not a pem', ['localhost'], NOW)).toBe(false);
    const otherKey =
      createSelfSignedPem(['localhost'], NOW).split(/(?=-----BEGIN PRIVATE KEY-----)/)[1] ?? '';
    expect(
      selfSignedPemIsCurrent(
        pem.replace(/-----BEGIN PRIVATE KEY-----[\s\S]+$/, otherKey),
        ['localhost'],
        NOW,
      ),
    ).toBe(false);
  });
});
