import type { Statement } from 'better-sqlite3';
import { z } from 'zod';
import { AppFailure, SURVEY_LOW_SCORE, type IncidentRecordInput, type SessionState, type SurveyAnswerInput, type SurveyAnswerView, type SurveyAsk } from '../../../shared/contract';
import type { Db } from '../db/database';
import type { Timers } from '../devices/reconnect';
import type { EventBus } from '../events';
import { uuidv7 } from '../ids';
import type { Clock, Random } from '../ports';
import type { SurveyAnswerRecord } from './survey-answer';

/**
 * When the customer screen asks « Comment s'est passé votre passage ? »
 * (issue 12, item 5). The terminal configuration's `survey`; absent, no
 * question is ever asked (the shipped resources/terminal.default.json turns it on).
 */
export const SurveySettings = z.strictObject({
  /** The share of committed sales followed by the question, 0 to 1. */
  sampleRate: z.number().min(0).max(1),
  /** A member is asked at most once in this many days (answered or not). */
  capDays: z.number().int().min(1).max(365).default(30),
  /** The question leaves the screen after this long, answered or not. */
  showMs: z.number().int().min(5_000).max(120_000).default(20_000),
});
export type SurveySettings = z.infer<typeof SurveySettings>;

export const SURVEY_OFF: SurveySettings = { sampleRate: 0, capDays: 30, showMs: 20_000 };

/** Who records a survey's incident: the customer, on the customer screen. */
export const SURVEY_RECORDER = 'customer-screen';

/** A score of 1 is a bad experience, 2 a disappointing one: the incident's severity, for the health model. */
export function surveySeverity(score: number): number {
  return score <= 1 ? 3 : 2;
}

const DAY_MS = 86_400_000;

export interface SaleForSurvey {
  memberId: string | null;
  tillId: string | null;
  receipt: string | null;
}

interface Pending extends SaleForSurvey {
  askId: string;
  step: 'score' | 'kind';
  /** The low score given, once given: it sets the severity of the incident its kind opens. */
  score: number | null;
  at: number;
  until: number;
  timer: unknown;
}

export interface SurveyDeps {
  db: Db;
  clock: Clock;
  random: Random;
  timers: Timers;
  bus: EventBus;
  settings: SurveySettings;
  /** Writes the score to the journal (ledger.incidents.surveyAnswer). */
  recordAnswer(answer: SurveyAnswerRecord): void;
  /** Opens the survey's incident and announces it to the cashier (the incident.record handler). */
  openIncident(input: IncidentRecordInput): { incident: { incidentId: string } };
  /** Whether the member may be addressed now across channels (offers/offers.ts contactAllowed); absent: always. */
  contactAllowed?(memberId: string, at: number): boolean;
}

function refused(code: 'conflict', message: string, key: string): AppFailure {
  return new AppFailure(code, message, [{ path: 'askId', message: key }]);
}

/**
 * One question at a time, never in the way: a new sale or the next customer
 * identified takes it off the screen, and so does its own timer. Whether to
 * ask is decided from injected randomness and the member's last ask, so tests
 * pick the outcome.
 */
export class SurveyPolicy {
  private pending: Pending | null = null;
  private readonly s: {
    lastAsked: Statement<[string], { asked_at: number }>;
    asked: Statement<[string, number]>;
  };

  constructor(private readonly deps: SurveyDeps) {
    this.s = {
      lastAsked: deps.db.prepare('SELECT asked_at FROM survey_asked WHERE member_id = ?'),
      asked: deps.db.prepare('INSERT INTO survey_asked (member_id, asked_at) VALUES (?, ?) ON CONFLICT (member_id) DO UPDATE SET asked_at = excluded.asked_at'),
    };
    deps.bus.subscribe((name, payload) => {
      if (name === 'session.changed') this.sessionChanged(payload as SessionState);
    });
  }

  /** The question on screen now, for a customer screen that (re)loads. */
  current(): SurveyAsk | null {
    const p = this.pending;
    return p ? { askId: p.askId, at: p.at, until: p.until } : null;
  }

