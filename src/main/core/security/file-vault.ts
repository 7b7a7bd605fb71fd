import { createCipheriv, createDecipheriv } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger, Random } from '../ports';
import type { KeyVault } from '../sync/keys';
import { lockDownDir, PRIVATE_FILE_MODE } from './private-files';

/** Where the browser mode (and Electron without a real keychain) keeps the key that seals the terminal's secrets. */
export function vaultKeyPath(dataDir: string): string {
  return join(dataDir, 'secrets', 'terminal-vault.key');
}

export const FILE_VAULT_SCHEME = 'file-aes256gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** The file names what it is, so a stray file in its place is refused rather than used as a key. */
const HEADER = 'fidele-vault-key-v1:';

export const FILE_VAULT_WARNING = "the terminal's key is protected by a file key only: keep the data folder private";

/** The vault cannot open what it sealed: its key file is gone, damaged, or another terminal's. */
export class VaultError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VaultError';
  }
}

function readKey(path: string): Buffer {
  const text = readFileSync(path, 'utf8').trim();
  const key = text.startsWith(HEADER) ? Buffer.from(text.slice(HEADER.length), 'base64url') : null;
  if (!key || key.length !== KEY_BYTES) throw new VaultError(`the vault key file ${path} is not a Fidèle vault key (damaged or replaced)`);
  return key;
}

function writeKey(path: string, key: Buffer): void {
  lockDownDir(dirname(path));
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w', PRIVATE_FILE_MODE);
  try {
    writeSync(fd, `${HEADER}${key.toString('base64url')}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  // Renamed into place, so a crash leaves either no key file or a whole one.
  renameSync(tmp, path);
}

/**
 * A KeyVault whose key is a random 32-byte file outside the database
 * (AES-256-GCM). Weaker than the OS keychain — whoever can read the data
 * folder reads both — but a copied or leaked database file alone no longer
 * carries the terminal's HQ key. The key file is made the first time
 * something is sealed; opening never makes one, so a missing or foreign key
 * file is an error to act on, never a silent new identity.
 */
export function fileVault(o: { path: string; random: Random; logger?: Logger }): KeyVault {
  let key: Buffer | null = null;
  let warned = false;
  const warnOnce = () => {
    if (warned) return;
    warned = true;
    o.logger?.warn(FILE_VAULT_WARNING, { keyFile: o.path });
  };
  const load = (): Buffer => (key ??= readKey(o.path));
  return {
    scheme: FILE_VAULT_SCHEME,
    seal(secret) {
      warnOnce();
      if (!key && !existsSync(o.path)) {
        key = Buffer.from(o.random.bytes(KEY_BYTES));
        writeKey(o.path, key);
      }
      const iv = Buffer.from(o.random.bytes(IV_BYTES));
      const cipher = createCipheriv('aes-256-gcm', load(), iv);
      const body = Buffer.concat([cipher.update(secret), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    open(sealed) {
      warnOnce();
      if (!key && !existsSync(o.path)) {
        throw new VaultError(`the vault key file ${o.path} that sealed the terminal's HQ key is missing: restore it from the data folder's backup, or re-enrol the terminal`);
      }
      if (sealed.length < IV_BYTES + TAG_BYTES) throw new VaultError('the sealed terminal key is truncated');
      try {
        const decipher = createDecipheriv('aes-256-gcm', load(), sealed.subarray(0, IV_BYTES));
        decipher.setAuthTag(sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
        return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
      } catch (error) {
        if (error instanceof VaultError) throw error;
        throw new VaultError(`the vault key file ${o.path} does not open the terminal's HQ key (another terminal's key file?): restore the right one, or re-enrol the terminal`);
      }
    },
  };
}
