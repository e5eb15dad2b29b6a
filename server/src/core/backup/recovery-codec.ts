/**
 * The codec the key store uses: recovery-key.ts's generation, text form (groups of Crockford
 * base32 with a checksum) and forgiving parser.
 */
import type { RecoveryKeyCodec } from './key-store.js';
import { formatRecoveryKey, generateRecoveryKey, parseRecoveryKey } from './recovery-key.js';

export const recoveryKeyCodec: RecoveryKeyCodec = {
  generate: () => generateRecoveryKey(),
  format: formatRecoveryKey,
  parse: parseRecoveryKey,
};