  /** A sale was committed: ask about it, or not. Returns the question when one is asked. */
  afterSale(sale: SaleForSurvey): SurveyAsk | null {
    const { deps } = this;
    // A question about an earlier sale is stale once another one is committed.
    if (this.pending) this.close('next_customer');
    const now = deps.clock.now();
    if (sale.memberId !== null) {
      const last = this.s.lastAsked.get(sale.memberId)?.asked_at;
      if (last !== undefined && now - last < deps.settings.capDays * DAY_MS) return null;
      // « Moins de sollicitations », or the week's or month's contacts spent on offers: a question is one more.
      if (deps.contactAllowed && !deps.contactAllowed(sale.memberId, now)) return null;
    }
    if (!this.sampled()) return null;
    // Anonymous customers leave no trace: nothing to cap them by.
    if (sale.memberId !== null) this.s.asked.run(sale.memberId, now);
    const askId = uuidv7(deps.clock, deps.random);
    this.pending = { ...sale, askId, step: 'score', score: null, at: now, until: now + deps.settings.showMs, timer: this.timeout(askId) };
    const ask = this.current()!;
    deps.bus.emit('survey.ask', ask);
    return ask;
  }

  answer(input: SurveyAnswerInput): SurveyAnswerView {
    const pending = this.pending;
    if (!pending || pending.askId !== input.askId) throw refused('conflict', 'this question is no longer on screen', 'survey.closed');
    if ('score' in input) {
      if (pending.step !== 'score') throw refused('conflict', 'this question was already answered', 'survey.already_answered');
      this.deps.recordAnswer({ memberId: pending.memberId, score: input.score, tillId: pending.tillId, receipt: pending.receipt });
      // An incident needs a member or a receipt to name the purchase.
      if (input.score <= SURVEY_LOW_SCORE && (pending.memberId !== null || pending.receipt !== null)) {
        // The second question gets its own time on screen.
        this.deps.timers.clearTimeout(pending.timer);
        const now = this.deps.clock.now();
        this.pending = { ...pending, step: 'kind', score: input.score, until: now + this.deps.settings.showMs, timer: this.timeout(pending.askId) };
        return { next: 'kind', incidentId: null };
      }
      this.close('answered');
      return { next: 'thanks', incidentId: null };
    }
    if (pending.step !== 'kind') throw refused('conflict', 'the score comes first', 'survey.score_first');
    const { incident } = this.deps.openIncident({
      memberId: pending.memberId,
      kind: input.kind,
      severity: surveySeverity(pending.score ?? SURVEY_LOW_SCORE),
      channel: 'survey',
      tillId: pending.tillId,
      receipt: pending.receipt,
      note: null,
      recordedBy: SURVEY_RECORDER,
    });
    this.close('answered');
    return { next: 'thanks', incidentId: incident.incidentId };
  }

  /** The terminal stops: no timer left behind. */
  stop(): void {
    if (this.pending) this.deps.timers.clearTimeout(this.pending.timer);
    this.pending = null;
  }

  private sessionChanged(state: SessionState): void {
    const pending = this.pending;
    if (!pending) return;
    // The next customer at the till (or joining): the last one's question goes.
    const other =
      state.phase === 'enrolling' || ((state.phase === 'identified' || state.phase === 'enrolled') && state.memberId !== pending.memberId);
    if (other) this.close('next_customer');
  }

  private sampled(): boolean {
    const { sampleRate } = this.deps.settings;
    if (sampleRate <= 0) return false;
    if (sampleRate >= 1) return true;
    const b = this.deps.random.bytes(4);
    const draw = (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
    return draw / 2 ** 32 < sampleRate;
  }

  private timeout(askId: string): unknown {
    return this.deps.timers.setTimeout(() => {
      if (this.pending?.askId === askId) this.close('timeout');
    }, this.deps.settings.showMs);
  }

  private close(reason: 'answered' | 'timeout' | 'next_customer'): void {
    const pending = this.pending;
    if (!pending) return;
    this.deps.timers.clearTimeout(pending.timer);
    this.pending = null;
    this.deps.bus.emit('survey.closed', { askId: pending.askId, reason });
  }
}
