import { z } from 'zod';
import { checkCardNumber } from '../domain/card-number';
import { checkFrenchMobile } from '../domain/phone';
import { checkEmail, checkName } from '../domain/text';
import { UpdateDirective, UpdateStatusReport } from '../updates/directive';

/**
 * The terminal ↔ HQ sync protocol, version 1 (../shared/reference/sync-ledger.md §2):
 * written once here, read by the terminal's sync client (src/main/core/sync)
 * and by HQ (src/hq). Every message is JSON; every signed message is signed
 * with Ed25519 over the canonical JSON (src/main/core/ledger/canonical.ts) of
 * the message WITHOUT its `signature` field. Keys and signatures travel as
 * base64url without padding. Points are integers; times are epoch ms.
 *
 *   POST /v1/terminals/enrol   EnrolRequest  → EnrolmentReceipt        (one-time operator code)
 *   POST /v1/push              PushBatch     → PushAnswer              (one batch in flight per terminal)
 *   POST /v1/pull              PullRequest   → PullResponse
 *   POST /v1/holds             HoldRequest   → HoldGrant               (online redemption, two-phase)
 *   POST /v1/holds/void        HoldVoid      → HoldGrant               (the sale was cancelled)
 *   POST /v1/members           MemberIntake  → MemberIntakeReceipt     (member records, below)
 *   POST /v1/members/lookup    CardLookupRequest → CardLookupAnswer   (a card another store issued, below)
 *   POST /v1/updates/status    UpdateStatusRequest → 204              (report: src/shared/updates/directive.ts)
 *   GET  /v1/updates/feed/…    electron-updater's generic feed and files, with the pull's feed token
 *
 * Push answers: 200 receipt; 409 gap / frozen / equivocation / structural /
 * schema_version / replay; 401 bad_signature / unknown_terminal / stale;
 * 403 revoked; 400 malformed; 413 too_large — always a PushAnswer body. Other
 * routes answer errors as `{ error: { code, message } }` (plus `hqTime` when
 * the code is `stale`); 429 with Retry-After once an address has failed too often.
 *
 * Freshness (src/hq/request-freshness.ts): every signed terminal request
 * carries `sentAt` — in HQ's time as the terminal estimates it
 * (src/main/core/sync/hq-clock.ts) — and a random `nonce`. HQ refuses one
 * signed more than ±5 min from its clock (`stale`, with HQ's time: the
 * terminal corrects its estimate and signs again) and one whose nonce it has
 * already taken (`replay`). A retry is always signed again with a new nonce.
 */
export const PROTOCOL_VERSION = 1;

const B64 = z.string().regex(/^[A-Za-z0-9_-]+$/, 'base64url');
const Hash = z.string().regex(/^[0-9a-f]{64}$/, 'sha256 hex');
const Id = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/);
const Time = z.number().int().nonnegative();
const Seq = z.number().int().nonnegative();
const Points = z.number().int();
/** 16 random bytes, base64url: unique per signed request (replay protection). */
const Nonce = z.string().regex(/^[A-Za-z0-9_-]{22}$/, 'nonce: 16 bytes base64url');

/** A signature and the key it was made with: the HQ key or a terminal key. */
export const Signed = { keyId: z.string().min(1).max(64), signature: B64 };

export const EnrolRequest = z.strictObject({
  protocolVersion: z.literal(PROTOCOL_VERSION),
  /** Issued by an IT operator at HQ for this terminal id and store, valid once and for a short time. */
  code: z.string().regex(/^[A-Z0-9-]{6,32}$/),
  terminalId: Id,
  storeId: Id,
  /** The terminal's Ed25519 public key, raw 32 bytes. */
  publicKey: B64,
  keyId: z.string().min(1).max(64),
  appVersion: z.string().max(32),
  /**
   * Present when the terminal already sold before it was enrolled: its
   * first epoch chains to the provisional genesis and holds `headSeq`
   * entries ending at `headHash`. HQ adopts that genesis for epoch 1 instead
   * of issuing its own; the entries travel in signed batches like any other.
   */
  history: z
    .strictObject({
      epoch: z.literal(1),
      genesisHash: Hash,
      headSeq: Seq.min(1),
      headHash: Hash,
    })
    .optional(),
});
export type EnrolRequest = z.infer<typeof EnrolRequest>;

