/**
 * The ways an Ed25519 PKCS#8 private key could sit in a file: its DER, the
 * 32-byte seed at the end of it, each raw, hex, base64 and base64url.
 */
export function privateKeyForms(der: Buffer): Buffer[] {
  const seed = der.subarray(der.length - 32);
  return [der, seed].flatMap((bytes) => [bytes, ...(['hex', 'base64', 'base64url'] as const).map((encoding) => Buffer.from(bytes.toString(encoding), 'latin1'))]);
}
