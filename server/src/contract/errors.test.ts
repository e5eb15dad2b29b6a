import { describe, expect, it } from 'vitest';
import { messageOf } from './errors.js';

describe('messageOf', () => {
  it("gives an Error's own message, without its name or stack", () => {
    expect(messageOf(new TypeError('the socket closed'))).toBe('the socket closed');
  });

  it('gives anything else thrown as text', () => {
    expect(messageOf('plain words')).toBe('plain words');
    expect(messageOf(42)).toBe('42');
    expect(messageOf(undefined)).toBe('undefined');
  });
});
