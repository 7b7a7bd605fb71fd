import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { Db } from '../db/database';
import type { Clock } from '../ports';
import { keyIdOf, rawPublicKey, signCanonical } from './signing';

/**
 * The terminal's Ed25519 identity (sync-ledger.md §2.2), made once and kept in
 * the terminal's SQLite file (table sync_identity) as PKCS#8 DER, sealed by
 * the shell's KeyVault (Electron's safeStorage: the OS keychain; else a key
 * file outside the database, security/file-vault.ts), so a copied database
 * file does not carry a usable key. The core is plain Node and cannot reach
 * safeStorage itself. A key stored plain by an older build is re-sealed at
 * start (sealTerminalKey). Either way the key is revocable at HQ.
 */
export interface TerminalKey {
  keyId: string;
  /** Raw 32 bytes, base64url. */
  publicKey: string;
  sign(payload: unknown): string;
}

/** Seals secrets at rest with something outside the database file (the OS keychain, a key file). */
export interface KeyVault {
  /** Written before the sealed bytes, so a key sealed by one vault is never fed to another. */
  readonly scheme: string;
  seal(secret: Buffer): Buffer;
  open(sealed: Buffer): Buffer;
  /** Vaults whose keys this one still opens, and re-seals (a terminal that gained an OS keychain). */
  readonly opens?: readonly KeyVault[];
}

const SEALED = /^([a-z0-9-]+):([A-Za-z0-9_-]+)$/;

function unseal(stored: string, vault: KeyVault | undefined): Buffer {
  const sealed = SEALED.exec(stored);
  if (!sealed) return Buffer.from(stored, 'base64url');
  const opener = vault ? [vault, ...(vault.opens ?? [])].find((v) => v.scheme === sealed[1]) : undefined;
  if (!opener) {
    throw new Error(`sync_identity: the terminal key is sealed by ${sealed[1]}, which this shell cannot open (run the terminal where it was sealed, or re-enrol)`);
  }
  return opener.open(Buffer.from(sealed[2]!, 'base64url'));
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
  return key;
}

/**
 * Seals a key stored plain (or by an older vault) with `vault`, in place.
 * The old bytes are zeroed in the page (secure_delete) and the write-ahead
 * log is truncated, so the plain key survives in neither file. Returns
 * whether it changed anything.
 */
export function sealTerminalKey(db: Db, vault: KeyVault): boolean {
  const row = db.prepare<[], IdentityRow>('SELECT key_id, public_key, private_key FROM sync_identity WHERE id = 1').get();
  if (!row || SEALED.exec(row.private_key)?.[1] === vault.scheme) return false;
  // Opened (and checked against its public half) before anything is written.
  loadTerminalKey(db, vault);
  const resealed = storedForm(unseal(row.private_key, vault), vault);
  const secureDelete = db.pragma('secure_delete', { simple: true }) as number;
  db.pragma('secure_delete = ON');
  try {
    db.prepare('UPDATE sync_identity SET private_key = ? WHERE id = 1 AND private_key = ?').run(resealed, row.private_key);
  } finally {
    db.pragma(`secure_delete = ${secureDelete ? 'ON' : 'OFF'}`);
  }
  db.pragma('wal_checkpoint(TRUNCATE)');
  return true;
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
