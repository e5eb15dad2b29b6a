import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { AppError } from '../app-error.js';

/**
 * PostgreSQL's SCRAM-SHA-256 password verifier (RFC 5802 with SHA-256, RFC 7677), computed here
 * so that `ALTER ROLE ... PASSWORD '<verifier>'` sets a password without the clear text ever
 * reaching the server: PostgreSQL stores a string in this form as it is, and a statement that
 * holds it (in a log, say) reveals only what pg_authid holds anyway.
 *
 *   SaltedPassword = PBKDF2-HMAC-SHA-256(password, salt, iterations)
 *   StoredKey      = SHA-256(HMAC(SaltedPassword, "Client Key"))
 *   ServerKey      = HMAC(SaltedPassword, "Server Key")
 *   verifier       = SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>   (base64)
 */

/** PostgreSQL's default (scram_iterations) and RFC 7677's minimum. */
export const SCRAM_ITERATIONS = 4096;
/** PostgreSQL's salt length. */
export const SCRAM_SALT_BYTES = 16;

export interface ScramKeys {
  salt: Buffer;
  iterations: number;
  storedKey: Buffer;
  serverKey: Buffer;
}

const hmac = (key: Buffer, text: string): Buffer => createHmac('sha256', key).update(text).digest();

/**
 * SASLprep (RFC 4013) leaves printable ASCII unchanged, which is all the appliance generates; any
 * other password is refused rather than normalised differently from PostgreSQL.
 */
function refuseUnprepared(password: string): void {
  if (password.length === 0 || !/^[\x21-\x7e]+$/.test(password)) {
    throw new AppError(
      'internal',
      'A SCRAM verifier is only computed here for printable ASCII passwords.',
    );
  }
}

/** The salted keys of `password`; `salt` is random unless given (tests use RFC 7677's). */
export function scramKeys(
  password: string,
  options: { salt?: Buffer; iterations?: number } = {},
): ScramKeys {
  refuseUnprepared(password);
  const salt = options.salt ?? randomBytes(SCRAM_SALT_BYTES);
  const iterations = options.iterations ?? SCRAM_ITERATIONS;
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const storedKey = createHash('sha256').update(hmac(salted, 'Client Key')).digest();
  return { salt, iterations, storedKey, serverKey: hmac(salted, 'Server Key') };
}

/** The verifier PostgreSQL stores in pg_authid.rolpassword for `password`. */
export function scramVerifier(
  password: string,
  options: { salt?: Buffer; iterations?: number } = {},
): string {
  const k = scramKeys(password, options);
  const b64 = (b: Buffer): string => b.toString('base64');
  return `SCRAM-SHA-256$${k.iterations}:${b64(k.salt)}$${b64(k.storedKey)}:${b64(k.serverKey)}`;
}
