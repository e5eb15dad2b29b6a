import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApplianceList } from '../../core/remote/appliance-list.js';
import { keyFileBox, privateJsonFile } from './key-file-box.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mna-appliances-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const TOKEN = 'Tk9UX0FfUkVBTF9UT0tFTl9idXRfbG9uZ19lbm91Z2hfMDE';
const FINGERPRINT = Array.from({ length: 32 }, (_, i) => (i + 16).toString(16).toUpperCase()).join(
  ':',
);
const paired = (address = 'https://192.168.1.20:7420', token = TOKEN) => ({
  address,
  deviceId: 'dev-1',
  token,
  fingerprint: FINGERPRINT,
});

function list(keyFile = join(dir, 'remote.key')): ApplianceList {
  return new ApplianceList({
    file: privateJsonFile(join(dir, 'appliances.json')),
    box: keyFileBox(keyFile),
    now: () => new Date('2026-12-08T12:00:00Z'),
  });
}

describe('the paired appliances of a desktop', () => {
  it('keeps address, name and pin; the token only sealed, in private files', () => {
    const added = list().add(paired(), 'Living-room NAS');
    expect(added).toEqual({
      id: expect.any(String) as unknown,
      name: 'Living-room NAS',
      address: 'https://192.168.1.20:7420',
      fingerprint: FINGERPRINT,
      pairedAt: '2026-12-08T12:00:00.000Z',
    });
    const file = readFileSync(join(dir, 'appliances.json'), 'utf8');
    expect(file).not.toContain(TOKEN);
    expect(statSync(join(dir, 'appliances.json')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'remote.key')).mode & 0o777).toBe(0o600);
    // Another instance (the next start) reads it back and opens the token.
    expect(list().list()).toEqual([added]);
    expect(list().connection(added.id)).toEqual({
      address: 'https://192.168.1.20:7420',
      fingerprint: FINGERPRINT,
      token: TOKEN,
      deviceId: 'dev-1',
    });
  });

  it('pairing the same address again replaces it; removing forgets it', () => {
    const first = list().add(paired(), 'NAS');
    const again = list().add(paired(undefined, `${TOKEN}-2`), 'NAS again');
    expect(
      list()
        .list()
        .map((a) => a.id),
    ).toEqual([again.id]);
    expect(list().connection(again.id).token).toBe(`${TOKEN}-2`);
    expect(() => list().connection(first.id)).toThrow(/no paired appliance/);
    list().add(paired('https://10.0.0.5:7420'), 'Spare box');
    list().remove(again.id);
    expect(
      list()
        .list()
        .map((a) => a.name),
    ).toEqual(['Spare box']);
  });

  it("says to pair again when the token was sealed with another machine's key", () => {
    const added = list().add(paired(), 'NAS');
    expect(() => list(join(dir, 'other.key')).connection(added.id)).toThrow(
      /cannot be opened on this machine .* pair it again/,
    );
  });

  it('refuses a damaged list or key by name, and a name that cannot be shown', () => {
    expect(() => list().add(paired(), '   ')).toThrow(/^name: 1 to 64 characters/);
    writeFileSync(join(dir, 'appliances.json'), '{ not json');
    expect(() => list().list()).toThrow(
      /appliances\.json is not a list of appliances \(not JSON\)/,
    );
    writeFileSync(join(dir, 'appliances.json'), JSON.stringify({ format: 9, appliances: [] }));
    expect(() => list().list()).toThrow(/format 9/);
    writeFileSync(
      join(dir, 'appliances.json'),
      JSON.stringify({ format: 1, appliances: [{ id: 'x', address: 'http://elsewhere/' }] }),
    );
    expect(() => list().list()).toThrow(/appliances\.json is damaged: appliances\.0\.name/);
    rmSync(join(dir, 'appliances.json'));
    writeFileSync(join(dir, 'short.key'), 'abc');
    expect(() => list(join(dir, 'short.key')).add(paired(), 'NAS')).toThrow(
      /short\.key is not a 32-byte key/,
    );
  });
});
