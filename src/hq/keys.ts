import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson, sha256Hex } from '../main/core/ledger/canonical';

/**
 * Ed25519 keys and signatures over canonical JSON (protocol.ts). HQ's own key
 * pair lives in its data folder, created on first start and never rotated
 * silently: terminals pin the public key from their enrolment receipt.
 */
export interface SigningKey {
  keyId: string;
  publicKey: string;
  sign(payload: unknown): string;
}

const b64url = (bytes: Buffer): string => bytes.toString('base64url');

export function publicKeyFromRaw(raw: string): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw }, format: 'jwk' });
}

export function rawPublicKey(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  if (typeof jwk.x !== 'string') throw new Error('not an Ed25519 key');
  return jwk.x;
}

/** Raw 32-byte Ed25519 public key, base64url: refuses anything else before it reaches the database. */
export function isRawEd25519(publicKey: string): boolean {
  try {
    return Buffer.from(publicKey, 'base64url').length === 32 && publicKeyFromRaw(publicKey).asymmetricKeyType === 'ed25519';
  } catch {
    return false;
  }
}

export function keyIdOf(publicKey: string): string {
  return `hq-${sha256Hex(publicKey).slice(0, 16)}`;
}

export function signWith(privateKey: KeyObject, payload: unknown): string {
  return b64url(sign(null, Buffer.from(canonicalJson(payload), 'utf8'), privateKey));
}

export function verifySignature(publicKey: string, payload: unknown, signature: string): boolean {
  try {
    return verify(null, Buffer.from(canonicalJson(payload), 'utf8'), publicKeyFromRaw(publicKey), Buffer.from(signature, 'base64url'));
  } catch {
    // A payload that cannot be encoded canonically cannot carry a valid signature.
    return false;
  }
}

export function signingKeyFrom(privateKey: KeyObject): SigningKey {
  const publicKey = rawPublicKey(createPublicKey(privateKey));
  return { keyId: keyIdOf(publicKey), publicKey, sign: (payload) => signWith(privateKey, payload) };
}

/** HQ's private key file, in HQ's data folder unless --key-file / HQ_KEY_FILE says otherwise (hq-location.ts). */
export const HQ_KEY_FILE = 'hq-ed25519.pem';

/** Loads HQ's key from `path`; a missing or unreadable file is an error naming it. */
export function loadHqKey(path: string): SigningKey {
  try {
    return signingKeyFrom(createPrivateKey(readFileSync(path, 'utf8')));
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new Error(code === 'ENOENT' ? `HQ's key ${path} does not exist` : `HQ's key ${path} cannot be read as an Ed25519 private key (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
}

/** Creates HQ's key at `path` (readable by the owner only); refuses to replace one. */
export function createHqKey(path: string): SigningKey {
  const { privateKey } = generateKeyPairSync('ed25519');
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  // link + unlink rather than rename: a key that appeared meanwhile is never overwritten.
  try {
    linkSync(tmp, path);
  } finally {
    rmSync(tmp, { force: true });
  }
  return signingKeyFrom(privateKey);
}

/** Loads HQ's key from `dir`, or creates it there: the library's default (tests); the CLI creates it only at `init`. */
export function loadOrCreateHqKey(dir: string): SigningKey {
  const path = join(dir, HQ_KEY_FILE);
  if (existsSync(path)) return loadHqKey(path);
  mkdirSync(dir, { recursive: true });
  return createHqKey(path);
}

export function ephemeralHqKey(): SigningKey {
  return signingKeyFrom(generateKeyPairSync('ed25519').privateKey);
}
