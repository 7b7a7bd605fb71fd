import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson, sha256Hex } from '../ledger/canonical';

/**
 * Ed25519 over canonical JSON (protocol.ts): the signer and the verifier must
 * produce the same bytes, so both go through canonicalJson, never JSON.stringify.
 * Keys and signatures travel as base64url without padding.
 */

/** A raw 32-byte Ed25519 public key (base64url) as a KeyObject; null if it is not one. */
export function publicKeyFromRaw(raw: string): KeyObject | null {
  try {
    if (Buffer.from(raw, 'base64url').length !== 32) return null;
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw }, format: 'jwk' });
    return key.asymmetricKeyType === 'ed25519' ? key : null;
  } catch {
    return null;
  }
}

export function rawPublicKey(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  if (typeof jwk.x !== 'string') throw new Error('not an Ed25519 key');
  return jwk.x;
}

export function signCanonical(privateKey: KeyObject, payload: unknown): string {
  return sign(null, Buffer.from(canonicalJson(payload), 'utf8'), privateKey).toString('base64url');
}

/** Never throws: a payload that cannot be encoded canonically cannot carry a valid signature. */
export function verifyCanonical(publicKey: string, payload: unknown, signature: string): boolean {
  const key = publicKeyFromRaw(publicKey);
  if (!key) return false;
  try {
    return verify(null, Buffer.from(canonicalJson(payload), 'utf8'), key, Buffer.from(signature, 'base64url'));
  } catch {
    return false;
  }
}

/** A message signed by HQ (or a terminal): the signature covers every other field, keyId included. */
export function verifySigned(publicKey: string, message: { signature: string }): boolean {
  const { signature, ...rest } = message;
  return verifyCanonical(publicKey, rest, signature);
}

/** Short, stable name of a public key, carried as `keyId` so a rotated key is never confused with the old one. */
export function keyIdOf(prefix: string, publicKey: string): string {
  return `${prefix}-${sha256Hex(publicKey).slice(0, 16)}`;
}
