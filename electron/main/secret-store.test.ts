import { describe, expect, it } from 'vitest';
import { createSecretStore, type SafeStorageSurface } from './secret-store.js';

function fakeSafeStorage(backend: string, available = true): SafeStorageSurface {
  return {
    isEncryptionAvailable: () => available,
    getSelectedStorageBackend: () => backend,
    encryptString: (text) => Buffer.from(`enc:${text}`),
    decryptString: (data) => data.toString().replace(/^enc:/, ''),
  };
}

describe('the secret store', () => {
  it('refuses the plain-text fallback on Linux', () => {
    const store = createSecretStore({
      safeStorage: fakeSafeStorage('basic_text'),
      platform: 'linux',
    });
    expect(store.status()).toMatchObject({ usable: false });
    expect(() => store.encrypt('s3cr3t')).toThrow(/plain text/);
    expect(() => store.decrypt(Buffer.from('enc:x'))).toThrow(/unavailable/);
  });

  it('refuses an unknown Linux backend (before app ready)', () => {
    const store = createSecretStore({ safeStorage: fakeSafeStorage('unknown'), platform: 'linux' });
    expect(() => store.encrypt('s3cr3t')).toThrow(/unavailable/);
  });

  it('uses the keyring on Linux when one backs it', () => {
    const store = createSecretStore({
      safeStorage: fakeSafeStorage('gnome_libsecret'),
      platform: 'linux',
    });
    expect(store.status()).toEqual({ usable: true, backend: 'gnome_libsecret' });
    expect(store.decrypt(store.encrypt('s3cr3t'))).toBe('s3cr3t');
  });

  it('uses the OS keychain on macOS and Windows without asking for a Linux backend', () => {
    const throwing: SafeStorageSurface = {
      ...fakeSafeStorage('basic_text'),
      getSelectedStorageBackend: () => {
        throw new Error('Linux only');
      },
    };
    for (const platform of ['darwin', 'win32'] as const)
      expect(createSecretStore({ safeStorage: throwing, platform }).status().usable).toBe(true);
  });

  it('refuses when the OS offers no encryption at all', () => {
    const store = createSecretStore({
      safeStorage: fakeSafeStorage('kwallet6', false),
      platform: 'linux',
    });
    expect(() => store.encrypt('s3cr3t')).toThrow(/no encryption/);
  });
});
