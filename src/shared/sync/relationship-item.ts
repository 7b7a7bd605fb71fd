import { z } from 'zod';
import { INCIDENT_CHANNELS, INCIDENT_KINDS, INCIDENT_OUTCOMES } from '../domain/relationship-health';

/**
 * What HQ sends a store about its members' incidents, in the store bucket
 * (protocol.ts): key `relationship:<memberId>` → MemberRelationshipItem, the
 * member's incident facts from every store and their chain-wide visits; key
 * `goodwill` → the store's GoodwillPolicy (contract/incidents.ts). The same
 * fact shape is what a terminal keeps for its own incidents (incident_fact).
 */
const Time = z.number().int().nonnegative();
const EntryId = z.string().min(1).max(64);
/** The terminal whose journal holds the fact. */
const Origin = { entryId: EntryId, incidentId: z.string().min(1).max(64), at: Time, terminalId: z.string().max(64) };

export const IncidentFactWire = z.discriminatedUnion('type', [
  z.strictObject({
    ...Origin,
    type: z.literal('open'),
    kind: z.enum(INCIDENT_KINDS),
    severity: z.number().int().min(1).max(5),
    channel: z.enum(INCIDENT_CHANNELS),
    tillId: z.string().max(64).nullable(),
    receipt: z.string().max(64).nullable(),
  }),
  z.strictObject({
    ...Origin,
    type: z.literal('update'),
    kind: z.enum(INCIDENT_KINDS).nullable(),
    severity: z.number().int().min(1).max(5).nullable(),
  }),
  z.strictObject({ ...Origin, type: z.literal('resolve'), outcome: z.enum(INCIDENT_OUTCOMES) }),
]);
export type IncidentFactWire = z.infer<typeof IncidentFactWire>;

export const MAX_RELATIONSHIP_FACTS = 500;

export const MemberRelationshipItem = z.strictObject({
  memberId: z.string().min(1).max(64),
  /** Sales in every store over the 12 months before HQ built this item. */
  visits12m: z.number().int().nonnegative(),
  facts: z.array(IncidentFactWire).max(MAX_RELATIONSHIP_FACTS),
});
export type MemberRelationshipItem = z.infer<typeof MemberRelationshipItem>;

export const relationshipKey = (memberId: string): string => `relationship:${memberId}`;
