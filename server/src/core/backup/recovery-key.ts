/**
 * The recovery key: 256 random bits that open every backup of an installation. Shown to the user
 * once, to write down or print, as 14 groups of 4 characters of Crockford's base32 (no I, L, O or
 * U, so nothing looks like something else); the last 24 bits are a checksum, so a mistyped key is
 * caught as "mistyped" before it is tried on an archive. The 32 bytes it stands for are what
 * ArchiveWriter.write and ArchiveReader take as `key`; each archive derives its own key from them
 * (docs/backup-format.md).
 */
import { createHash, randomBytes } from 'node:crypto';
import { AppError } from '../app-error.js';

export const RECOVERY_KEY_BYTES = 32;
const CHECK_BYTES = 3;
const GROUP = 4;
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** 35 bytes are exactly 56 base32 characters: no padding bits to get wrong. */
const LENGTH = ((RECOVERY_KEY_BYTES + CHECK_BYTES) * 8) / 5;
/** Letters people write for digits, read as Crockford's base32 reads them. */
const LOOKALIKES: Record<string, string> = { O: '0', I: '1', L: '1' };

function invalid(message: string): AppError {
  return new AppError('validation_failed', `recoveryKey: ${message}`, { field: 'recoveryKey' });
}

const checksum = (key: Uint8Array): Buffer =>
  createHash('sha256')
    .update('medianest recovery key')
    .update(key)
    .digest()
    .subarray(0, CHECK_BYTES);

/** A new recovery key from the system's CSPRNG. */
export function generateRecoveryKey(
  random: (size: number) => Uint8Array = randomBytes,
): Uint8Array {
  const key = new Uint8Array(random(RECOVERY_KEY_BYTES));
  if (key.length !== RECOVERY_KEY_BYTES) throw new Error('the random source gave too few bytes');
  return key;
}

/** `XXXX-XXXX-…` (14 groups): how the key is shown, printed and typed. */
export function formatRecoveryKey(key: Uint8Array): string {
  if (key.length !== RECOVERY_KEY_BYTES) throw new Error('a recovery key has 32 bytes');
  const bytes = Buffer.concat([key, checksum(key)]);
  let bits = 0;
  let value = 0;
  let text = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      text += ALPHABET[(value >> bits) & 31];
    }
    value &= (1 << bits) - 1;
  }
  return (text.match(new RegExp(`.{${GROUP}}`, 'g')) ?? []).join('-');
}

/**
 * The key's 32 bytes from what a user typed or pasted: case, spaces and dashes do not matter, and
 * O, I and L are read as 0, 1 and 1. Anything else wrong is a `validation_failed` that says what.
 */
export function parseRecoveryKey(text: string): Uint8Array {
  const compact = text.toUpperCase().replace(/[\s-]+/g, '');
  if (compact.length === 0) throw invalid('enter the recovery key you saved when you installed.');
  const chars = [...compact].map((c) => LOOKALIKES[c] ?? c);
  const bad = chars.findIndex((c) => !ALPHABET.includes(c));
  if (bad >= 0) {
    throw invalid(
      `character ${JSON.stringify(compact[bad])} in group ${Math.floor(bad / GROUP) + 1} is never part of a recovery key (it uses 0-9 and A-Z without I, L, O and U).`,
    );
  }
  if (chars.length !== LENGTH) {
    throw invalid(
      `it has ${chars.length} characters; a recovery key has ${LENGTH} (${LENGTH / GROUP} groups of ${GROUP}).`,
    );
  }
  const bytes: number[] = [];
  let bits = 0;
  let value = 0;
  for (const c of chars) {
    value = (value << 5) | ALPHABET.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((value >> bits) & 255);
    }
    value &= (1 << bits) - 1;
  }
  const key = Uint8Array.from(bytes.slice(0, RECOVERY_KEY_BYTES));
  if (!checksum(key).equals(Buffer.from(bytes.slice(RECOVERY_KEY_BYTES)))) {
    throw invalid(
      'it looks mistyped (its check characters do not match). Compare each group with your saved copy.',
    );
  }
  return key;
}
