import { z } from 'zod';
import { MemberTierView } from '../tiers/member-tier';
import { RegularityView } from '../programme/regularity';
import { checkCardNumber } from '../domain/card-number';
import { WEDGE_LAYOUTS } from '../domain/keyboard-wedge';
import { checkEmail, checkName, hasControlCharacters, isWellFormedText } from '../domain/text';
import { checkFrenchMobile } from '../domain/phone';
import { ROLES } from './roles';
import { VoucherView } from './vouchers';

/** Epoch milliseconds: time always travels as an integer. */
export const Timestamp = z.number().int().nonnegative();

export const MemberId = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'member_id.format');

export const CardNumber = z
  .string()
  .max(32, 'card.length')
  .superRefine((value, ctx) => {
    const check = checkCardNumber(value);
    if (!check.ok) ctx.addIssue({ code: 'custom', message: `card.${check.problem}` });
  })
  .transform((value) => value.replace(/[\s.-]/g, ''));

export const Locale = z.enum(['fr', 'en']);
export type Locale = z.infer<typeof Locale>;

const PersonName = z
  .string()
  .max(240, 'name.too_long')
  .superRefine((value, ctx) => {
    const problem = checkName(value);
    if (problem) ctx.addIssue({ code: 'custom', message: `name.${problem}` });
  });

const OptionalEmail = z
  .string()
  .max(320, 'email.too_long')
  .superRefine((value, ctx) => {
    if (value.trim() === '') return;
    const problem = checkEmail(value);
    if (problem) ctx.addIssue({ code: 'custom', message: `email.${problem}` });
  });

const OptionalPhone = z
  .string()
  .max(40, 'phone.format')
  .superRefine((value, ctx) => {
    if (value.trim() === '') return;
    const check = checkFrenchMobile(value);
    if (!check.ok) ctx.addIssue({ code: 'custom', message: `phone.${check.problem}` });
  });

/** What the customer agreed to, each choice separate and never pre-ticked. */
export const Consents = z.strictObject({
  marketing: z.boolean(),
  personalisedOffers: z.boolean(),
  profiling: z.boolean(),
});
export type Consents = z.infer<typeof Consents>;
export const CONSENT_PURPOSES = ['marketing', 'personalisedOffers', 'profiling'] as const satisfies readonly (keyof Consents)[];

export const EnrolmentForm = z.strictObject({
  firstName: PersonName,
  lastName: PersonName,
  email: OptionalEmail,
  phone: OptionalPhone,
  consents: Consents,
  /** The wording the customer was shown, so a consent can always be traced to its text. */
  consentWordingVersion: z.string().regex(/^[a-z0-9.-]{1,32}$/, 'consent.version'),
  locale: Locale,
  /** A friend's referral code, scanned or typed (issue 16 item 1); absent or empty: none. */
  referralCode: z.string().max(40).optional(),
});
export type EnrolmentForm = z.input<typeof EnrolmentForm>;

export const MemberSummary = z.object({
  id: MemberId,
  firstName: z.string(),
  lastName: z.string(),
  cardNumber: z.string(),
  /** Masked, e.g. c***@exemple.fr: the terminal keeps a keyed hash of the address, not the address (issue 17). */
  email: z.string().nullable(),
  /** Masked, e.g. 06 ** ** ** 78: the terminal keeps a keyed hash of the number, not the number (issue 17). */
  phone: z.string().nullable(),
  memberSince: Timestamp,
});
export type MemberSummary = z.infer<typeof MemberSummary>;

export const ConsentRecord = z.object({
  purpose: z.enum(CONSENT_PURPOSES),
  granted: z.boolean(),
  wordingVersion: z.string(),
  recordedAt: Timestamp,
});

export const MemberDetail = MemberSummary.extend({
  cards: z.array(z.string()),
  consents: z.array(ConsentRecord),
  locale: Locale,
});
export type MemberDetail = z.infer<typeof MemberDetail>;

/** The cheapest reward the member cannot afford yet, and how far they are from it. */
export const NextReward = z
  .object({ rewardId: z.string(), label: z.string(), points: z.number().int(), missing: z.number().int() })
  .nullable();
export type NextReward = z.infer<typeof NextReward>;

/** What the customer screen may show: a greeting, never the full record. */
export const MemberGreeting = z.object({
  firstName: z.string(),
  cardNumber: z.string(),
  /** Points, and the next reward within reach: the customer's reason to come back. */
  balance: z.number().int(),
  nextReward: NextReward,
  /** The member's tier and what is left to reach the next (issue 14 item 3); absent only where no tier is known. */
  tier: MemberTierView.optional(),
  /** The voucher waiting for the member's next checkout (issue 14 item 4); null or absent: none. */
  voucher: VoucherView.nullable().optional(),
  /** Weeks with a visit, the streak and the next streak bonus (issue 14 item 5); null: the programme has no regularity. */
  regularity: RegularityView.nullable().optional(),
});
export type MemberGreeting = z.infer<typeof MemberGreeting>;

export const SearchField = z.enum(['last_name', 'first_name', 'email', 'phone', 'card']);
export type SearchField = z.infer<typeof SearchField>;

