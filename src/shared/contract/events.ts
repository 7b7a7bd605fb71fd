import { z } from 'zod';
import type { Role } from './roles';
import { PointsMoved } from './ledger-views';
import { IncidentChanged } from './incidents';
import { SurveyAsk, SurveyClosed } from './survey';
import { OffersShown } from './offers';
import { PrivacySelfEvent } from './privacy-self';
import { BenefitsChanged } from './benefits';
import { SyncStatusView } from './sync-views';
import { UpdateStatusView } from '../updates/status-view';
import { DeviceInfo, IdentifyResult, MemberId, NfcPairingOutcome, SessionState, Timestamp } from './schemas';

export interface EventSpec<P extends z.ZodType = z.ZodType> {
  roles: readonly Role[];
  payload: P;
}

function event<P extends z.ZodType>(spec: EventSpec<P>): EventSpec<P> {
  return spec;
}

/** Pushes from the main process to the windows, each delivered only to the roles listed. */
export const events = {
  /** The customer display changed phase: idle, greeting, enrolling, enrolled. */
  'session.changed': event({ roles: ['cashier', 'customer'], payload: SessionState }),
  /** A device read something and the core decided what it was. */
  'scan.read': event({
    roles: ['cashier'],
    payload: z.object({
      at: Timestamp,
      deviceId: z.string(),
      result: IdentifyResult.or(z.object({ kind: z.literal('ignored'), reason: z.enum(['enrolling', 'duplicate']) })),
      /** A product's barcode as read, for the manual sale to look up (never a card's number: that is the member's). */
      productCode: z.string().max(14).optional(),
    }),
  }),
  /** A friend's referral QR read at the till while a customer enrols: the customer screen fills it in (issue 16 item 1). */
  'enrolment.referral': event({ roles: ['customer'], payload: z.object({ at: Timestamp, code: z.string().max(40) }) }),
  /** Something a screen should tell its user, as a message key it translates. */
  notice: event({
    roles: ['cashier', 'customer'],
    payload: z.object({
      level: z.enum(['info', 'warning', 'error']),
      key: z.string(),
      at: Timestamp,
      /** `cashier`: about the till's own work (a product barcode scanned), not for the customer's screen. */
      audience: z.enum(['all', 'cashier']).default('all'),
    }),
  }),
  /** An incident was recorded, updated or resolved here (the cashier's badge and notice follow it). */
  'incident.changed': event({ roles: ['cashier'], payload: IncidentChanged }),
  /** After a sale, the customer screen asks how it went (core/incidents/survey.ts); never the cashier's. */
  'survey.ask': event({ roles: ['customer'], payload: SurveyAsk }),
  /** The question goes away: answered, timed out, or the next customer is at the till. */
  'survey.closed': event({ roles: ['customer'], payload: SurveyClosed }),
  /** The offers for the member on the customer screen changed (core/offers/screen-offers.ts); an empty list clears them. */
  'offers.shown': event({ roles: ['customer'], payload: OffersShown }),
  /** A member's bookings or membership changed (core/benefits): both screens read the list again. */
  'benefits.changed': event({ roles: ['cashier', 'customer'], payload: BenefitsChanged }),
  /** Self-service privacy moved on for the member shown (issue 17 item 2): the customer screen follows a start from the till. */
  'privacy.self': event({ roles: ['cashier', 'customer'], payload: PrivacySelfEvent }),
  /** A member's points moved (sale, refund, adjustment): the customer sees them arrive. */
  'points.moved': event({ roles: ['cashier', 'customer'], payload: PointsMoved }),
  'device.changed': event({ roles: ['cashier', 'simulator'], payload: DeviceInfo }),
  /** The tap that followed nfc.pair: paired, or why not. */
  'nfc.pairing': event({
    roles: ['cashier'],
    payload: z.object({ at: Timestamp, memberId: MemberId, uid: z.string().nullable(), outcome: NfcPairingOutcome }),
  }),
  /** The link with HQ changed: state, backlog, progress while catching up. */
  'sync.changed': event({ roles: ['cashier'], payload: SyncStatusView }),
  /** The terminal's update moved: state, download progress, what the install waits for (src/shared/updates/status-view.ts). */
  'updates.changed': event({ roles: ['cashier'], payload: UpdateStatusView }),
} as const satisfies Record<string, EventSpec>;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]['payload']>;

export const EVENT_NAMES = Object.keys(events) as EventName[];

export function isEventName(value: unknown): value is EventName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(events, value);
}

export function roleReceives(role: Role, name: EventName): boolean {
  return (events[name].roles as readonly Role[]).includes(role);
}
