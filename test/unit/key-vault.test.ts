import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/main/core/db/database';
import { loadOrCreateTerminalKey, loadTerminalKey, type KeyVault } from '../../src/main/core/sync/keys';
import { verifySigned } from '../../src/main/core/sync/signing';
import { safeStorageVault, type SafeStorageLike } from '../../src/main/electron/key-vault';

/** What safeStorage does, with a key held outside the database: AES-GCM under a per-test secret. */
function fakeSafeStorage(backend = 'gnome_libsecret'): SafeStorageLike {
  const secret = randomBytes(32);
  return {
    isEncryptionAvailable: () => true,
    getSelectedStorageBackend: () => backend,
    encryptString(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', secret, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    decryptString(sealed) {
      const decipher = createDecipheriv('aes-256-gcm', secret, sealed.subarray(0, 12));
      decipher.setAuthTag(sealed.subarray(12, 28));
      return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}

const clock = { now: () => 1_000 };

describe("the terminal's HQ key at rest", () => {
  it('is sealed by the vault: the database alone holds no usable key, the vault opens it again', () => {
    const db = openDatabase(':memory:');
    const vault = safeStorageVault(fakeSafeStorage(), 'linux')!;
    const key = loadOrCreateTerminalKey(db, clock, vault);
    const stored = db.prepare<[], { private_key: string }>('SELECT private_key FROM sync_identity').get()!.private_key;
    expect(stored).toMatch(/^electron-safestorage:[A-Za-z0-9_-]+$/);
    // The DER of an Ed25519 PKCS#8 key starts 302e0201; sealed, it does not appear.
    expect(Buffer.from(stored.split(':')[1]!, 'base64url').toString('hex')).not.toContain('302e020100300506032b6570');
    expect(() => loadTerminalKey(db)).toThrow(/sealed by electron-safestorage/);
    const again = loadTerminalKey(db, vault)!;
    expect(again.keyId).toBe(key.keyId);
    const signed = { hello: 'HQ', keyId: key.keyId };
    expect(verifySigned(key.publicKey, { ...signed, signature: again.sign(signed) })).toBe(true);
    db.close();
  });

  it('another vault cannot open it', () => {
    const db = openDatabase(':memory:');
    loadOrCreateTerminalKey(db, clock, safeStorageVault(fakeSafeStorage(), 'darwin')!);
    expect(() => loadTerminalKey(db, safeStorageVault(fakeSafeStorage(), 'darwin')!)).toThrow();
    const other: KeyVault = { scheme: 'other-vault', seal: (b) => b, open: (b) => b };
    expect(() => loadTerminalKey(db, other)).toThrow(/sealed by electron-safestorage/);
    db.close();
  });

  it('no vault where safeStorage would only pretend: unavailable, or Linux basic_text', () => {
    expect(safeStorageVault({ ...fakeSafeStorage(), isEncryptionAvailable: () => false }, 'win32')).toBeNull();
    expect(safeStorageVault(fakeSafeStorage('basic_text'), 'linux')).toBeNull();
    expect(safeStorageVault(fakeSafeStorage('kwallet5'), 'linux')).not.toBeNull();
  });

  it('without a vault (the browser mode) the key is stored plain and loads', () => {
    const db = openDatabase(':memory:');
    const key = loadOrCreateTerminalKey(db, clock);
    expect(db.prepare<[], { private_key: string }>('SELECT private_key FROM sync_identity').get()!.private_key).not.toContain(':');
    expect(loadTerminalKey(db)!.keyId).toBe(key.keyId);
    db.close();
  });
});
