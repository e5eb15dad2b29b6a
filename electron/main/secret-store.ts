/**
 * Secrets kept by the OS keychain through Electron's safeStorage. On Linux, safeStorage falls back
 * to a hard-coded key ('basic_text') when no secret service is running: that is plain text with
 * extra steps, so it is refused, as is a backend not yet known ('unknown', before app ready).
 */

/** The part of Electron's `safeStorage` this module uses. */
export interface SafeStorageSurface {
  isEncryptionAvailable(): boolean;
  /** Linux only (Electron throws elsewhere). */
  getSelectedStorageBackend(): string;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

export type SecretStoreStatus =
  { usable: true; backend: string } | { usable: false; reason: string };

export interface SecretStore {
  status(): SecretStoreStatus;
  /** Throws when the store is not usable: never falls back to weaker storage. */
  encrypt(plainText: string): Buffer;
  decrypt(encrypted: Buffer): string;
}

const KEYCHAIN: Record<string, string> = {
  darwin: 'macOS Keychain',
  win32: 'Windows DPAPI',
};

export function createSecretStore(deps: {
  safeStorage: SafeStorageSurface;
  platform: NodeJS.Platform;
}): SecretStore {
  const status = (): SecretStoreStatus => {
    if (!deps.safeStorage.isEncryptionAvailable())
      return { usable: false, reason: 'The operating system offers no encryption for secrets.' };
    if (deps.platform !== 'linux')
      return { usable: true, backend: KEYCHAIN[deps.platform] ?? deps.platform };
    const backend = deps.safeStorage.getSelectedStorageBackend();
    if (backend === 'basic_text' || backend === 'unknown')
      return {
        usable: false,
        reason:
          backend === 'basic_text'
            ? 'No secret service (GNOME Keyring or KWallet) is running, and the fallback stores secrets as plain text.'
            : 'The secret service is not known yet (before the app is ready).',
      };
    return { usable: true, backend };
  };
  const ensureUsable = (): void => {
    const current = status();
    if (!current.usable) throw new Error(`The secret store is unavailable: ${current.reason}`);
  };
  return {
    status,
    encrypt(plainText) {
      ensureUsable();
      return deps.safeStorage.encryptString(plainText);
    },
    decrypt(encrypted) {
      ensureUsable();
      return deps.safeStorage.decryptString(encrypted);
    },
  };
}
