/**
 * The paired appliances' device tokens sealed by the OS keychain (issue 21 §2): Electron's
 * safeStorage (Keychain on macOS, DPAPI on Windows, the Secret Service or KWallet on Linux). Where
 * it has no real backend (Linux without a keyring falls back to a fixed key, `basic_text`), the
 * server's own key file is used instead: undefined here.
 */
import type { SecretBox } from '../../server/src/index.js';

export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(sealed: Buffer): string;
  /** Linux only. */
  getSelectedStorageBackend?: () => string;
}

export function safeStorageBox(
  storage: SafeStorageLike,
  platform = process.platform,
): SecretBox | undefined {
  if (!storage.isEncryptionAvailable()) return undefined;
  if (platform === 'linux' && storage.getSelectedStorageBackend?.() === 'basic_text')
    return undefined;
  return {
    seal: (plain) => `safeStorage:${storage.encryptString(plain).toString('base64')}`,
    open: (sealed) => {
      if (!sealed.startsWith('safeStorage:')) throw new Error('not sealed by the keychain');
      return storage.decryptString(Buffer.from(sealed.slice('safeStorage:'.length), 'base64'));
    },
  };
}
