import { describe, expect, it } from 'vitest';
import { safeStorageBox, type SafeStorageLike } from './safe-storage-box.js';

/** A keychain that reverses bytes: enough to see what is sealed and what is opened. */
const keychain = (backend = 'gnome_libsecret', available = true): SafeStorageLike => ({
  isEncryptionAvailable: () => available,
  encryptString: (plain) => Buffer.from(plain).reverse(),
  decryptString: (sealed) => Buffer.from(sealed).reverse().toString(),
  getSelectedStorageBackend: () => backend,
});

describe('safeStorageBox', () => {
  it('seals with the keychain and opens only what it sealed', () => {
    const box = safeStorageBox(keychain(), 'linux');
    const sealed = box?.seal('device-token') ?? '';
    expect(sealed).not.toContain('device-token');
    expect(box?.open(sealed)).toBe('device-token');
    // Sealed by the server's key file (the headless desktop server in the same home): pair again.
    expect(() => box?.open('bm90IGEga2V5Y2hhaW4gYm94')).toThrow(/not sealed by the keychain/);
  });

  it('leaves it to the key file without a keychain, or with Linux’s plain-text fallback', () => {
    expect(safeStorageBox(keychain('gnome_libsecret', false), 'linux')).toBeUndefined();
    expect(safeStorageBox(keychain('basic_text'), 'linux')).toBeUndefined();
    expect(safeStorageBox(keychain('basic_text'), 'darwin')).toBeDefined();
  });
});
