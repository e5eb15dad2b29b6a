import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Where the certificate nginx serves comes from (see compose-templates/files/shims/nginx-start.sh). */
export interface CertificateLocation {
  dataDir: string;
  secretsDir: string;
  /** Set with a domain: Let's Encrypt's certificate wins once certbot obtained it. */
  domain?: string;
}

async function notAfterOf(path: string): Promise<Date | undefined> {
  try {
    const text = await readFile(path, 'utf8');
    const pem = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/.exec(text)?.[0];
    return pem ? new Date(new X509Certificate(pem).validTo) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * When the certificate nginx serves expires: Let's Encrypt's for the domain when present, else the
 * self-signed one (the secret `tls_self_signed`); undefined when neither can be read.
 */
export async function servedCertificateNotAfter(
  location: CertificateLocation,
): Promise<Date | undefined> {
  if (location.domain) {
    const live = join(
      location.dataDir,
      'certbot',
      'conf',
      'live',
      location.domain,
      'fullchain.pem',
    );
    const notAfter = await notAfterOf(live);
    if (notAfter) return notAfter;
  }
  return notAfterOf(join(location.secretsDir, 'tls_self_signed'));
}

/**
 * certbot's record of its last attempt (compose-templates/files/shims/certbot-loop.sh), from the
 * data folder's certbot/conf; undefined when certbot has not written one. At most 64 KiB is read.
 */
export async function certbotAttemptRecord(dataDir: string): Promise<string | undefined> {
  const path = join(dataDir, 'certbot', 'conf', 'medianest', 'last-attempt');
  try {
    const text = await readFile(path, 'utf8');
    return text.length > 65_536 ? text.slice(-65_536) : text;
  } catch {
    return undefined;
  }
}
