import { describe, expect, it } from 'vitest';
import {
  REJECTED_SUBSTRINGS,
  databaseUrl,
  generateSecret,
  isAcceptedByMediaNest,
  redisUrl,
  type RandomSource,
} from './generate.js';

/** A random source that returns the given 32-byte values in turn. */
function scripted(...hexValues: string[]): RandomSource & { calls: number } {
  const source = Object.assign(
    (size: number): Uint8Array => {
      const hex = hexValues[Math.min(source.calls, hexValues.length - 1)] ?? '';
      source.calls += 1;
      expect(size).toBe(32);
      return Buffer.from(hex, 'hex');
    },
    { calls: 0 },
  );
  return source;
}

const GOOD = 'ab'.repeat(32);

describe('generateSecret', () => {
  it('returns 256 bits as 64 lowercase hex characters', () => {
    const values = new Set(Array.from({ length: 200 }, () => generateSecret()));
    expect(values.size).toBe(200);
    for (const value of values) {
      expect(value).toMatch(/^[0-9a-f]{64}$/);
      expect(isAcceptedByMediaNest(value)).toBe(true);
    }
  });

  it('re-rolls a value MediaNest would refuse', () => {
    const refused = `123456${'0'.repeat(58)}`;
    const random = scripted(refused, refused, GOOD);
    expect(generateSecret(random)).toBe(GOOD);
    expect(random.calls).toBe(3);
  });

  it('re-rolls a value the caller refuses', () => {
    const first = 'cd'.repeat(32);
    const random = scripted(first, GOOD);
    expect(generateSecret(random, (v) => v !== first)).toBe(GOOD);
  });

  it('gives up on a source that never yields an acceptable value', () => {
    expect(() => generateSecret(scripted(`0123456${'0'.repeat(57)}`))).toThrowError(
      /random source repeats/,
    );
    expect(() => generateSecret(() => new Uint8Array(8))).toThrowError(/8 bytes/);
  });
});

describe('isAcceptedByMediaNest', () => {
  it.each(REJECTED_SUBSTRINGS)('refuses anything containing %s, in any case', (word) => {
    expect(isAcceptedByMediaNest(`aa${word}bb`)).toBe(false);
    expect(isAcceptedByMediaNest(`AA${word.toUpperCase()}BB`)).toBe(false);
  });

  it('accepts plain hex', () => {
    expect(isAcceptedByMediaNest(GOOD)).toBe(true);
    expect(isAcceptedByMediaNest('dec0ded')).toBe(true);
  });
});

describe('connection URLs', () => {
  it('use the user and database medianest, which the validator accepts', () => {
    expect(databaseUrl(GOOD)).toBe(`postgresql://medianest:${GOOD}@postgres:5432/medianest`);
    expect(redisUrl(GOOD)).toBe(`redis://:${GOOD}@redis:6379`);
    expect(isAcceptedByMediaNest(databaseUrl(GOOD))).toBe(true);
    expect(isAcceptedByMediaNest(redisUrl(GOOD))).toBe(true);
    expect(new URL(databaseUrl(GOOD)).password).toBe(GOOD);
    expect(new URL(redisUrl(GOOD)).password).toBe(GOOD);
  });
});
