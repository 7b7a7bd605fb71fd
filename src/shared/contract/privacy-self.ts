import { z } from 'zod';
import { cleanEmail, cleanName } from '../domain/text';
import { checkFrenchMobile } from '../domain/phone';
import { MemberRecord, PROTOCOL_VERSION, Signed } from '../sync/protocol';
import { ConsentRecord, EnrolmentForm, MemberId, Timestamp } from './schemas';

/**
 * Self-service privacy (issue 17 item 2): what the customer screen and the
 * till ask of the core, and what the core asks of HQ. The proof of identity
 * is a one-time code HQ sends to a contact it holds (src/hq/privacy-self/).
 */

/** Six digits, as typed on the kiosk's keypad (spaces tolerated). */
export const OneTimeCode = z
  .string()
  .max(16, 'privacy.code_format')
  .transform((v) => v.replace(/\s/g, ''))
  .pipe(z.string().regex(/^\d{6}$/, 'privacy.code_format'));

/**
 * A correction of the customer's identity, checked as enrolment checks it:
 * empty email or phone removes it, anything else must be valid, or nothing is
 * written anywhere. Names are kept as typed (spaces tidied, case untouched):
 * display capitalises (i18n/name-case.ts).
 */
export const Rectification = EnrolmentForm.pick({ firstName: true, lastName: true, email: true, phone: true });
export type Rectification = z.infer<typeof Rectification>;

/** The normal form a valid rectification is stored in: names trimmed as typed, email trimmed, phone in E.164, empty as null. */
export function normalRectification(r: Rectification): { firstName: string; lastName: string; email: string | null; phone: string | null } {
  const phone = r.phone.trim() === '' ? null : checkFrenchMobile(r.phone);
  return {
    firstName: cleanName(r.firstName),
    lastName: cleanName(r.lastName),
    email: r.email.trim() === '' ? null : cleanEmail(r.email),
    phone: phone === null ? null : phone.ok ? phone.e164 : null,
  };
}

export const PrivacyChannel = z.enum(['email', 'sms']);

/** A code was sent: where (masked), and until when it is good. */
export const PrivacyChallengeView = z.object({
  memberId: MemberId,
  channel: PrivacyChannel,
  destination: z.string(),
  expiresAt: Timestamp,
});
export type PrivacyChallengeView = z.infer<typeof PrivacyChallengeView>;

/** Where self-service stands for the member shown, pushed to both screens (never their data: the cashier gets it too). */
export const PrivacySelfEvent = z.object({
  memberId: MemberId,
  state: z.enum(['code_sent', 'verified', 'ended', 'erased']),
  /** Who started it: the till (the customer screen says so) or the customer. */
  by: z.enum(['cashier', 'customer']),
  at: Timestamp,
  challenge: PrivacyChallengeView.nullable(),
});
export type PrivacySelfEvent = z.infer<typeof PrivacySelfEvent>;

export const PrivacyIncidentView = z.object({ kind: z.string(), status: z.string(), openedAt: Timestamp, storeId: z.string() });

/** What HQ holds of the member and tells them once they proved who they are. */
export const HqMemberData = z.object({
  /** The record as HQ holds it (createdAt: member since). */
  identity: MemberRecord.omit({ memberId: true }),
  consents: z.array(ConsentRecord),
  balance: z.number().int(),
  /** The points an erasure would forfeit now, as HQ counts them: what the customer confirms. */
  forfeit: z.number().int().nonnegative(),
  visits: z.object({ count: z.number().int().nonnegative(), last: Timestamp.nullable() }),
  incidents: z.array(PrivacyIncidentView),
  tier: z.string().nullable(),
  segment: z.string().nullable(),
  /** Null where the programme keeps no referrals. */
  referrals: z.array(z.object({ role: z.string(), at: Timestamp })).nullable(),
});
export type HqMemberData = z.infer<typeof HqMemberData>;

/** The access view: HQ's data, with what only this terminal holds (its consents not yet at HQ, its lookup log). */
export const PrivacyAccessView = HqMemberData.extend({
  memberId: MemberId,
  /** The tier's name as the programme words it, when this terminal has the member's tier. */
  tierLabel: z.object({ fr: z.string(), en: z.string() }).nullable(),
  lookups: z.array(z.object({ at: Timestamp, by: z.string(), via: z.string() })),
  /** Until when the proof holds on this screen. */
  until: Timestamp,
});
export type PrivacyAccessView = z.infer<typeof PrivacyAccessView>;

export const PrivacyExportView = z.object({ url: z.string().url(), expiresAt: Timestamp });
export const PrivacyEraseView = z.object({ erased: z.literal(true), receiptId: z.string() });
/** The customer confirms the erasure and the points they were shown it forfeits. */
export const PrivacyEraseInput = z.strictObject({ confirm: z.literal(true), confirmedForfeit: z.number().int().nonnegative() });

const Nonce = z.string().regex(/^[A-Za-z0-9_-]{22}$/, 'nonce: 16 bytes base64url');
const TerminalId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/);
const Token = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'token: 32 bytes base64url');

/** What the terminal asks HQ (POST /v1/privacy/self), signed by the terminal's key like every request. */
export const PrivacySelfOp = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('challenge'), memberId: MemberId, channel: PrivacyChannel.nullable() }),
  z.strictObject({ op: z.literal('verify'), challengeId: z.string().min(1).max(64), code: z.string().regex(/^\d{6}$/) }),
  z.strictObject({ op: z.literal('view'), session: Token }),
  z.strictObject({
    op: z.literal('rectify'),
    session: Token,
    firstName: z.string().max(240),
    lastName: z.string().max(240),
    email: z.string().max(320).nullable(),
    phone: z.string().max(40).nullable(),
  }),
  z.strictObject({ op: z.literal('export'), session: Token }),
  z.strictObject({ op: z.literal('erase'), session: Token, cardNumber: z.string().min(1).max(32), confirmedForfeit: z.number().int().nonnegative() }),
]);
export type PrivacySelfOp = z.infer<typeof PrivacySelfOp>;

export const PrivacySelfRequest = z.strictObject({
  protocolVersion: z.literal(PROTOCOL_VERSION),
  terminalId: TerminalId,
  request: PrivacySelfOp,
  sentAt: Timestamp,
  nonce: Nonce,
  ...Signed,
});
export type PrivacySelfRequest = z.infer<typeof PrivacySelfRequest>;

/** HQ's answers, per op. */
export const PrivacySelfAnswers = {
  challenge: z.object({ challengeId: z.string(), channel: PrivacyChannel, destination: z.string(), expiresAt: Timestamp }),
  verify: z.object({ session: Token, expiresAt: Timestamp }),
  view: HqMemberData,
  rectify: z.object({ ok: z.literal(true) }),
  export: z.object({ token: Token, expiresAt: Timestamp }),
  erase: z.object({ receiptId: z.string() }),
} as const;

/** Where an export link points, relative to HQ's address. */
export const PRIVACY_EXPORT_PATH = '/privacy/export/';
/** HQ's public page with the full privacy notice. */
export const PRIVACY_NOTICE_PATH = '/privacy';
