import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { roleReceives, type EventName, type MethodName, type Result, type Role, type SurveyAsk } from '../../src/shared/contract';
import { createCore, type Core } from '../../src/main/core/core';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import { insertKnownMembers, testConfig, type KnownMembers } from '../fakes/known-members';

let dir: string;
let core: Core;
let known: KnownMembers;
let events: Array<{ name: EventName; payload: unknown }>;

async function call(role: Role, method: MethodName, input: unknown): Promise<Result<unknown>> {
  return core.dispatch(role, method, input);
}

async function ok<T>(role: Role, method: MethodName, input: unknown): Promise<T> {
  const result = await call(role, method, input);
  if (!result.ok) throw new Error(`${method} failed: ${JSON.stringify(result.error)}`);
  return result.value as T;
}

const sale = (memberId: string) => ({ memberId, lines: [{ category: 'grocery', taxRateBp: 550, amountCents: 2_000 }], redeemPoints: 0 });
const asks = () => events.filter((e) => e.name === 'survey.ask').map((e) => e.payload as SurveyAsk);
const journal = () =>
  core.db.prepare("SELECT member_id, till_id, receipt, detail FROM ledger_entry WHERE kind = 'survey_answer' ORDER BY seq").all() as Array<{
    member_id: string | null;
    till_id: string | null;
    receipt: string | null;
    detail: string;
  }>;

function open(survey: Record<string, unknown> | undefined): Promise<void> {
  dir = mkdtempSync(join(tmpdir(), 'fidele-survey-'));
  core = createCore({
    dbPath: join(dir, 'terminal.sqlite'),
    config: testConfig(survey ? { survey: survey as never } : {}),
    shell: 'browser',
    clock: { now: () => Date.UTC(2026, 2, 10, 9) },
    random: seededRandom(1),
    logger: silentLogger,
    validateOutput: true,
  });
  known = insertKnownMembers(core.members);
  events = [];
  core.bus.subscribe((name, payload) => events.push({ name, payload }));
  return core.start();
}

afterEach(async () => {
  await core.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the survey through the core', () => {
  beforeEach(() => open({ sampleRate: 1 }));

  it('a committed sale asks the customer screen; only the customer window receives it and may answer', async () => {
    const committed = await ok<{ receipt: string }>('cashier', 'ledger.manualCommit', sale(known.claire.id));
    const [ask] = asks();
    expect(ask).toBeDefined();
    expect(roleReceives('customer', 'survey.ask')).toBe(true);
    expect(roleReceives('cashier', 'survey.ask')).toBe(false);

    // The cashier may not answer for the customer: refused, nothing written.
    const refused = await call('cashier', 'survey.answer', { askId: ask!.askId, score: 5 });
    expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(journal()).toEqual([]);

    await expect(ok('customer', 'survey.answer', { askId: ask!.askId, score: 5 })).resolves.toEqual({ next: 'thanks', incidentId: null });
    expect(journal()).toEqual([{ member_id: known.claire.id, till_id: 'manual', receipt: committed.receipt, detail: '{"score":5}' }]);
    expect(core.ledger.verifyChain().ok).toBe(true);
  });

  it('bad input is refused with a clear message and writes nothing', async () => {
    await ok('cashier', 'ledger.manualCommit', sale(known.claire.id));
    const [ask] = asks();
    for (const input of [{ askId: ask!.askId, score: 0 }, { askId: ask!.askId, score: 6 }, { askId: ask!.askId, score: 2.5 }, { askId: ask!.askId, kind: 'rude' }, { askId: 'x', score: 3 }]) {
      const result = await call('customer', 'survey.answer', input);
      expect(result).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    }
    expect(journal()).toEqual([]);
  });

  it('a low score and a kind open a survey incident the cashier hears of; the member is asked no more this month', async () => {
    await ok('cashier', 'ledger.manualCommit', sale(known.claire.id));
    const [ask] = asks();
    await expect(ok('customer', 'survey.answer', { askId: ask!.askId, score: 1 })).resolves.toEqual({ next: 'kind', incidentId: null });
    const done = await ok<{ incidentId: string }>('customer', 'survey.answer', { askId: ask!.askId, kind: 'waiting_time' });
    const changed = events.find((e) => e.name === 'incident.changed');
    expect(changed?.payload).toMatchObject({ incidentId: done.incidentId, memberId: known.claire.id, change: 'recorded', channel: 'survey' });
    expect(roleReceives('cashier', 'incident.changed')).toBe(true);
    const relationship = core.ledger.incidents.relationship(known.claire.id);
    expect(relationship.openIncidents).toMatchObject([{ incidentId: done.incidentId, kind: 'waiting_time', severity: 3, channel: 'survey', recordedBy: 'customer-screen' }]);

    await ok('cashier', 'ledger.manualCommit', sale(known.claire.id));
    expect(asks()).toHaveLength(1);
  });

  it('an anonymous answer is counted with the score alone: no member, no till, no receipt', async () => {
    const ask = core.survey.afterSale({ memberId: null, tillId: 'till-1', receipt: 'T-0042' })!;
    await ok('customer', 'survey.answer', { askId: ask.askId, score: 3 });
    expect(journal()).toEqual([{ member_id: null, till_id: null, receipt: null, detail: '{"score":3}' }]);
    expect(core.db.prepare('SELECT count(*) AS n FROM survey_asked').get()).toEqual({ n: 0 });
  });
});

describe('the survey among the other contacts (issue 16 item 5)', () => {
  beforeEach(() => open({ sampleRate: 1 }));

  it('does not ask a member who said « moins de sollicitations » on the customer screen', async () => {
    await ok('cashier', 'member.select', { memberId: known.claire.id });
    await ok('customer', 'offers.fewerContacts', { on: true });
    await ok('cashier', 'ledger.manualCommit', sale(known.claire.id));
    expect(asks()).toEqual([]);
    expect(core.db.prepare('SELECT count(*) AS n FROM survey_asked').get()).toEqual({ n: 0 });
    // Another member is asked as before.
    await ok('cashier', 'ledger.manualCommit', sale(known.helene.id));
    expect(asks()).toHaveLength(1);
  });

  it('does not ask a member whose week of contacts the offers already spent', async () => {
    const now = Date.UTC(2026, 2, 10, 9);
    const shown = core.db.prepare("INSERT INTO offer_contact (member_id, rule_id, shown_at) VALUES (?, 'cours-cuisine', ?)");
    // The default caps: three contacts a week.
    for (const daysAgo of [1, 2, 3]) shown.run(known.claire.id, now - daysAgo * 86_400_000);
    for (const daysAgo of [1, 2]) shown.run(known.helene.id, now - daysAgo * 86_400_000);
    await ok('cashier', 'ledger.manualCommit', sale(known.claire.id));
    expect(asks()).toEqual([]);
    await ok('cashier', 'ledger.manualCommit', sale(known.helene.id));
    expect(asks()).toHaveLength(1);
  });
});

describe('without a survey in the configuration', () => {
  beforeEach(() => open(undefined));

  it('never asks', async () => {
    await ok('cashier', 'ledger.manualCommit', sale(known.claire.id));
    expect(asks()).toEqual([]);
  });
});