/** What a terminal may redeem while HQ cannot be reached, signed by HQ (§2.7). */
export const OfflineAllowance = z.strictObject({
  allowanceId: z.string().min(1).max(64),
  terminalId: Id,
  maxPointsPerTransaction: Points,
  maxPointsPerCustomerPerSession: Points,
  maxPointsTotal: Points,
  /** Measured on the terminal's monotonic clock since its last HQ contact. */
  maxOfflineDurationMs: z.number().int().positive(),
  policyVersion: z.string().max(32),
  expiresAt: Time,
  ...Signed,
});
export type OfflineAllowance = z.infer<typeof OfflineAllowance>;

export const EnrolmentReceipt = z.strictObject({
  terminalId: Id,
  storeId: Id,
  /** The terminal key this receipt enrols; `keyId` below names HQ's signing key. */
  terminalKeyId: z.string(),
  epoch: z.number().int().positive(),
  /** The first entry of the epoch chains to this instead of the provisional genesis. */
  genesisHash: Hash,
  hqPublicKey: B64,
  allowance: OfflineAllowance,
  issuedAt: Time,
  ...Signed,
});
export type EnrolmentReceipt = z.infer<typeof EnrolmentReceipt>;

/** One journal entry as the terminal wrote it (schema version 1): the columns its hash covers, plus the hashes. */
export const WireEntry = z.strictObject({
  terminal_id: Id,
  epoch: z.number().int().positive(),
  seq: Seq,
  entry_id: z.string().min(1).max(64),
  group_id: z.string().min(1).max(64),
  kind: z.string().min(1).max(32),
  schema_version: z.number().int().positive(),
  rules_version: z.string().max(32),
  member_id: z.string().max(64).nullable(),
  till_id: z.string().max(64).nullable(),
  receipt: z.string().max(64).nullable(),
  wall_time: Time,
  mono_time: z.number().int(),
  mono_boot: z.string().max(64),
  offline: z.boolean(),
  postings: z.array(z.strictObject({ account: z.string().max(128), delta: Points })).max(16),
  detail: z.record(z.string(), z.unknown()),
  prev_hash: Hash,
  entry_hash: Hash,
});
export type WireEntry = z.infer<typeof WireEntry>;

export const MAX_BATCH_ENTRIES = 1_000;

export const PushHeader = z.strictObject({
  protocolVersion: z.literal(PROTOCOL_VERSION),
  terminalId: Id,
  epoch: z.number().int().positive(),
  appVersion: z.string().max(32),
  schemaVersions: z.array(z.number().int().positive()).min(1).max(8),
  fromSeq: Seq,
  toSeq: Seq,
  /** The hash before fromSeq (the previous entry's, or the genesis). */
  prevHash: Hash,
  /** The entry_hash of toSeq. */
  lastHash: Hash,
  count: z.number().int().positive().max(MAX_BATCH_ENTRIES),
  /** SHA-256 hex of the canonical JSON of the entries array: the signature covers the entries through it. */
  digest: Hash,
  /** When sending, in HQ's time as the terminal estimates it: HQ refuses a batch outside its freshness window. */
  sentAt: Time,
  nonce: Nonce,
  /** The terminal's own wall clock when sending (the clock its entries' wall_time come from): HQ measures the skew from it. */
  terminalTime: Time,
  /** The terminal's journal head when sending (optional): the fleet view shows headSeq − toSeq as its backlog. */
  headSeq: Seq.optional(),
});
export type PushHeader = z.infer<typeof PushHeader>;

/**
 * Entries in seq order, never splitting a group. The one exception to the
 * signing rule above: the signature is over `pushSigningPayload(batch)`, i.e.
 * `{ header, keyId }` — the entries are covered through `header.digest`.
 */
export const PushBatch = z.strictObject({
  header: PushHeader,
  entries: z.array(WireEntry).min(1).max(MAX_BATCH_ENTRIES),
  ...Signed,
});
export type PushBatch = z.infer<typeof PushBatch>;

/** What a PushBatch's signature covers, before canonical JSON. */
export function pushSigningPayload(batch: Pick<PushBatch, 'header' | 'keyId'>): { header: PushHeader; keyId: string } {
  return { header: batch.header, keyId: batch.keyId };
}

/** What any other signed message's signature covers, before canonical JSON: the message without `signature`. */
export function signingPayload<T extends { signature: string }>(message: T): Omit<T, 'signature'> {
  const { signature: _signature, ...rest } = message;
  return rest;
}

