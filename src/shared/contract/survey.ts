import { z } from 'zod';
import { IncidentKindSchema } from './incidents';
import { Timestamp } from './schemas';

/**
 * The satisfaction question on the customer screen (issue 12, item 5): asked
 * after a committed sale when the core's survey policy says so
 * (core/incidents/survey.ts), answered by the customer window only.
 */
export const SURVEY_SCORES = [1, 2, 3, 4, 5] as const;
/** At or below this score the screen asks what went wrong, and the answer opens an incident. */
export const SURVEY_LOW_SCORE = 2;

const AskId = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'survey.ask_id');
const Score = z.number().int('survey.score').min(1, 'survey.score').max(5, 'survey.score');

export const SurveyAnswerInput = z.union([
  /** The face the customer touched. */
  z.strictObject({ askId: AskId, score: Score }),
  /** After a low score: what went wrong, as one of the incident kinds. */
  z.strictObject({ askId: AskId, kind: IncidentKindSchema }),
]);
export type SurveyAnswerInput = z.infer<typeof SurveyAnswerInput>;

export const SurveyAnswerView = z.object({
  /** `kind`: ask what went wrong next; `thanks`: done. */
  next: z.enum(['kind', 'thanks']),
  /** The incident a low score's kind opened. */
  incidentId: z.string().nullable(),
});
export type SurveyAnswerView = z.infer<typeof SurveyAnswerView>;

/** The customer screen shows the question until `until` (or until it is closed). */
export const SurveyAsk = z.object({ askId: AskId, at: Timestamp, until: Timestamp });
export type SurveyAsk = z.infer<typeof SurveyAsk>;

export const SurveyClosed = z.object({
  askId: AskId,
  reason: z.enum(['answered', 'timeout', 'next_customer']),
});
