import { z } from 'zod';
import { OfferSchema } from '../offers/rules';
import { MemberId, Timestamp } from './schemas';

/**
 * Offers from the basket on the screens (issue 16 items 3 and 5): what the
 * customer screen shows with « Ça m'intéresse » / « Non merci », the hint the
 * cashier reads with the sale preview, and the customer's answers.
 */
const RuleId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'offers.rule_id');
const Wording = z.object({ fr: z.string(), en: z.string() });

export const OfferView = z.object({ ruleId: RuleId, label: Wording, offer: OfferSchema, priority: z.number().int(), fresh: z.boolean() });
export type OfferView = z.infer<typeof OfferView>;

export const CashierHintView = z.object({ kind: z.enum(['cross_sell', 'up_sell']), ruleId: RuleId, text: Wording });

/** With a sale preview, for the cashier: the offers the customer sees and what to suggest. */
export const PreviewOffers = z.object({ offers: z.array(OfferView), hint: CashierHintView.nullable() });
export type PreviewOffers = z.infer<typeof PreviewOffers>;

/** Pushed to the customer screen when the offers for the member on it change (an empty list clears them). */
export const OffersShown = z.object({ memberId: MemberId, at: Timestamp, offers: z.array(OfferView) });
export type OffersShown = z.infer<typeof OffersShown>;

export const OfferAnswerInput = z.strictObject({ ruleId: RuleId, answer: z.enum(['accepted', 'refused']) });
/**
 * An accepted booking offer books its benefit at once (with points or the member's entitlement, as the
 * benefit says): the booking, or the reason it could not be made (a benefits.* message key).
 */
export const OfferAnswerView = z.object({
  recorded: z.boolean(),
  booked: z.object({ benefitId: z.string(), bookingId: z.string(), points: z.number().int().min(0) }).nullable().optional(),
  bookingRefused: z.string().nullable().optional(),
});

/** « Moins de sollicitations », asked by the customer on their screen. */
export const FewerContactsInput = z.strictObject({ on: z.boolean() });
export const FewerContactsView = z.object({ fewerContacts: z.boolean() });

/** « Demander l'avis d'un ami » (issue 16 item 6): a product of the catalogue, or an offer on the customer screen. */
export const ShareLinkInput = z.strictObject({ kind: z.enum(['product', 'offer']), id: z.string().min(1).max(64) });
/** The public page's address for the QR, and its last day (YYYY-MM-DD, UTC). */
export const ShareLinkView = z.object({ url: z.string(), expiresOn: z.string() });
