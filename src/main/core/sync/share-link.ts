import { SHARE_PREFIX, shareClaims, shareTokenBody } from '../../../shared/sync/share-link';
import type { TerminalKey } from './keys';

/**
 * The link a friend's phone opens (shared/sync/share-link.ts says what it
 * carries and why the terminal signs it): `<hq>/a/<token>`, relative to HQ's
 * address as configured so a path prefix is kept; null for claims that do
 * not parse (an id out of bounds).
 */
export function shareUrl(o: {
  hqUrl: string;
  terminalId: string;
  key: Pick<TerminalKey, 'sign'>;
  kind: 'product' | 'offer';
  id: string;
  label?: { fr: string; en: string };
  now: number;
}): { url: string; expiresOn: string } | null {
  const claims = shareClaims(o);
  const body = shareTokenBody(claims);
  if (body === null) return null;
  const base = o.hqUrl.endsWith('/') ? o.hqUrl : `${o.hqUrl}/`;
  return { url: new URL(`${SHARE_PREFIX.slice(1)}${body}.${o.key.sign(claims)}`, base).href, expiresOn: claims.e };
}
