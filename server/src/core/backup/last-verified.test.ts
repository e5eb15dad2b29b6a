import { describe, expect, it } from 'vitest';
import { lastVerifiedBackup } from './last-verified.js';

describe('the last verified backup', () => {
  it('is the newest verified one, whatever the order of the list', () => {
    expect(
      lastVerifiedBackup([
        { state: 'verified', createdAt: '2026-01-01T00:00:00.000Z' },
        { state: 'failed', createdAt: '2026-03-01T00:00:00.000Z' },
        { state: 'verified-restorable', createdAt: '2026-02-01T00:00:00.000Z' },
        { state: 'complete', createdAt: '2026-02-15T00:00:00.000Z' },
      ]),
    ).toEqual(new Date('2026-02-01T00:00:00.000Z'));
  });

  it('is none when no backup was verified', () => {
    expect(lastVerifiedBackup([])).toBeUndefined();
    expect(
      lastVerifiedBackup([{ state: 'failed', createdAt: '2026-03-01T00:00:00.000Z' }]),
    ).toBeUndefined();
  });
});
