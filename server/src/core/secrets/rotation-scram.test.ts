import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { alterRoleScript } from './rotation-in-service.js';
import { scramKeys, scramVerifier } from './rotation-scram.js';

// RFC 7677 section 3: user "user", password "pencil", and the exchange it shows.
const SALT = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64');
const NONCE = 'rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
const AUTH_MESSAGE = `n=user,r=rOprNGfwEbeRWgbNEkqO,r=${NONCE},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r=${NONCE}`;
const CLIENT_PROOF = 'dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=';
const SERVER_SIGNATURE = '6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=';

describe('the SCRAM-SHA-256 verifier', () => {
  it("reproduces RFC 7677's exchange: its server signature and its client proof", () => {
    const { storedKey, serverKey } = scramKeys('pencil', { salt: SALT });
    // A server holding only the verifier signs exactly as the RFC's server did...
    expect(createHmac('sha256', serverKey).update(AUTH_MESSAGE).digest('base64')).toBe(
      SERVER_SIGNATURE,
    );
    // ...and accepts the RFC client's proof: ClientKey = proof XOR HMAC(StoredKey, AuthMessage).
    const signature = createHmac('sha256', storedKey).update(AUTH_MESSAGE).digest();
    const proof = Buffer.from(CLIENT_PROOF, 'base64');
    const clientKey = Buffer.from(proof.map((byte, i) => byte ^ (signature[i] ?? 0)));
    expect(createHash('sha256').update(clientKey).digest().equals(storedKey)).toBe(true);
  });

  it("has PostgreSQL's pg_authid form, with 4096 iterations and a fresh 16-byte salt", () => {
    const verifier = scramVerifier('pencil', { salt: SALT });
    expect(verifier).toBe(
      `SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$${scramKeys('pencil', { salt: SALT }).storedKey.toString('base64')}:${scramKeys('pencil', { salt: SALT }).serverKey.toString('base64')}`,
    );
    const a = scramVerifier('ab'.repeat(32));
    const b = scramVerifier('ab'.repeat(32));
    expect(a).toMatch(
      /^SCRAM-SHA-256\$4096:[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/=]{44}:[A-Za-z0-9+/=]{44}$/,
    );
    expect(a).not.toBe(b);
    expect(a).not.toContain('ab'.repeat(32));
  });

  it('refuses what SASLprep could change rather than guess', () => {
    expect(() => scramVerifier('pässword')).toThrow(/printable ASCII/);
    expect(() => scramVerifier('')).toThrow(/printable ASCII/);
  });
});

describe('the ALTER ROLE script', () => {
  it('turns statement logging off for the session, then sets the verifier', () => {
    const script = alterRoleScript(scramVerifier('cd'.repeat(32)));
    const lines = script.trim().split('\n');
    expect(lines.slice(0, 3)).toEqual([
      "SET log_statement = 'none';",
      'SET log_min_duration_statement = -1;',
      "SET log_min_error_statement = 'panic';",
    ]);
    expect(lines[3]).toMatch(/^ALTER ROLE medianest PASSWORD 'SCRAM-SHA-256\$4096:[^']+';$/);
    expect(script).not.toContain('cd'.repeat(32));
  });

  it('refuses anything but a verifier (nothing can break out of the quotes)', () => {
    expect(() => alterRoleScript("x'; DROP ROLE medianest; --")).toThrow(/malformed/);
  });
});