/** HQ's countersigned acknowledgement: the terminal marks entries acknowledged only from a verified one. */
export const PushReceipt = z.strictObject({
  terminalId: Id,
  epoch: z.number().int().positive(),
  ackedThroughSeq: Seq,
  ackedHash: Hash,
  hqIngestTime: Time,
  /** HQ time minus the terminal's own clock (header.terminalTime). */
  skewMs: z.number().int(),
  /** Business-rule breaches found at merge (an offline overdraft…): recorded, never refused (§2.1 I7). */
  exceptions: z.array(z.strictObject({ entryId: z.string(), kind: z.string(), detail: z.string().max(500) })),
  ...Signed,
});
export type PushReceipt = z.infer<typeof PushReceipt>;

/**
 * Why HQ did not (or no longer) take a batch. `gap`: resend from cursor+1.
 * `frozen`, `equivocation`, `structural`: the stream is frozen until an operator acts.
 */
export const PushRefusal = z.strictObject({
  code: z.enum(['gap', 'frozen', 'equivocation', 'structural', 'schema_version', 'bad_signature', 'unknown_terminal', 'revoked', 'malformed', 'too_large', 'stale', 'replay']),
  message: z.string().max(500),
  cursor: z.strictObject({ lastSeq: Seq, lastHash: Hash }).nullable(),
  /** HQ's clock, on a `stale` refusal. */
  hqTime: Time.optional(),
});
export type PushRefusal = z.infer<typeof PushRefusal>;

export const PushAnswer = z.discriminatedUnion('ok', [
  z.strictObject({ ok: z.literal(true), receipt: PushReceipt }),
  z.strictObject({ ok: z.literal(false), refusal: PushRefusal }),
]);
export type PushAnswer = z.infer<typeof PushAnswer>;

export const BUCKETS = ['program', 'store', 'terminal'] as const;
export type Bucket = (typeof BUCKETS)[number];

/**
 * A consent given or withdrawn at a terminal (issue 17 item 1), sent up with a pull until HQ's signed
 * response acknowledges its `consentRowid` (the terminal's member_consent row): src/hq/privacy/consent-sync.ts.
 */
export const ConsentChange = z.strictObject({
  consentRowid: z.number().int().positive(),
  memberId: z.string().regex(/^[A-Za-z0-9-]{1,64}$/),
  purpose: z.enum(['marketing', 'personalisedOffers', 'profiling']),
  granted: z.boolean(),
  wordingVersion: z.string().regex(/^[a-z0-9.-]{1,32}$/),
  recordedAt: Time,
  source: z.string().min(1).max(32),
});
export type ConsentChange = z.infer<typeof ConsentChange>;
export const MAX_CONSENT_CHANGES = 500;

export const PullRequest = z.strictObject({
  protocolVersion: z.literal(PROTOCOL_VERSION),
  terminalId: Id,
  epoch: z.number().int().positive(),
  /** Opaque per-bucket cookies from the last applied response; null for a first pull. */
  cookies: z.strictObject({ program: z.string().max(128).nullable(), store: z.string().max(128).nullable(), terminal: z.string().max(128).nullable() }),
  ackedThroughSeq: Seq,
  /** Consent changes HQ has not acknowledged yet (absent: none). */
  consentChanges: z.array(ConsentChange).max(MAX_CONSENT_CHANGES).optional(),
  sentAt: Time,
  nonce: Nonce,
  ...Signed,
});
export type PullRequest = z.infer<typeof PullRequest>;

export const MemberRecord = z.strictObject({
  memberId: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  locale: z.enum(['fr', 'en']),
  cards: z.array(z.string()),
  createdAt: Time,
});

/** A member's chain-wide position, as HQ's projector has it. */
export const MemberBalance = z.strictObject({
  memberId: z.string(),
  balance: Points,
  pending: Points,
  lots: z.array(z.strictObject({ expiresOn: z.string(), points: Points })),
});

/**
 * Keys by bucket: `program` → the ProgramRules (key `program`); `store` →
 * one MemberRecord per `member:<memberId>`; `terminal` → the OfflineAllowance
 * (key `allowance`). A terminal keeps keys it does not know as they came.
 */
export const BucketPatch = z.strictObject({
  bucket: z.enum(BUCKETS),
  cookie: z.string().max(128),
  puts: z.array(z.strictObject({ key: z.string().max(128), value: z.unknown() })),
  deletes: z.array(z.string().max(128)),
});

