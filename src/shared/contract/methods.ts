import { z } from 'zod';
import { METHOD_ROLES, type MethodName } from './method-roles';
import type { Role } from './roles';
import {
  CardNumber,
  CONSENT_PURPOSES,
  ConsentRecord,
  DeviceDiagnosticView,
  DeviceInfo,
  EnrolmentForm,
  IdentifyResult,
  MemberDetail,
  MemberId,
  MemberSummary,
  ScanCode,
  SearchHit,
  SearchQuery,
  SessionState,
  TerminalInfo,
  Timestamp,
  WedgeSettings,
} from './schemas';
import { RefundInput } from './ledger-inputs';
import { SyncEnrolInput, SyncStatusView } from './sync-views';
import { IncidentOutcomeView, IncidentRecordInput, IncidentResolveInput, IncidentUpdateInput, RelationshipView } from './incidents';
import { SurveyAnswerInput, SurveyAnswerView } from './survey';
import { FewerContactsInput, FewerContactsView, OfferAnswerInput, OfferAnswerView, PreviewOffers, ShareLinkInput, ShareLinkView } from './offers';
import { BenefitBookInput, BenefitCancelInput, BenefitsListInput, BookingView, MemberBenefitsView } from './benefits';
import { AttachReferralInput, AttachReferralView, DonateInput, DonationView, ReferralCard, SocialView } from './social';
import { ItBundleView, ItOverview, ItRestartView, ItSessionView, ItTestPrintView, ItTestScanInput, ItTestScanView, ItUnlockInput } from './it-views';
import { MemberValueHint } from '../value/value-hint';
import { OneTimeCode, PrivacyAccessView, PrivacyChallengeView, PrivacyChannel, PrivacyEraseInput, PrivacyEraseView, PrivacyExportView, Rectification } from './privacy-self';
import { Product } from '../programme/products';
import { UpdateStatusView } from '../updates/status-view';
import { LedgerAccount, ManualSale, ProgramView, RefundOutcome, SaleOutcome, SalePreviewView, ZReportView } from './ledger-views';

export interface MethodSpec<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  /** A query reads; a command may change state or the screens. */
  kind: 'query' | 'command';
  roles: readonly Role[];
  input: I;
  output: O;
}

function method<I extends z.ZodType, O extends z.ZodType>(spec: MethodSpec<I, O>): MethodSpec<I, O> {
  return spec;
}

const Empty = z.strictObject({});

/**
 * Every call a window can make into the main process, written once. The Electron
 * IPC adapter, the web bridge, the preloads and the renderer clients are all
 * derived from this table; who may call each method lives in METHOD_ROLES.
 */
