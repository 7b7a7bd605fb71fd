import { z } from 'zod';
import { SEGMENTS } from './value-config';

/**
 * What a store's terminals learn of a member's value (the store bucket's
 * `value:<memberId>` item): the segment, P(alive) and the last visit, never a
 * euro amount. Only members who agreed to profiling have one.
 */
const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

export const MemberValueHint = z.strictObject({
  memberId: z.string().min(1).max(64),
  segment: z.enum(SEGMENTS),
  /** P(alive) in whole percent: a signed pull carries integers only. */
  pAlivePercent: z.number().int().min(0).max(100),
  /** The member's last visit anywhere in the chain, as HQ knew it at the run. */
  lastVisitOn: Day,
  scoredOn: Day,
  /** For a lapsed member: the gesture the cashier may offer on their return. */
  welcomeBack: z.strictObject({ fr: z.string().min(1).max(120), en: z.string().min(1).max(120) }).nullable(),
});
export type MemberValueHint = z.infer<typeof MemberValueHint>;

export const VALUE_HINT_PREFIX = 'value:';
export const valueHintKey = (memberId: string) => `${VALUE_HINT_PREFIX}${memberId}`;
