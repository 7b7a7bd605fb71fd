import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { Db } from '../db/database';
import type { KeyVault } from '../sync/keys';

/**
 * The key that protects members' personal data at rest (issue 17 item 5):
 * 32 random bytes made once per terminal, kept in the `privacy_key` row
 * sealed by the same KeyVault that seals the terminal's HQ key (Electron's
 * safeStorage; the 0600 key file in the browser mode, security/file-vault.ts),
 * so a copied database file alone reads no name and tests no email. Without a
 * vault (tests, benchmarks, `new MemberStore(db)`) it is kept plain, as
 * sync/keys.ts keeps the HQ key then, and sealed by the first vault that
 * comes (openMemberVault at the terminal's start).
 *
 * Two keys are derived from it (HKDF-SHA256): one encrypts names and the
 * contact data waiting for HQ (AES-256-GCM, a random 96-bit nonce per value),
 * one makes the keyed hashes an exact email or phone is found by
 * (HMAC-SHA256): without the key a hash cannot be tested against a guessed
 * phone number, which a plain SHA-256 of a 10-digit number would allow.
 */
export interface MemberVault {
  /** `v1.<base64url(nonce ‖ tag ‖ ciphertext)>` of `text`. */
  seal(text: string): string;
  /** The text of a sealed value; throws MemberVaultError when this key did not seal it. */
  open(sealed: string): string;
  /** The keyed hash of a lower-cased email address. */
  emailHash(email: string): string;
  /** The keyed hash of a phone number in E.164 (checkFrenchMobile's form). */
  phoneHash(e164: string): string;
}

export class MemberVaultError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MemberVaultError';
  }
}

const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const PREFIX = 'v1.';
const SEALED_KEY = /^([a-z0-9-]+):([A-Za-z0-9_-]+)$/;

/** The normal form an email is hashed in: what was typed, trimmed, lower-cased. */
export function normalEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function memberVaultFromKey(master: Buffer): MemberVault {
  if (master.length !== KEY_BYTES) throw new MemberVaultError('the members key must be 32 bytes');
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), info, KEY_BYTES));
  const encKey = derive('fidele-members-aes-gcm-v1');
  const macKey = derive('fidele-members-hmac-v1');
  const mac = (domain: string, value: string) => createHmac('sha256', macKey).update(`${domain}\u0000${value}`).digest('base64url');
  return {
    seal(text) {
      // From the system's CSPRNG, not the injected Random: a seeded Random in a test or a
      // benchmark would repeat nonces under one key, which GCM must never see.
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', encKey, nonce);
      const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
      return PREFIX + Buffer.concat([nonce, cipher.getAuthTag(), body]).toString('base64url');
    },
    open(sealed) {
      if (!sealed.startsWith(PREFIX)) throw new MemberVaultError('not a sealed value');
      const bytes = Buffer.from(sealed.slice(PREFIX.length), 'base64url');
      if (bytes.length < NONCE_BYTES + TAG_BYTES) throw new MemberVaultError('a sealed value is truncated');
      try {
        const decipher = createDecipheriv('aes-256-gcm', encKey, bytes.subarray(0, NONCE_BYTES));
        decipher.setAuthTag(bytes.subarray(NONCE_BYTES, NONCE_BYTES + TAG_BYTES));
        return Buffer.concat([decipher.update(bytes.subarray(NONCE_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        throw new MemberVaultError("a member's data does not open with this terminal's key (another terminal's key or vault?)");
      }
    },
    emailHash: (email) => mac('email', normalEmail(email)),
    phoneHash: (e164) => mac('phone', e164),
  };
}

interface KeyRow {
  sealed: string;
}

function openKey(stored: string, vault: KeyVault | undefined): Buffer {
  const sealed = SEALED_KEY.exec(stored);
  if (!sealed) return Buffer.from(stored, 'base64url');
  const opener = vault ? [vault, ...(vault.opens ?? [])].find((v) => v.scheme === sealed[1]) : undefined;
  if (!opener) throw new MemberVaultError(`the members key is sealed by ${sealed[1]}, which this shell cannot open`);
  return opener.open(Buffer.from(sealed[2]!, 'base64url'));
}

function storedKey(key: Buffer, vault: KeyVault | undefined): string {
  return vault ? `${vault.scheme}:${vault.seal(key).toString('base64url')}` : key.toString('base64url');
}

/**
 * The terminal's members key, made on first use, sealed by `vault` (re-sealed
 * in place if an older vault or none sealed it). The plain key of a terminal
 * that had none is zeroed in the page it leaves (secure_delete, which
 * openMemberVault turns on for the connection).
 */
export function openMemberVault(db: Db, vault: KeyVault | undefined, now: number): MemberVault {
  // Deleted and overwritten rows are zeroed in the file from now on: a name
  // re-sealed or a member removed leaves no clear text in free space.
  db.pragma('secure_delete = ON');
  const read = () => db.prepare<[], KeyRow>('SELECT sealed FROM privacy_key WHERE id = 1').get();
  let row = read();
  if (!row) {
    db.prepare('INSERT OR IGNORE INTO privacy_key (id, sealed, created_at) VALUES (1, ?, ?)').run(storedKey(randomBytes(KEY_BYTES), vault), now);
    row = read()!;
  }
  const key = openKey(row.sealed, vault);
  if (key.length !== KEY_BYTES) throw new MemberVaultError('the stored members key is damaged');
  if (vault && SEALED_KEY.exec(row.sealed)?.[1] !== vault.scheme) {
    db.prepare('UPDATE privacy_key SET sealed = ? WHERE id = 1 AND sealed = ?').run(storedKey(key, vault), row.sealed);
  }
  return memberVaultFromKey(key);
}
