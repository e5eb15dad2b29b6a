import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './password-hash.js';

// A low cost keeps the unit tests fast; the format and the comparison are what is tested here.
const FAST = { ln: 10, r: 8, p: 1 };

describe('admin password hashing (scrypt)', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('correct horse battery staple', FAST);
    expect(await verifyPassword('correct horse battery staple', stored)).toBe(true);
    expect(await verifyPassword('correct horse battery stapler', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('stores the salt and the cost with the hash, never the password', async () => {
    const stored = await hashPassword('canary-password-9f8e7d', FAST);
    expect(stored).toMatch(/^scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    expect(stored).not.toContain('canary');
  });

  it('salts every hash: the same password hashes differently twice', async () => {
    const a = await hashPassword('same password twice', FAST);
    const b = await hashPassword('same password twice', FAST);
    expect(a).not.toBe(b);
    expect(await verifyPassword('same password twice', b)).toBe(true);
  });

  it('uses the recommended cost by default', async () => {
    expect(await hashPassword('default cost check')).toMatch(/^scrypt\$ln=17,r=8,p=1\$/);
  });

  it('treats a damaged or foreign stored value as no match', async () => {
    expect(await verifyPassword('x', 'plain-text')).toBe(false);
    expect(await verifyPassword('x', 'scrypt$ln=10,r=8,p=1$AAAA$AAAA')).toBe(false);
    expect(await verifyPassword('x', 'scrypt$ln=99,r=8,p=1$AAAA$' + 'A'.repeat(44))).toBe(false);
  });
});
