import { z } from 'zod';
import { HEALTH_STATES, INCIDENT_CHANNELS, INCIDENT_KINDS, INCIDENT_OUTCOMES } from '../domain/relationship-health';
import { hasControlCharacters, isWellFormedText } from '../domain/text';
import { ManagerApproval, ReceiptNumber, TillId } from './ledger-inputs';
import { MemberId, Timestamp } from './schemas';

/**
 * The incident ledger's shapes, for the screens' contract and the till API
 * alike (docs/relationship.md). The core checks again what depends on state:
 * the member exists, the incident is open, the gesture fits the limit and the
 * budget.
 */
export const INCIDENT_NOTE_MAX = 280;

export const IncidentId = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'incident.id_format');
export const IncidentKindSchema = z.enum(INCIDENT_KINDS);
export const IncidentOutcomeSchema = z.enum(INCIDENT_OUTCOMES);
export const IncidentChannelSchema = z.enum(INCIDENT_CHANNELS);
export const Severity = z.number().int('incident.severity').min(1, 'incident.severity').max(5, 'incident.severity');

/** Personal data, kept out of the journal (docs/relationship.md): short, printable, well formed. */
export const IncidentNote = z
  .string()
  .max(INCIDENT_NOTE_MAX, 'incident.note_too_long')
  .refine(isWellFormedText, 'incident.malformed_text')
  .refine((s) => !hasControlCharacters(s), 'incident.control_chars')
  .transform((s) => s.normalize('NFC').trim());

/** Who records: the cashier's id. */
const Actor = z
  .string()
  .min(1, 'incident.actor_required')
  .max(64, 'incident.actor_too_long')
  .refine((s) => isWellFormedText(s) && !hasControlCharacters(s), 'incident.control_chars')
  .transform((s) => s.normalize('NFC'));

const Cents = z.number().int().min(1, 'incident.gesture_value').max(1_000_000, 'incident.gesture_value');
const Reference = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$/, 'incident.reference');

export const Gesture = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('none') }),
  z.strictObject({ type: z.literal('apology') }),
  /** Credited at once, as a ledger adjustment naming the incident. */
  z.strictObject({ type: z.literal('points'), points: z.number().int().min(1, 'incident.gesture_value').max(100_000, 'incident.gesture_value') }),
  z.strictObject({ type: z.literal('voucher'), valueCents: Cents, reference: Reference }),
  /** A refund made at the till; its reference (the refund receipt) and what it gave back beyond what was owed. */
  z.strictObject({ type: z.literal('refund'), valueCents: Cents, reference: Reference }),
]);
export type Gesture = z.infer<typeof Gesture>;

export const IncidentRecordInput = z
  .strictObject({
    /** null: an anonymous customer; then the receipt says which purchase. */
    memberId: MemberId.nullable(),
    kind: IncidentKindSchema,
    severity: Severity,
    channel: IncidentChannelSchema.default('till'),
    tillId: TillId.nullable().default(null),
    receipt: ReceiptNumber.nullable().default(null),
    note: IncidentNote.nullable().default(null),
    recordedBy: Actor,
  })
  .refine((i) => i.memberId !== null || i.receipt !== null, { message: 'incident.receipt_required', path: ['receipt'] });
export type IncidentRecordInput = z.infer<typeof IncidentRecordInput>;

export const IncidentUpdateInput = z
  .strictObject({
    incidentId: IncidentId,
    kind: IncidentKindSchema.nullable().default(null),
    severity: Severity.nullable().default(null),
    note: IncidentNote.nullable().default(null),
    recordedBy: Actor,
  })
  .refine((i) => i.kind !== null || i.severity !== null || i.note !== null, { message: 'incident.nothing_to_update', path: ['kind'] });
export type IncidentUpdateInput = z.infer<typeof IncidentUpdateInput>;

export const IncidentResolveInput = z.strictObject({
  incidentId: IncidentId,
  outcome: IncidentOutcomeSchema,
  gesture: Gesture.default({ type: 'none' }),
  recordedBy: Actor,
  /** Needed above the cashier's limit per incident. */
  manager: ManagerApproval.nullable().default(null),
});
export type IncidentResolveInput = z.infer<typeof IncidentResolveInput>;

