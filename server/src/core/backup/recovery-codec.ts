/**
 * The codec the key store uses: recovery-key.ts's functions when that module provides them.
 * Keys are 32 random bytes; the text form is what a user writes down.
 */
import { randomBytes } from 'node:crypto';
import { AppError } from '../app-error.js';
import type { RecoveryKeyCodec } from './key-store.js';

const KEY_BYTES = 32;

export const recoveryKeyCodec: RecoveryKeyCodec = {
  generate: () => new Uint8Array(randomBytes(KEY_BYTES)),
  format: (bytes) => (Buffer.from(bytes).toString('hex').match(/.{8}/g) ?? []).join('-'),
  parse: (text) => {
    const hex = text.replace(/[\s-]/g, '').toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(hex)) {
      throw new AppError(
        'validation_failed',
        'recoveryKey: a recovery key is 64 hex digits in groups of 8.',
      );
    }
    return new Uint8Array(Buffer.from(hex, 'hex'));
  },
};
