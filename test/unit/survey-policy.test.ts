import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventName, IncidentRecordInput, SessionState } from '../../src/shared/contract';
import { openDatabase, type Db } from '../../src/main/core/db/database';
import type { Timers } from '../../src/main/core/devices/reconnect';
import { EventBus } from '../../src/main/core/events';
import type { SurveyAnswerRecord } from '../../src/main/core/incidents/survey-answer';
import { SURVEY_RECORDER, SurveyPolicy, SurveySettings } from '../../src/main/core/incidents/survey';
import type { Random } from '../../src/main/core/ports';

const DAY = 86_400_000;
const CLAIRE = '0193a0b0-0000-7000-8000-000000000001';
const HELENE = '0193a0b0-0000-7000-8000-000000000002';

/** Timers the test runs by hand: `advance` fires what is due. */
function manualTimers(clock: { now: number }): Timers & { advance(ms: number): void; pending(): number } {
  let id = 0;
  const due = new Map<number, { at: number; fn: () => void }>();
  return {
    setTimeout(fn, ms) {
      due.set(++id, { at: clock.now + ms, fn });
      return id;
    },
    clearTimeout(handle) {
      due.delete(handle as number);
    },
    advance(ms) {
      clock.now += ms;
      for (const [key, t] of [...due]) {
        if (t.at <= clock.now) {
          due.delete(key);
          t.fn();
        }
      }
    },
    pending: () => due.size,
  };
}

/** Randomness whose draws the test chooses: each value in [0, 1) becomes the next 4 bytes of the sampling draw. */
function scriptedRandom(draws: number[]): Random {
  let counter = 0;
  return {
    bytes(count) {
      // The ask id takes 10 bytes; a 4-byte request is the sampling draw.
      if (count !== 4) return Uint8Array.from({ length: count }, () => ++counter % 256);
      const value = Math.floor((draws.shift() ?? 0.999) * 2 ** 32) >>> 0;
      return Uint8Array.from([value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, value >>> 24]);
    },
  };
}

let db: Db;
let clock: { now: number };
let timers: ReturnType<typeof manualTimers>;
let bus: EventBus;
let events: Array<{ name: EventName; payload: unknown }>;
let answers: SurveyAnswerRecord[];
let incidents: IncidentRecordInput[];

function policy(settings: Partial<SurveySettings> = {}, draws: number[] = []): SurveyPolicy {
  return new SurveyPolicy({
    db,
    clock: { now: () => clock.now },
    random: scriptedRandom(draws),
    timers,
    bus,
    settings: SurveySettings.parse({ sampleRate: 1, ...settings }),
    recordAnswer: (a) => answers.push(a),
    openIncident: (input) => {
      incidents.push(input);
      return { incident: { incidentId: `inc-${incidents.length}` } };
    },
  });
}

const sale = (memberId: string | null, receipt = 'M-0001') => ({ memberId, tillId: 'manual', receipt });
const named = (name: EventName) => events.filter((e) => e.name === name).map((e) => e.payload);

beforeEach(() => {
  db = openDatabase(':memory:');
  clock = { now: Date.UTC(2026, 2, 10, 9) };
  timers = manualTimers(clock);
  bus = new EventBus();
  events = [];
  bus.subscribe((name, payload) => events.push({ name, payload }));
  answers = [];
  incidents = [];
});
afterEach(() => db.close());

