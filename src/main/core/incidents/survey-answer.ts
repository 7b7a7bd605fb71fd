import type { LedgerContext } from '../ledger/context';
import { uuidv7 } from '../ids';

export interface SurveyAnswerRecord {
  /** Null: an anonymous customer, counted only. */
  memberId: string | null;
  score: number;
  /** The sale it follows; never kept for an anonymous customer. */
  tillId: string | null;
  receipt: string | null;
}

/**
 * A satisfaction score as a `survey_answer` journal entry (no postings), so
 * it reaches HQ gapless and chained under the push's cursor like every other
 * entry. An anonymous answer carries the score and nothing else: no member,
 * no receipt that could lead back to a purchase.
 */
export function appendSurveyAnswer(ctx: LedgerContext, answer: SurveyAnswerRecord): { entryId: string; seq: number } {
  const anonymous = answer.memberId === null;
  return ctx.write(() => {
    const entry = ctx.journal.append({
      kind: 'survey_answer',
      groupId: uuidv7(ctx.clock, ctx.random),
      memberId: answer.memberId,
      tillId: anonymous ? null : answer.tillId,
      receipt: anonymous ? null : answer.receipt,
      postings: [],
      detail: { score: answer.score },
    });
    return { entryId: entry.entryId, seq: entry.seq };
  });
}
