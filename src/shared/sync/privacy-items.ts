import { z } from 'zod';

/**
 * The store bucket's privacy items (issue 17 items 1 and 3), as HQ writes them
 * (src/hq/privacy/consent-sync.ts) and terminals check and apply them
 * (src/main/core/privacy/erasure-pull.ts):
 * - `consent:<memberId>`: the member's whole consent history at HQ, after a
 *   change made at any terminal, for the store's other terminals;
 * - `erased:<memberId>`: a tombstone, to every terminal: the person is gone,
 *   their cards are blocked. The id is all it says of them.
 */
const MemberId = z.string().regex(/^[A-Za-z0-9-]{1,64}$/);
const Time = z.number().int().nonnegative();

export const ConsentHistoryItem = z.strictObject({
  memberId: MemberId,
  consents: z
    .array(
      z.strictObject({
        purpose: z.enum(['marketing', 'personalisedOffers', 'profiling']),
        granted: z.boolean(),
        wordingVersion: z.string().min(1).max(32),
        recordedAt: Time,
        source: z.string().min(1).max(32),
      }),
    )
    .max(1000),
});
export type ConsentHistoryItem = z.infer<typeof ConsentHistoryItem>;

export const Tombstone = z.strictObject({
  memberId: MemberId,
  cards: z.array(z.string().regex(/^\d{1,32}$/)).max(64),
  erasedAt: Time,
});
export type Tombstone = z.infer<typeof Tombstone>;

export const CONSENT_ITEM_PREFIX = 'consent:';
export const TOMBSTONE_PREFIX = 'erased:';
export const consentItemKey = (memberId: string) => `${CONSENT_ITEM_PREFIX}${memberId}`;
export const tombstoneKey = (memberId: string) => `${TOMBSTONE_PREFIX}${memberId}`;
