import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureHome } from './home.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mna-home-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const modeOf = (path: string): number => statSync(path).mode & 0o7777;
const me = { uid: process.getuid?.() ?? 0 };
const shared = (path: string, mode = 0o755): string => {
  mkdirSync(path, { recursive: true });
  chmodSync(path, mode);
  return path;
};

describe('ensureHome: a home no other user can enter', () => {
  it('creates a missing home 0700', () => {
    const home = join(dir, 'a', 'home');
    ensureHome(home, me);
    expect(modeOf(home)).toBe(0o700);
  });

  it('tightens an empty folder made by mkdir (0755) to 0700', () => {
    const home = shared(join(dir, 'home'));
    expect(ensureHome(home, me).root).toBe(home);
    expect(modeOf(home)).toBe(0o700);
  });

  it('tightens an existing appliance home (it has appliance.db) to 0700', () => {
    const home = shared(join(dir, 'home'), 0o775);
    writeFileSync(join(home, 'appliance.db'), '');
    mkdirSync(join(home, 'stack'));
    ensureHome(home, me);
    expect(modeOf(home)).toBe(0o700);
  });

  it('refuses, unchanged, a readable folder that holds other things, with the fix', () => {
    const home = shared(join(dir, 'home'));
    writeFileSync(join(home, 'notes.txt'), 'mine');
    expect(() => ensureHome(home, me)).toThrow(
      expect.objectContaining({
        code: 'bad_request',
        details: { field: 'home' },
        message: expect.stringContaining(`not the appliance's`) as unknown,
      }),
    );
    expect(() => ensureHome(home, me)).toThrow(`chmod 700 ${home}`);
    expect(modeOf(home)).toBe(0o755);
  });

  it('refuses a readable folder that belongs to another user, and leaves it as it is', () => {
    const home = shared(join(dir, 'home'));
    expect(() => ensureHome(home, { uid: me.uid + 4242 })).toThrow(/belongs to another user/);
    expect(modeOf(home)).toBe(0o755);
  });

  it('refuses a shared sticky folder such as /tmp', () => {
    const home = shared(join(dir, 'tmp'), 0o1777);
    expect(() => ensureHome(home, me)).toThrow(/shared folder \(sticky bit set\)/);
    expect(modeOf(home)).toBe(0o1777);
  });

  it('accepts a private folder of another user as it is (root running the CLI on it)', () => {
    const home = shared(join(dir, 'home'), 0o700);
    writeFileSync(join(home, 'notes.txt'), 'theirs');
    expect(ensureHome(home, { uid: me.uid + 4242 }).root).toBe(home);
    expect(modeOf(home)).toBe(0o700);
  });
});
