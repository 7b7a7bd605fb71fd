import { CARD_PAGE_PREFIX, cardPageClaims, cardTokenBody } from '../../../shared/sync/card-page';
import type { TerminalKey } from './keys';

/**
 * The link to a member's card page at HQ (shared/sync/card-page.ts says why
 * the terminal signs it): `<hq>/c/<token>`; null for a member whose id is not
 * a UUID, which HQ would not take.
 */
export function cardPageUrl(o: { hqUrl: string; terminalId: string; key: Pick<TerminalKey, 'sign'>; memberId: string; now: number }): string | null {
  const claims = cardPageClaims(o.terminalId, o.memberId, o.now);
  const body = cardTokenBody(claims);
  if (body === null) return null;
  const token = `${body}.${o.key.sign(claims)}`;
  // Relative to HQ's address as configured, like the protocol's routes (transport.ts), so a path prefix is kept.
  const base = o.hqUrl.endsWith('/') ? o.hqUrl : `${o.hqUrl}/`;
  return new URL(`${CARD_PAGE_PREFIX.slice(1)}${token}`, base).href;
}
