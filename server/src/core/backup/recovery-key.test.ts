import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { formatRecoveryKey, generateRecoveryKey, parseRecoveryKey } from './recovery-key.js';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

describe('recovery key', () => {
  it('is 256 random bits, shown as 14 groups of 4 unambiguous characters', () => {
    const key = generateRecoveryKey();
    expect(key).toHaveLength(32);
    expect(generateRecoveryKey()).not.toEqual(key);
    expect(formatRecoveryKey(key)).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){13}$/);
  });

  it('reads back what it shows, whatever the case, spacing and look-alike letters', () => {
    for (let i = 0; i < 200; i += 1) {
      const key = new Uint8Array(randomBytes(32));
      const shown = formatRecoveryKey(key);
      expect(parseRecoveryKey(shown)).toEqual(key);
      const typed = ` ${shown.toLowerCase().replaceAll('-', ' ').replaceAll('0', 'o').replaceAll('1', 'l')}\n`;
      expect(parseRecoveryKey(typed)).toEqual(key);
    }
  });

  it('catches every single mistyped character as mistyped, before any archive is tried', () => {
    const shown = formatRecoveryKey(generateRecoveryKey());
    const compact = shown.replaceAll('-', '');
    for (let at = 0; at < compact.length; at += 1) {
      const other = ALPHABET[
        (ALPHABET.indexOf(compact[at] as string) + 1 + (at % 31)) % 32
      ] as string;
      const typo = compact.slice(0, at) + other + compact.slice(at + 1);
      expect(() => parseRecoveryKey(typo)).toThrow(/recoveryKey: it looks mistyped/);
    }
    // Two neighbours swapped, the other common typo.
    const swapAt = compact.search(/(.)(?!\1)./);
    const swapped =
      compact.slice(0, swapAt) + compact[swapAt + 1] + compact[swapAt] + compact.slice(swapAt + 2);
    expect(() => parseRecoveryKey(swapped)).toThrow(/mistyped/);
  });

  it('says what is wrong with a key that cannot be one', () => {
    const shown = formatRecoveryKey(generateRecoveryKey());
    expect(() => parseRecoveryKey('')).toThrow(/recoveryKey: enter the recovery key/);
    expect(() => parseRecoveryKey(shown.slice(0, -5))).toThrow(
      /it has 52 characters; a recovery key has 56 \(14 groups of 4\)/,
    );
    expect(() => parseRecoveryKey(`${shown}-AAAA`)).toThrow(/it has 60 characters/);
    expect(() => parseRecoveryKey(`AAAA-U${shown.slice(6)}`)).toThrow(
      /character "U" in group 2 is never part/,
    );
    try {
      parseRecoveryKey('nope!');
    } catch (error) {
      expect(error).toMatchObject({ code: 'validation_failed', details: { field: 'recoveryKey' } });
    }
    expect.assertions(5);
  });
});
