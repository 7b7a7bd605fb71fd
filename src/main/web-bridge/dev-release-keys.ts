import { loadReleaseKeys, TrustedReleaseKey } from '../core/updates/verify';
import { RELEASE_KEYS_DIR } from '../core/updates/terminal-updates';

/**
 * The release keys a BROWSER-MODE kiosk trusts: those the application ships
 * (resources/release-keys), plus, for development and the end-to-end tests
 * only, the release key of the HQ embedded in this machine (it makes that key
 * here, so trusting it adds no one) and the trust files in a folder given by
 * --release-keys / FIDELE_RELEASE_KEYS (what `npm run hq -- release key --out
 * DIR` writes for a development HQ run apart). A packaged terminal in Electron
 * trusts what it shipped with and nothing else; this module is never part of it.
 */
export function devReleaseKeys(o: { extraDir?: string; embedded?: TrustedReleaseKey | null; shippedDir?: string }): TrustedReleaseKey[] {
  const keys = [...loadReleaseKeys(o.shippedDir ?? RELEASE_KEYS_DIR), ...(o.extraDir ? loadReleaseKeys(o.extraDir) : [])];
  if (o.embedded) keys.push(TrustedReleaseKey.parse(o.embedded));
  const byId = new Map(keys.map((k) => [k.keyId, k]));
  return [...byId.values()];
}