/** Applied by the terminal in ONE SQLite transaction, never partially (§2.5). */
export const PullResponse = z.strictObject({
  buckets: z.array(BucketPatch),
  /** The write checkpoint: HQ has projected this terminal's entries through this seq. */
  hqAppliedThroughSeq: Seq,
  balances: z.array(MemberBalance),
  allowance: OfflineAllowance,
  minAppVersion: z.string().max(32),
  recommendedAppVersion: z.string().max(32),
  /** Updates for this terminal (src/shared/updates/directive.ts); absent from an HQ that has no release service. */
  update: UpdateDirective.optional(),
  /** The request's consent changes HQ recorded (their consentRowid): the terminal drops them from its outbox. */
  consentAcks: z.array(z.number().int().positive()).max(MAX_CONSENT_CHANGES).optional(),
  hqTime: Time,
  ...Signed,
});
export type PullResponse = z.infer<typeof PullResponse>;

export const HoldRequest = z.strictObject({
  protocolVersion: z.literal(PROTOCOL_VERSION),
  terminalId: Id,
  holdId: z.string().min(1).max(64),
  memberId: z.string().min(1).max(64),
  points: z.number().int().positive(),
  timeoutMs: z.number().int().min(10_000).max(30 * 60_000),
  sentAt: Time,
  nonce: Nonce,
  ...Signed,
});
export type HoldRequest = z.infer<typeof HoldRequest>;

/** The terminal cancels a sale that held points: HQ voids the pending hold (a no-op once posted or released). */
export const HoldVoid = z.strictObject({
  protocolVersion: z.literal(PROTOCOL_VERSION),
  terminalId: Id,
  holdId: z.string().min(1).max(64),
  memberId: z.string().min(1).max(64),
  sentAt: Time,
  nonce: Nonce,
  ...Signed,
});
export type HoldVoid = z.infer<typeof HoldVoid>;

/**
 * Pending at HQ until the terminal journals its post (a `redeem` entry whose
 * `detail.hold_id` names the hold) or its void, or HQ's timeout releases it.
 * `status` says what HQ did with it.
 */
export const HoldGrant = z.strictObject({
  holdId: z.string(),
  memberId: z.string(),
  points: z.number().int().positive(),
  expiresAt: Time,
  status: z.enum(['pending', 'posted', 'voided', 'released']),
  ...Signed,
});
export type HoldGrant = z.infer<typeof HoldGrant>;

/**
 * Member records travel terminal → HQ on their own signed route, apart from
 * the journal (the journal names member ids; this carries who they are):
 *
 *   POST /v1/members   MemberIntake → MemberIntakeReceipt   (200; other answers `{ error }`)
 *
 * The envelope is checked and its signature verified first; then each record
 * on its own, so one record HQ refuses never holds the others back. A record
 * is either a member who enrolled (only what HQ needs: names, contact, locale,
 * cards, and the consent history with each wording version) or a provisional
 * member: a card this terminal did not know, earned on while HQ was away,
 * carrying the card number and nothing about the person. Results come back
 * by position and are signed by HQ: the terminal forgets a record only from
 * a receipt that verifies.
 */
export const MAX_INTAKE_MEMBERS = 50;

const MemberUuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'uuidv7');
const CardDigits = z
  .string()
  .regex(/^04\d{11}$/, 'card number')
  .refine((c) => checkCardNumber(c).ok, 'card check digit');
const NameText = z.string().refine((n) => checkName(n) === null && n === n.trim(), 'name');

export const ConsentEvidence = z.strictObject({
  purpose: z.enum(['marketing', 'personalisedOffers', 'profiling']),
  granted: z.boolean(),
  /** The wording the customer was shown. */
  wordingVersion: z.string().regex(/^[a-z0-9.-]{1,32}$/),
  recordedAt: Time,
  source: z.string().min(1).max(32),
});
export type ConsentEvidence = z.infer<typeof ConsentEvidence>;

export const EnrolledMemberIntake = z.strictObject({
  provisional: z.literal(false),
  memberId: MemberUuid,
  firstName: NameText,
  lastName: NameText,
  email: z
    .string()
    .max(254)
    .refine((e) => checkEmail(e) === null, 'email')
    .nullable(),
  phone: z
    .string()
    .refine((p) => {
      const check = checkFrenchMobile(p);
      return check.ok && check.e164 === p;
    }, 'E.164 French mobile')
    .nullable(),
  locale: z.enum(['fr', 'en']),
  cards: z.array(CardDigits).min(1).max(8),
  createdAt: Time,
  consents: z.array(ConsentEvidence).max(64),
});

