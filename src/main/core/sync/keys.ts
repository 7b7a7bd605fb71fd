import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { Db } from '../db/database';
import type { Clock } from '../ports';
import { keyIdOf, rawPublicKey, signCanonical } from './signing';

/**
 * The terminal's Ed25519 identity (sync-ledger.md §2.2), made once and kept in
 * the terminal's SQLite file (table sync_identity). The private key is stored
 * as PKCS#8 DER: the core is plain Node and cannot reach Electron's
 * safeStorage; wrapping it is the shell's job (reported as open work), and the
 * key is revocable at HQ if the file leaks.
 */
export interface TerminalKey {
  keyId: string;
  /** Raw 32 bytes, base64url. */
  publicKey: string;
  sign(payload: unknown): string;
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

export function loadTerminalKey(db: Db): TerminalKey | null {
  const row = db.prepare<[], IdentityRow>('SELECT key_id, public_key, private_key FROM sync_identity WHERE id = 1').get();
  if (!row) return null;
  const key = fromPrivate(createPrivateKey({ key: Buffer.from(row.private_key, 'base64url'), format: 'der', type: 'pkcs8' }));
  // A row whose halves disagree was edited by hand: signing with it would only get every batch refused.
  if (key.publicKey !== row.public_key || key.keyId !== row.key_id) throw new Error('sync_identity: the stored key pair is inconsistent');
  return key;
}

/** Loads the key pair, or makes and stores it; the INSERT is conditional so two racing callers keep one key. */
export function loadOrCreateTerminalKey(db: Db, clock: Clock): TerminalKey {
  const existing = loadTerminalKey(db);
  if (existing) return existing;
  const { privateKey } = generateKeyPairSync('ed25519');
  const key = fromPrivate(privateKey);
  const der = privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64url');
  db.prepare('INSERT OR IGNORE INTO sync_identity (id, key_id, public_key, private_key, created_at) VALUES (1, ?, ?, ?, ?)').run(
    key.keyId,
    key.publicKey,
    der,
    clock.now(),
  );
  return loadTerminalKey(db)!;
}
