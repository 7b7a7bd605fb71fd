import type { KeyVault } from '../core/sync/keys';

/** The part of Electron's safeStorage the vault uses, so it can be tested without Electron. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(sealed: Buffer): string;
  getSelectedStorageBackend?(): string;
}

/**
 * The terminal's HQ key sealed by the OS keychain (DPAPI, Keychain, libsecret
 * or kwallet), or null where that would be theatre: no encryption, or Linux's
 * `basic_text` backend, whose key is a constant in Chromium's source.
 */
export function safeStorageVault(storage: SafeStorageLike, platform: NodeJS.Platform): KeyVault | null {
  if (!storage.isEncryptionAvailable()) return null;
  if (platform === 'linux' && storage.getSelectedStorageBackend?.() === 'basic_text') return null;
  return {
    scheme: 'electron-safestorage',
    seal: (secret) => storage.encryptString(secret.toString('base64')),
    open: (sealed) => Buffer.from(storage.decryptString(sealed), 'base64'),
  };
}

/**
 * The vault the terminal seals its HQ key with: the OS keychain where it is
 * real, else the key file (`fallback`, which warns when used). With a keychain,
 * a key the file sealed before (a keyring installed since) is still opened,
 * and re-sealed by the keychain at start.
 */
export function terminalKeyVault(storage: SafeStorageLike, platform: NodeJS.Platform, fallback: KeyVault): KeyVault {
  const os = safeStorageVault(storage, platform);
  return os ? { ...os, opens: [fallback] } : fallback;
}
