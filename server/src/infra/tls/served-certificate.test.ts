import { X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSelfSignedPem } from '../../core/secrets/self-signed.js';
import { servedCertificateNotAfter } from './served-certificate.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function home(): { dataDir: string; secretsDir: string } {
  const root = mkdtempSync(join(tmpdir(), 'mna-cert-'));
  dirs.push(root);
  const location = { dataDir: join(root, 'data'), secretsDir: join(root, 'secrets') };
  mkdirSync(location.secretsDir, { recursive: true });
  return location;
}

const notAfterOf = (pem: string): Date => new Date(new X509Certificate(pem).validTo);

describe('the certificate nginx serves', () => {
  it("is Let's Encrypt's for the domain once present, else the self-signed one", async () => {
    const location = home();
    const selfSigned = createSelfSignedPem(['localhost'], new Date('2026-01-01T00:00:00Z'));
    writeFileSync(join(location.secretsDir, 'tls_self_signed'), selfSigned);
    const withDomain = { ...location, domain: 'media.example.org' };
    expect(await servedCertificateNotAfter(withDomain)).toEqual(notAfterOf(selfSigned));

    const live = join(location.dataDir, 'certbot', 'conf', 'live', 'media.example.org');
    mkdirSync(live, { recursive: true });
    const issued = createSelfSignedPem(['media.example.org'], new Date('2026-05-01T00:00:00Z'));
    writeFileSync(
      join(live, 'fullchain.pem'),
      issued.slice(0, issued.indexOf('-----BEGIN PRIVATE')),
    );
    expect(await servedCertificateNotAfter(withDomain)).toEqual(notAfterOf(issued));
    expect(await servedCertificateNotAfter(location)).toEqual(notAfterOf(selfSigned));
  });

  it('is unknown when nothing readable is there', async () => {
    const location = home();
    expect(await servedCertificateNotAfter(location)).toBeUndefined();
    writeFileSync(join(location.secretsDir, 'tls_self_signed'), 'not a certificate');
    expect(await servedCertificateNotAfter(location)).toBeUndefined();
  });
});