export const ProvisionalMemberIntake = z.strictObject({
  provisional: z.literal(true),
  memberId: MemberUuid,
  /** The one card that was scanned; nothing else is known about its holder here. */
  cards: z.tuple([CardDigits]),
  createdAt: Time,
});

export const MemberIntakeRecord = z.discriminatedUnion('provisional', [EnrolledMemberIntake, ProvisionalMemberIntake]);
export type MemberIntakeRecord = z.infer<typeof MemberIntakeRecord>;

export const MemberIntake = z.strictObject({
  protocolVersion: z.literal(PROTOCOL_VERSION),
  terminalId: Id,
  /** Each one is checked against MemberIntakeRecord at HQ, one by one. */
  members: z.array(z.unknown()).min(1).max(MAX_INTAKE_MEMBERS),
  sentAt: Time,
  nonce: Nonce,
  ...Signed,
});
export type MemberIntake = z.infer<typeof MemberIntake>;

/**
 * `stored`: new or changed at HQ; `unchanged`: HQ already held exactly this
 * (a replay); `conflict`: kept as HQ had it (another origin, a card already
 * someone else's), an incident says why; `rejected`: not a valid record.
 * Every status but `rejected` means HQ holds what it needs: the terminal
 * stops sending it. `linkedTo`: the customer a provisional card now belongs to.
 */
export const MemberIntakeResult = z.strictObject({
  index: z.number().int().nonnegative(),
  memberId: z.string().max(64).nullable(),
  status: z.enum(['stored', 'unchanged', 'conflict', 'rejected']),
  linkedTo: z.string().max(64).nullable(),
  detail: z.string().max(300),
});
export type MemberIntakeResult = z.infer<typeof MemberIntakeResult>;

export const MemberIntakeReceipt = z.strictObject({
  terminalId: Id,
  results: z.array(MemberIntakeResult).max(MAX_INTAKE_MEMBERS),
  hqTime: Time,
  ...Signed,
});
export type MemberIntakeReceipt = z.infer<typeof MemberIntakeReceipt>;

/**
 * Online card lookup: a card this terminal does not know (a customer of
 * another store) is asked about while HQ is reachable. When HQ knows its
 * holder it links them to the asking terminal's store, so that terminal's
 * next pull carries the member and their chain-wide balance; the answer only
 * names the member id. `cardNumber` is the compact EAN-13 (checkCardNumber),
 * checked again at HQ after the terminal is authenticated.
 *
 *   POST /v1/members/lookup   CardLookupRequest → CardLookupAnswer   (200; other answers `{ error }`)
 */
export const CardLookupRequest = z.strictObject({
  protocolVersion: z.literal(PROTOCOL_VERSION),
  terminalId: Id,
  cardNumber: z.string().min(1).max(32),
  sentAt: Time,
  nonce: Nonce,
  ...Signed,
});
export type CardLookupRequest = z.infer<typeof CardLookupRequest>;

/** Signed by HQ; `memberId` is null exactly when `found` is false. */
export const CardLookupAnswer = z
  .strictObject({
    cardNumber: z.string().max(32),
    found: z.boolean(),
    memberId: z.string().min(1).max(64).nullable(),
    hqTime: Time,
    ...Signed,
  })
  .refine((a) => a.found === (a.memberId !== null), 'memberId is given exactly when found');
export type CardLookupAnswer = z.infer<typeof CardLookupAnswer>;

/**
 * The terminal's update state, reported after each change that matters
 * (issue 13): HQ keeps the latest per terminal and a bounded history, and
 * shows them in its fleet view. Signed and fresh like every terminal request.
 *
 *   POST /v1/updates/status   UpdateStatusRequest → 204   (other answers `{ error }`)
 */
export const UpdateStatusRequest = z.strictObject({
  protocolVersion: z.literal(PROTOCOL_VERSION),
  terminalId: Id,
  report: UpdateStatusReport,
  sentAt: Time,
  nonce: Nonce,
  ...Signed,
});
export type UpdateStatusRequest = z.infer<typeof UpdateStatusRequest>;
