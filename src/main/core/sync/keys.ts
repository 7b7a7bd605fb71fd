import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { Db } from '../db/database';
import type { Clock } from '../ports';
import { keyIdOf, rawPublicKey, signCanonical } from './signing';

/**
 * The terminal's Ed25519 identity (sync-ledger.md §2.2), made once and kept in
 * the terminal's SQLite file (table sync_identity) as PKCS#8 DER, sealed by
 * the shell's KeyVault when it has one (Electron's safeStorage: the OS
 * keychain), so a copied database file does not carry a usable key. The core
 * is plain Node and cannot reach safeStorage itself; the browser mode has no
 * vault and stores the key plain. Either way the key is revocable at HQ.
 */
export interface TerminalKey {
  keyId: string;
  /** Raw 32 bytes, base64url. */
  publicKey: string;
  sign(payload: unknown): string;
}

/** Seals secrets at rest with something outside the database file (the OS keychain). */
export interface KeyVault {
  /** Written before the sealed bytes, so a key sealed by one vault is never fed to another. */
  readonly scheme: string;
  seal(secret: Buffer): Buffer;
  open(sealed: Buffer): Buffer;
}

const SEALED = /^([a-z0-9-]+):([A-Za-z0-9_-]+)$/;

function unseal(stored: string, vault: KeyVault | undefined): Buffer {
  const sealed = SEALED.exec(stored);
  if (!sealed) return Buffer.from(stored, 'base64url');
  if (!vault || vault.scheme !== sealed[1]) {
    throw new Error(`sync_identity: the terminal key is sealed by ${sealed[1]}, which this shell cannot open (run the terminal in Electron, or re-enrol)`);
  }
  return vault.open(Buffer.from(sealed[2]!, 'base64url'));
}

function storedForm(der: Buffer, vault: KeyVault | undefined): string {
  return vault ? `${vault.scheme}:${vault.seal(der).toString('base64url')}` : der.toString('base64url');
}

interface IdentityRow {
  key_id: string;
  public_key: string;
  private_key: string;
}

function fromPrivate(privateKey: KeyObject): TerminalKey {
  const publicKey = rawPublicKey(createPublicKey(privateKey));
  return { keyId: keyIdOf('t', publicKey), publicKey, sign: (payload) => signCanonical(privateKey, payload) };
}

export function loadTerminalKey(db: Db, vault?: KeyVault): TerminalKey | null {
  const row = db.prepare<[], IdentityRow>('SELECT key_id, public_key, private_key FROM sync_identity WHERE id = 1').get();
  if (!row) return null;
  const der = unseal(row.private_key, vault);
  const key = fromPrivate(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }));
  // A row whose halves disagree was edited by hand: signing with it would only get every batch refused.
  if (key.publicKey !== row.public_key || key.keyId !== row.key_id) throw new Error('sync_identity: the stored key pair is inconsistent');
  // A key stored plain before the shell had a vault stays plain: sync_identity is append-only, and the key is revocable.
  return key;
}

/** Loads the key pair, or makes and stores it; the INSERT is conditional so two racing callers keep one key. */
export function loadOrCreateTerminalKey(db: Db, clock: Clock, vault?: KeyVault): TerminalKey {
  const existing = loadTerminalKey(db, vault);
  if (existing) return existing;
  const { privateKey } = generateKeyPairSync('ed25519');
  const key = fromPrivate(privateKey);
  const der = storedForm(privateKey.export({ format: 'der', type: 'pkcs8' }), vault);
  db.prepare('INSERT OR IGNORE INTO sync_identity (id, key_id, public_key, private_key, created_at) VALUES (1, ?, ?, ?, ?)').run(
    key.keyId,
    key.publicKey,
    der,
    clock.now(),
  );
  return loadTerminalKey(db, vault)!;
}