export const SearchHit = MemberSummary.extend({ matched: SearchField });
export type SearchHit = z.infer<typeof SearchHit>;

/** `product`: a shop article's barcode (EAN/UPC with a valid check digit), not a card. */
/** `blocked`: a card whose holder was erased (issue 17): never a member again, nor a provisional one. */
export const CardProblem = z.enum(['empty', 'not_digits', 'length', 'prefix', 'check_digit', 'unrecognised', 'product', 'blocked']);
export type CardProblem = z.infer<typeof CardProblem>;

export const IdentifyResult = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('member'), via: z.enum(['card', 'wallet_qr']), member: MemberSummary }),
  /** A well-formed card nobody holds yet: a new physical card, ready to enrol. */
  z.object({ kind: z.literal('unknown_card'), cardNumber: z.string() }),
  z.object({ kind: z.literal('invalid'), problem: CardProblem }),
]);
export type IdentifyResult = z.infer<typeof IdentifyResult>;

/** What the customer display is doing; both screens follow it. */
export const SessionState = z.discriminatedUnion('phase', [
  /** `unknownCard`: the customer just showed a card nobody holds; the screen invites them to join with it. */
  z.object({ phase: z.literal('idle'), unknownCard: z.string().optional() }),
  z.object({ phase: z.literal('identified'), since: Timestamp, memberId: MemberId, greeting: MemberGreeting }),
  z.object({
    phase: z.literal('enrolling'),
    since: Timestamp,
    startedBy: z.enum(ROLES),
    /** A blank physical card the cashier scanned, to be given to the new member. */
    presetCardNumber: z.string().nullable(),
  }),
  z.object({ phase: z.literal('enrolled'), since: Timestamp, memberId: MemberId, greeting: MemberGreeting, walletQr: z.string() }),
]);
export type SessionState = z.infer<typeof SessionState>;

export const ScanCode = z
  .string()
  .min(1, 'scan.empty')
  .max(512, 'scan.too_long')
  .refine(isWellFormedText, 'scan.malformed');

/** The points journal's check at start: `damaged` means every loyalty write is refused until support repairs it. */
export const LedgerIntegrity = z.object({
  state: z.enum(['unverified', 'verifying', 'verified', 'damaged']),
  problems: z.number().int().nonnegative(),
});
export type LedgerIntegrity = z.infer<typeof LedgerIntegrity>;

/** The keyboard-wedge scanner's settings (shared/domain/keyboard-wedge.ts): its layout, and the inter-key limit. */
export const WedgeSettings = z.strictObject({
  layout: z.enum(WEDGE_LAYOUTS),
  maxGapMs: z.number().int().min(10).max(100),
  adaptive: z.boolean(),
});
export type WedgeSettings = z.infer<typeof WedgeSettings>;

export const TerminalInfo = z.object({
  terminalId: z.string(),
  storeName: z.string(),
  locale: Locale,
  shell: z.enum(['electron', 'browser']),
  devices: z.enum(['simulated', 'rig', 'real']),
  enrolmentIdleMs: z.number().int().positive(),
  consentWordingVersion: z.string(),
  privacyNoticeUrl: z.string(),
  ledger: LedgerIntegrity,
  wedge: WedgeSettings,
  /** The application's version (package.json's) and build (commit@date, or 'dev'): what HQ is told. */
  version: z.string().max(32),
  build: z.string().max(64),
});
export type TerminalInfo = z.infer<typeof TerminalInfo>;

export const DeviceCondition = z.enum([
  'ok',
  'missing',
  'reconnecting',
  'offline',
  'paper_low',
  'paper_out',
  'cover_open',
  'printer_error',
  'not_responding',
  'wrong_device',
]);
export type DeviceCondition = z.infer<typeof DeviceCondition>;

export const DeviceInfo = z.object({
  id: z.string(),
  kind: z.enum(['scanner', 'nfc', 'printer']),
  name: z.string(),
  state: z.enum(['closed', 'opened', 'claimed', 'enabled', 'error']),
  simulated: z.boolean(),
  /** What is wrong beyond the state (paper out, missing…); null for a device that does not say. */
  condition: DeviceCondition.nullable(),
  /** Receipts kept and not yet printed (printers only). */
  pendingJobs: z.number().int().nonnegative().nullable(),
});
export type DeviceInfo = z.infer<typeof DeviceInfo>;

/** Something a driver noticed and dropped (garbage, a bad checksum, a phone's UID), for the IT view. */
export const DeviceDiagnosticView = z.object({ deviceId: z.string(), at: Timestamp, code: z.string(), detail: z.string().nullable() });
export type DeviceDiagnosticView = z.infer<typeof DeviceDiagnosticView>;

/** What came of a tap while the cashier was pairing a card (nfc.pair). */
export const NfcPairingOutcome = z.enum(['paired', 'already_yours', 'already_paired', 'random_uid', 'bad_uid', 'expired']);
export type NfcPairingOutcome = z.infer<typeof NfcPairingOutcome>;

export const SearchQuery = z
  .string()
  .max(100, 'search.too_long')
  .refine((q) => !hasControlCharacters(q), 'search.control_chars')
  .refine(isWellFormedText, 'search.malformed');