describe('the survey policy: when the customer screen asks', () => {
  it('samples with the injected randomness: a draw under the rate asks, one above does not', () => {
    const survey = policy({ sampleRate: 0.25 }, [0.3, 0.2]);
    expect(survey.afterSale(sale(CLAIRE))).toBeNull();
    expect(named('survey.ask')).toEqual([]);
    // Not asked, so not capped: the next sale draws again.
    const ask = survey.afterSale(sale(CLAIRE, 'M-0002'));
    expect(ask).toMatchObject({ at: clock.now, until: clock.now + 20_000 });
    expect(named('survey.ask')).toEqual([ask]);
  });

  it('is off at rate 0 and when the configuration has no survey', () => {
    const survey = policy({ sampleRate: 0 });
    for (let i = 0; i < 20; i++) expect(survey.afterSale(sale(null, `M-${i}`))).toBeNull();
    expect(named('survey.ask')).toEqual([]);
  });

  it('asks a member at most once in 30 days, answered or not; another member is asked meanwhile', () => {
    const survey = policy();
    const first = survey.afterSale(sale(CLAIRE))!;
    timers.advance(20_000);
    expect(named('survey.closed')).toEqual([{ askId: first.askId, reason: 'timeout' }]);
    clock.now += 29 * DAY;
    expect(survey.afterSale(sale(CLAIRE, 'M-0002'))).toBeNull();
    expect(survey.afterSale(sale(HELENE, 'M-0003'))).not.toBeNull();
    clock.now += 1 * DAY;
    expect(survey.afterSale(sale(CLAIRE, 'M-0004'))).not.toBeNull();
  });

  it('keeps the cap configurable', () => {
    const survey = policy({ capDays: 7 });
    survey.afterSale(sale(CLAIRE));
    clock.now += 7 * DAY;
    expect(survey.afterSale(sale(CLAIRE, 'M-0002'))).not.toBeNull();
  });

  it('goes after 20 s unanswered, records nothing, and a late answer is refused', () => {
    const survey = policy();
    const ask = survey.afterSale(sale(CLAIRE))!;
    timers.advance(19_999);
    expect(named('survey.closed')).toEqual([]);
    timers.advance(1);
    expect(named('survey.closed')).toEqual([{ askId: ask.askId, reason: 'timeout' }]);
    expect(() => survey.answer({ askId: ask.askId, score: 5 })).toThrow(expect.objectContaining({ code: 'conflict', issues: [{ path: 'askId', message: 'survey.closed' }] }));
    expect(answers).toEqual([]);
    expect(timers.pending()).toBe(0);
  });

  it('never blocks the next customer: another member identified, or an enrolment, takes the question away', () => {
    const survey = policy();
    const ask = survey.afterSale(sale(CLAIRE))!;
    // The same member's balance refreshing on screen is not the next customer.
    bus.emit('session.changed', identified(CLAIRE));
    expect(survey.current()).toEqual(ask);
    bus.emit('session.changed', identified(HELENE));
    expect(survey.current()).toBeNull();
    expect(named('survey.closed')).toEqual([{ askId: ask.askId, reason: 'next_customer' }]);
    expect(timers.pending()).toBe(0);

    const anonymous = survey.afterSale(sale(null, 'T-9'))!;
    bus.emit('session.changed', { phase: 'enrolling', since: clock.now, startedBy: 'cashier', presetCardNumber: null });
    expect(named('survey.closed')).toContainEqual({ askId: anonymous.askId, reason: 'next_customer' });
  });

  it('a new sale replaces a question still on screen', () => {
    const survey = policy();
    const first = survey.afterSale(sale(null, 'T-1'))!;
    const second = survey.afterSale(sale(null, 'T-2'))!;
    expect(named('survey.closed')).toEqual([{ askId: first.askId, reason: 'next_customer' }]);
    expect(survey.current()).toEqual(second);
  });

  it('a good score is recorded and closes the question', () => {
    const survey = policy();
    const ask = survey.afterSale(sale(CLAIRE))!;
    expect(survey.answer({ askId: ask.askId, score: 4 })).toEqual({ next: 'thanks', incidentId: null });
    expect(answers).toEqual([{ memberId: CLAIRE, score: 4, tillId: 'manual', receipt: 'M-0001' }]);
    expect(named('survey.closed')).toEqual([{ askId: ask.askId, reason: 'answered' }]);
    expect(() => survey.answer({ askId: ask.askId, score: 4 })).toThrow(expect.objectContaining({ code: 'conflict' }));
    expect(answers).toHaveLength(1);
  });

  it('a low score asks what went wrong, with its own 20 s; the kind opens a survey incident sized by the score', () => {
    const survey = policy();
    const ask = survey.afterSale(sale(CLAIRE))!;
    timers.advance(15_000);
    expect(survey.answer({ askId: ask.askId, score: 1 })).toEqual({ next: 'kind', incidentId: null });
    expect(answers).toEqual([{ memberId: CLAIRE, score: 1, tillId: 'manual', receipt: 'M-0001' }]);
    // The score cannot be given twice, and the kind cannot come before it.
    expect(() => survey.answer({ askId: ask.askId, score: 5 })).toThrow(expect.objectContaining({ issues: [{ path: 'askId', message: 'survey.already_answered' }] }));
    timers.advance(15_000);
    expect(survey.current()).not.toBeNull();
    expect(survey.answer({ askId: ask.askId, kind: 'waiting_time' })).toEqual({ next: 'thanks', incidentId: 'inc-1' });
    expect(incidents).toEqual([
      { memberId: CLAIRE, kind: 'waiting_time', severity: 3, channel: 'survey', tillId: 'manual', receipt: 'M-0001', note: null, recordedBy: SURVEY_RECORDER },
    ]);
    expect(named('survey.closed')).toEqual([{ askId: ask.askId, reason: 'answered' }]);
  });

  it('a low score left without a kind is counted and opens nothing when the time is up', () => {
    const survey = policy();
    const ask = survey.afterSale(sale(CLAIRE))!;
    survey.answer({ askId: ask.askId, score: 2 });
    timers.advance(20_000);
    expect(named('survey.closed')).toEqual([{ askId: ask.askId, reason: 'timeout' }]);
    expect(answers).toHaveLength(1);
    expect(incidents).toEqual([]);
  });

  it('the kind before any score is refused', () => {
    const survey = policy();
    const ask = survey.afterSale(sale(CLAIRE))!;
    expect(() => survey.answer({ askId: ask.askId, kind: 'other' })).toThrow(expect.objectContaining({ issues: [{ path: 'askId', message: 'survey.score_first' }] }));
    expect(incidents).toEqual([]);
  });

  it('an anonymous customer is sampled without a trace: no cap row, asked again at once', () => {
    const survey = policy();
    survey.afterSale(sale(null, 'T-1'));
    expect(survey.afterSale(sale(null, 'T-2'))).not.toBeNull();
    expect(db.prepare('SELECT count(*) AS n FROM survey_asked').get()).toEqual({ n: 0 });
  });
});

function identified(memberId: string): SessionState {
  return {
    phase: 'identified',
    since: clock.now,
    memberId,
    greeting: { firstName: 'X', cardNumber: '2999000000018', balance: 0, nextReward: null },
  } as SessionState;
}