export const methods = {
  'terminal.info': method({
    kind: 'query',
    roles: METHOD_ROLES['terminal.info'],
    input: Empty,
    output: TerminalInfo,
  }),
  'member.identify': method({
    kind: 'command',
    roles: METHOD_ROLES['member.identify'],
    input: z.strictObject({ code: ScanCode, source: z.enum(['keyboard', 'scan']) }),
    output: IdentifyResult,
  }),
  'member.search': method({
    kind: 'query',
    roles: METHOD_ROLES['member.search'],
    input: z.strictObject({ query: SearchQuery, limit: z.number().int().min(1).max(50).default(10) }),
    /** `more`: other members match beyond `limit`; the cashier can ask for more or type more. */
    output: z.object({ hits: z.array(SearchHit), more: z.boolean() }),
  }),
  'member.get': method({
    kind: 'query',
    roles: METHOD_ROLES['member.get'],
    input: z.strictObject({ memberId: MemberId }),
    output: MemberDetail,
  }),
  'member.select': method({
    kind: 'command',
    roles: METHOD_ROLES['member.select'],
    input: z.strictObject({ memberId: MemberId }),
    output: MemberSummary,
  }),
  /**
   * Gives or withdraws one consent (issue 17 item 1): a new row in the member's consent history with the
   * wording version shown and the time, queued for HQ. The customer screen may change only the consents of
   * the member it shows. Answers the member's whole consent history.
   */
  'member.setConsent': method({
    kind: 'command',
    roles: METHOD_ROLES['member.setConsent'],
    input: z.strictObject({
      memberId: MemberId,
      purpose: z.enum(CONSENT_PURPOSES),
      granted: z.boolean(),
      /** The wording the customer was shown, as in enrolment: the only one this terminal records. */
      consentWordingVersion: z.string().regex(/^[a-z0-9.-]{1,32}$/, 'consent.version'),
    }),
    output: z.object({ consents: z.array(ConsentRecord) }),
  }),
  'session.get': method({
    kind: 'query',
    roles: METHOD_ROLES['session.get'],
    input: Empty,
    output: SessionState,
  }),
  'session.clear': method({
    kind: 'command',
    roles: METHOD_ROLES['session.clear'],
    input: Empty,
    output: SessionState,
  }),
  'enrolment.start': method({
    kind: 'command',
    roles: METHOD_ROLES['enrolment.start'],
    input: z.strictObject({ presetCardNumber: CardNumber.nullable().default(null) }),
    output: SessionState,
  }),
  'enrolment.cancel': method({
    kind: 'command',
    roles: METHOD_ROLES['enrolment.cancel'],
    input: z.strictObject({ reason: z.enum(['abandoned', 'timeout', 'cashier']) }),
    output: SessionState,
  }),
  'enrolment.submit': method({
    kind: 'command',
    roles: METHOD_ROLES['enrolment.submit'],
    input: EnrolmentForm,
    /** `cardPageUrl`: the link to the card's page at HQ, once the terminal is enrolled with one (shared/sync/card-page.ts). */
    output: z.object({ member: MemberSummary, walletQr: z.string(), cardPageUrl: z.string().url().nullable(), referral: ReferralCard.optional() }),
  }),
  'ledger.program': method({
    kind: 'query',
    roles: METHOD_ROLES['ledger.program'],
    input: Empty,
    output: ProgramView,
  }),
  'ledger.account': method({
    kind: 'query',
    roles: METHOD_ROLES['ledger.account'],
    input: z.strictObject({ memberId: MemberId }),
    output: LedgerAccount,
  }),
  'ledger.manualPreview': method({
    kind: 'query',
    roles: METHOD_ROLES['ledger.manualPreview'],
    input: ManualSale,
    /** `offers`: what the customer screen shows for this basket and the cashier's hint (issue 16 item 3). */
    output: SalePreviewView.extend({ offers: PreviewOffers.optional() }),
  }),
  'ledger.manualCommit': method({
    kind: 'command',
    roles: METHOD_ROLES['ledger.manualCommit'],
    input: ManualSale,
    output: SaleOutcome,
  }),
  'ledger.refund': method({
    kind: 'command',
    roles: METHOD_ROLES['ledger.refund'],
    input: RefundInput,
    output: RefundOutcome,
  }),
  'ledger.zReport': method({
    kind: 'query',
    roles: METHOD_ROLES['ledger.zReport'],
    input: z.strictObject({ day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'ledger.day').nullable().default(null) }),
    output: ZReportView,
  }),
  /** Record a customer's incident (docs/relationship.md): member or anonymous with the receipt, kind, severity, optional note. */
  'incident.record': method({
    kind: 'command',
    roles: METHOD_ROLES['incident.record'],
    input: IncidentRecordInput,
    output: IncidentOutcomeView,
  }),
  /** Re-qualify an open incident (kind, severity) or add a note. */
  'incident.update': method({
    kind: 'command',
    roles: METHOD_ROLES['incident.update'],
    input: IncidentUpdateInput,
    output: IncidentOutcomeView,
  }),
  /** Close an incident with its outcome and gesture; above the cashier's limit, a manager's PIN. */
  'incident.resolve': method({
    kind: 'command',
    roles: METHOD_ROLES['incident.resolve'],
    input: IncidentResolveInput,
    output: IncidentOutcomeView,
  }),
  /** A member's relationship health, open incidents from every store, and the goodwill budget left. */
  'member.relationship': method({
    kind: 'query',
    roles: METHOD_ROLES['member.relationship'],
    input: z.strictObject({ memberId: MemberId }),
    output: RelationshipView,
  }),
  /** HQ's customer-value hint for the member (segment, P(alive), last visit; never a euro value), or null. */
  'member.valueHint': method({
    kind: 'query',
    roles: METHOD_ROLES['member.valueHint'],
    input: z.strictObject({ memberId: MemberId }),
    output: MemberValueHint.nullable(),
  }),
  /** The product a barcode (EAN) or SKU names in the catalogue HQ sent, or null: the cashier is told it is unknown. */
  'product.lookup': method({
    kind: 'query',
    roles: METHOD_ROLES['product.lookup'],
    input: z.strictObject({ code: z.string().trim().min(1, 'product.code_empty').max(64, 'product.code_too_long').regex(/^[\x21-\x7e]+$/, 'product.code_format') }),
    output: Product.nullable(),
  }),
  /** How many products the terminal has from HQ: with none, the manual sale offers no article field. */
  'product.catalogue': method({
    kind: 'query',
    roles: METHOD_ROLES['product.catalogue'],
    input: Empty,
    output: z.object({ products: z.number().int().nonnegative() }),
  }),
  /** The customer's answer to the satisfaction question: a score, then after a low one what went wrong. */
  'survey.answer': method({
    kind: 'command',
    roles: METHOD_ROLES['survey.answer'],
    input: SurveyAnswerInput,
    output: SurveyAnswerView,
  }),
  /** « Ça m'intéresse » / « Non merci » to an offer on the customer screen, for the member on it. */
  'offers.answer': method({
    kind: 'command',
    roles: METHOD_ROLES['offers.answer'],
    input: OfferAnswerInput,
    output: OfferAnswerView,
  }),
  /** « Moins de sollicitations »: the member on the customer screen asks for fewer offers (none until they change their mind). */
  'offers.fewerContacts': method({
    kind: 'command',
    roles: METHOD_ROLES['offers.fewerContacts'],
    input: FewerContactsInput,
    output: FewerContactsView,
  }),
  /** HQ sends a one-time code to the contact it holds for the member shown (issue 17 item 2); the customer screen opens for it. */
  'privacy.selfStart': method({
    kind: 'command',
    roles: METHOD_ROLES['privacy.selfStart'],
    input: z.strictObject({ memberId: MemberId, channel: PrivacyChannel.nullable().default(null) }),
    output: PrivacyChallengeView,
  }),
  /** The code the customer received: right, and their data is shown; wrong tries are limited, then cooled down (at HQ). */
  'privacy.selfVerify': method({ kind: 'command', roles: METHOD_ROLES['privacy.selfVerify'], input: z.strictObject({ code: OneTimeCode }), output: PrivacyAccessView }),
  'privacy.selfView': method({ kind: 'query', roles: METHOD_ROLES['privacy.selfView'], input: Empty, output: PrivacyAccessView }),
  /** Name, email and phone corrected at HQ and here (re-hashed, re-masked); an invalid value refuses it all. */
  'privacy.selfRectify': method({ kind: 'command', roles: METHOD_ROLES['privacy.selfRectify'], input: Rectification, output: PrivacyAccessView }),
  /** A one-time link to the member's archive at HQ, shown as a QR code. */
  'privacy.selfExport': method({ kind: 'command', roles: METHOD_ROLES['privacy.selfExport'], input: Empty, output: PrivacyExportView }),
  'privacy.selfErase': method({ kind: 'command', roles: METHOD_ROLES['privacy.selfErase'], input: PrivacyEraseInput, output: PrivacyEraseView }),
  'privacy.selfEnd': method({ kind: 'command', roles: METHOD_ROLES['privacy.selfEnd'], input: Empty, output: z.object({ ended: z.literal(true) }) }),
  'privacy.printNotice': method({ kind: 'command', roles: METHOD_ROLES['privacy.printNotice'], input: Empty, output: z.object({ printed: z.boolean() }) }),
  /** A link for a friend's phone to a public HQ page about a product or the offer shown, valid a few days (no personal data). */
  'share.link': method({
    kind: 'command',
    roles: METHOD_ROLES['share.link'],
    input: ShareLinkInput,
    output: ShareLinkView,
  }),
  /** The member on the customer screen's referral code and the causes with their counters (issue 16 items 1 and 4). */
  'social.view': method({
    kind: 'query',
    roles: METHOD_ROLES['social.view'],
    input: Empty,
    output: SocialView,
  }),
  /** Points of the member on the customer screen to a cause, after the screen's confirm step. */
  'social.donate': method({
    kind: 'command',
    roles: METHOD_ROLES['social.donate'],
    input: DonateInput,
    output: DonationView,
  }),
  /** A friend's code typed by the cashier for the member on the screen, before their first purchase. */
  'social.attachReferral': method({
    kind: 'command',
    roles: METHOD_ROLES['social.attachReferral'],
    input: AttachReferralInput,
    output: AttachReferralView,
  }),
  /** The benefits a member may book, their bookings and membership (the customer: only for the member on their screen). */
  'benefits.list': method({
    kind: 'query',
    roles: METHOD_ROLES['benefits.list'],
    input: BenefitsListInput,
    output: MemberBenefitsView,
  }),
  /** Books a benefit for the member, by entitlement or with points; refused past capacity, nothing written. */
  'benefits.book': method({
    kind: 'command',
    roles: METHOD_ROLES['benefits.book'],
    input: BenefitBookInput,
    output: z.object({ booking: BookingView, view: MemberBenefitsView }),
  }),
  /** Cancels a booking: its seat is free again, its points given back once. */
  'benefits.cancel': method({
    kind: 'command',
    roles: METHOD_ROLES['benefits.cancel'],
    input: BenefitCancelInput,
    output: MemberBenefitsView,
  }),
  'sim.devices': method({
    kind: 'query',
    roles: METHOD_ROLES['sim.devices'],
    input: Empty,
    output: z.object({ devices: z.array(DeviceInfo) }),
  }),
  'sim.scan': method({
    kind: 'command',
    roles: METHOD_ROLES['sim.scan'],
    input: z.strictObject({ deviceId: z.string().max(64), data: ScanCode }),
    output: z.object({ accepted: z.boolean() }),
  }),
  'device.diagnostics': method({
    kind: 'query',
    roles: METHOD_ROLES['device.diagnostics'],
    input: Empty,
    output: z.object({
      devices: z.array(DeviceInfo.extend({ endpoint: z.string().nullable() })),
      /** Newest first. */
      diagnostics: z.array(DeviceDiagnosticView),
    }),
  }),
  /** The keys a wedge scanner typed for WEDGE_TEST_CODE: the layout it is set to, which the terminal then uses. */
  'device.wedgeDetect': method({
    kind: 'command',
    roles: METHOD_ROLES['device.wedgeDetect'],
    input: z.strictObject({
      keys: z
        .array(z.strictObject({ code: z.string().max(32), key: z.string().max(32), shiftKey: z.boolean() }))
        .min(1)
        .max(256),
    }),
    /** null: not the test code, or a layout not known here; the setting is then left as it was. */
    output: z.object({ layout: WedgeSettings.shape.layout.nullable(), wedge: WedgeSettings }),
  }),
  'nfc.pair': method({
    kind: 'command',
    roles: METHOD_ROLES['nfc.pair'],
    input: z.strictObject({ memberId: MemberId }),
    /** Armed: the next physical card tapped is paired; the outcome arrives as `nfc.pairing`. */
    output: z.object({ readerId: z.string(), until: Timestamp }),
  }),
  'sim.tapNfc': method({
    kind: 'command',
    roles: METHOD_ROLES['sim.tapNfc'],
    input: z.strictObject({ uid: z.string().regex(/^(?:[0-9A-Fa-f]{8}|[0-9A-Fa-f]{14})$/, 'nfc.uid'), kind: z.enum(['card', 'phone']) }),
    output: z.object({ uid: z.string() }),
  }),
  'sim.printerFault': method({
    kind: 'command',
    roles: METHOD_ROLES['sim.printerFault'],
    input: z.strictObject({ fault: z.enum(['paper_out', 'paper_in', 'cover_open', 'cover_close', 'paper_low', 'paper_ok']) }),
    output: z.object({ ok: z.literal(true) }),
  }),
  'sim.printed': method({
    kind: 'query',
    roles: METHOD_ROLES['sim.printed'],
    input: Empty,
    output: z.object({
      pages: z.array(z.object({ text: z.string(), codes: z.array(z.string()) })),
      /** Cleared copies (paper out mid-receipt): torn off, never handed over. */
      torn: z.number().int().nonnegative(),
      /** The last receipt the terminal sent, drawn as SVG; null before the first. */
      lastReceiptSvg: z.string().nullable(),
    }),
  }),
  'sync.status': method({
    kind: 'query',
    roles: METHOD_ROLES['sync.status'],
    input: Empty,
    output: SyncStatusView,
  }),
  /** Push the backlog and pull now, whatever the timers say; answers once both ended. */
  'sync.now': method({
    kind: 'command',
    roles: METHOD_ROLES['sync.now'],
    input: Empty,
    output: SyncStatusView,
  }),
  /** IT staff enrol this terminal with HQ using a one-time code. */
  'sync.enrol': method({
    kind: 'command',
    roles: METHOD_ROLES['sync.enrol'],
    input: SyncEnrolInput,
    output: SyncStatusView,
  }),
  /** Where this terminal's update stands: state, progress, what the install waits for, last error, history. */
  'updates.status': method({
    kind: 'query',
    roles: METHOD_ROLES['updates.status'],
    input: Empty,
    output: UpdateStatusView,
  }),
  /** The IT PIN opens an IT session (not the manager's PIN); wrong tries are limited, then cooled down. */
  'it.unlock': method({ kind: 'command', roles: METHOD_ROLES['it.unlock'], input: ItUnlockInput, output: ItSessionView }),
  'it.lock': method({ kind: 'command', roles: METHOD_ROLES['it.lock'], input: Empty, output: z.object({ locked: z.literal(true) }) }),
  'it.overview': method({ kind: 'query', roles: METHOD_ROLES['it.overview'], input: Empty, output: ItOverview }),
  /** Waits for the next code a scanner reads, which then identifies no one. */
  'it.testScan': method({ kind: 'command', roles: METHOD_ROLES['it.testScan'], input: ItTestScanInput, output: ItTestScanView }),
  'it.testPrint': method({ kind: 'command', roles: METHOD_ROLES['it.testPrint'], input: Empty, output: ItTestPrintView }),
  /** Versions, configuration without secrets, devices, sync and update state, redacted logs: no member's data. */
  'it.diagnosticsBundle': method({ kind: 'command', roles: METHOD_ROLES['it.diagnosticsBundle'], input: Empty, output: ItBundleView }),
  'it.restart': method({ kind: 'command', roles: METHOD_ROLES['it.restart'], input: Empty, output: ItRestartView }),
} as const satisfies { [M in MethodName]: MethodSpec };

export type Methods = typeof methods;
/** What a caller sends (before defaults and transforms). */
export type MethodInput<M extends MethodName> = z.input<Methods[M]['input']>;
/** What a handler receives, after parsing. */
export type ParsedInput<M extends MethodName> = z.output<Methods[M]['input']>;
export type MethodOutput<M extends MethodName> = z.output<Methods[M]['output']>;

export type MethodsFor<R extends Role> = {
  [M in MethodName]: R extends Methods[M]['roles'][number] ? M : never;
}[MethodName];