export const GOODWILL_PERIODS = ['day', 'week', 'month'] as const;

/** Per store, set at HQ; the default until HQ says otherwise is DEFAULT_GOODWILL. */
export const GoodwillPolicy = z.strictObject({
  period: z.enum(GOODWILL_PERIODS),
  budgetCents: z.number().int().min(0).max(100_000_000),
  cashierLimitCents: z.number().int().min(0).max(100_000_000),
});
export type GoodwillPolicy = z.infer<typeof GoodwillPolicy>;

export const DEFAULT_GOODWILL: GoodwillPolicy = { period: 'day', budgetCents: 5_000, cashierLimitCents: 1_000 };

export const GoodwillBudgetView = z.object({
  period: z.enum(GOODWILL_PERIODS),
  /** The store-local period: `2026-03-10`, `2026-W11`, `2026-03`. */
  periodKey: z.string(),
  budgetCents: z.number().int(),
  usedCents: z.number().int(),
  remainingCents: z.number().int(),
  cashierLimitCents: z.number().int(),
  /** What one point is worth as a gesture, from the programme's redemption value. */
  centsPerPoint: z.object({ cents: z.number().int(), points: z.number().int() }),
});
export type GoodwillBudgetView = z.infer<typeof GoodwillBudgetView>;

export const GestureView = z.object({
  type: z.enum(['none', 'apology', 'points', 'voucher', 'refund']),
  points: z.number().int().nullable(),
  valueCents: z.number().int(),
  reference: z.string().nullable(),
});

export const IncidentView = z.object({
  incidentId: IncidentId,
  memberId: MemberId.nullable(),
  kind: IncidentKindSchema,
  severity: z.number().int(),
  channel: IncidentChannelSchema.nullable(),
  tillId: z.string().nullable(),
  receipt: z.string().nullable(),
  recordedBy: z.string().nullable(),
  openedAt: Timestamp,
  status: z.enum(['open', 'resolved']),
  outcome: IncidentOutcomeSchema.nullable(),
  gesture: GestureView.nullable(),
  resolvedAt: Timestamp.nullable(),
  /** `local`: recorded on this terminal; `chain`: known from HQ (another store or terminal). */
  origin: z.enum(['local', 'chain']),
  /** Only on the terminal that took it, and only until it is erased. */
  note: z.string().nullable(),
});
export type IncidentView = z.infer<typeof IncidentView>;

const EntryRefView = z.object({ seq: z.number().int(), entryId: z.string(), kind: z.string(), entryHash: z.string() });

export const IncidentOutcomeView = z.object({
  incident: IncidentView,
  entry: EntryRefView,
  /** A points gesture: the adjustment written with the resolve. */
  adjustment: z.object({ points: z.number().int(), balanceAfter: z.number().int(), entry: EntryRefView }).nullable(),
  budget: GoodwillBudgetView,
});
export type IncidentOutcomeView = z.infer<typeof IncidentOutcomeView>;

export const HealthView = z.object({
  state: z.enum(HEALTH_STATES),
  load: z.number(),
  tolerance: z.number(),
  paramsVersion: z.string(),
  reason: z.object({ code: z.enum(['none', 'unresolved', 'recent']), count: z.number().int(), since: Timestamp.nullable(), fr: z.string(), en: z.string() }),
  /** At risk only; `points` at the programme's redemption value, capped by what is left of the budget. */
  suggestedGesture: z.object({ severity: z.number().int(), valueCents: z.number().int(), points: z.number().int() }).nullable(),
});

export const RelationshipView = z.object({
  memberId: MemberId,
  health: HealthView,
  /** Open incidents from every store HQ has heard of and this terminal, oldest first. */
  openIncidents: z.array(IncidentView),
  budget: GoodwillBudgetView,
});
export type RelationshipView = z.infer<typeof RelationshipView>;

/** Pushed to the cashier screen when an incident is recorded, updated or resolved (the survey's notice too). */
export const IncidentChanged = z.object({
  at: Timestamp,
  incidentId: IncidentId,
  memberId: MemberId.nullable(),
  change: z.enum(['recorded', 'updated', 'resolved']),
  channel: IncidentChannelSchema.nullable(),
});
