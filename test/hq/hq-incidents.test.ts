import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHq, staffClient, TestTerminal, type StaffClient, type TestHq } from './hq-fixture';

/**
 * HQ's customer-incident report and a member's timeline (issue 12, item 7),
 * over real HTTP, from incidents recorded on two terminals' ledgers and
 * pushed through the real sync path.
 */
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// Wednesday 18 November 2026, 10:00 in Paris: ISO week 2026-W47. A week later is W48.
const W47 = Date.UTC(2026, 10, 18, 9, 0);
const W48 = W47 + 7 * DAY;

let hq: TestHq;
let paris: TestTerminal;
let lyon: TestTerminal;
let claire: string;
let helene: string;
const ids: Record<string, string> = {};

function at(t: TestTerminal, ms: number): void {
  t.harness.clock.value = ms;
  t.harness.mono.value = ms;
}

function open(t: TestTerminal, name: string, when: number, memberId: string, kind: string, severity = 3): void {
  at(t, when);
  ids[name] = t.harness.ledger.incidents.record({ memberId, kind, severity, recordedBy: 'caissier-7', note: 'Pas de note à HQ', tillId: 'till-1', receipt: `R-${name}` }).incident.incidentId;
}

function resolve(t: TestTerminal, name: string, when: number, outcome: string): void {
  at(t, when);
  t.harness.ledger.incidents.resolve({ incidentId: ids[name], outcome, recordedBy: 'caissier-7' });
}

function score(t: TestTerminal, when: number, memberId: string | null, value: number): void {
  at(t, when);
  t.harness.ledger.incidents.surveyAnswer({ memberId, score: value, tillId: 'till-1', receipt: 'R-survey' });
}

async function push(t: TestTerminal): Promise<void> {
  t.sync();
  const answer = await hq.post('/v1/push', t.batch(1, t.wire.length, { headSeq: t.wire.length }));
  expect(answer.status, JSON.stringify(answer.json)).toBe(200);
}

beforeAll(async () => {
  hq = await startTestHq();
  paris = new TestTerminal('t-paris', 'paris-01');
  lyon = new TestTerminal('t-lyon', 'lyon-01');
  await paris.enrol(hq);
  await lyon.enrol(hq);
  claire = paris.members.claire.id;
  helene = paris.members.helene.id;
  expect(lyon.members.claire.id).toBe(claire);

  // Paris, W47: a billing error resolved well in 2 h, a wait resolved poorly in 6 h; W48: a defect still open.
  open(paris, 'bill', W47, claire, 'billing_error');
  open(paris, 'wait', W47 + HOUR, claire, 'waiting_time', 2);
  resolve(paris, 'bill', W47 + 2 * HOUR, 'well_resolved');
  resolve(paris, 'wait', W47 + 7 * HOUR, 'poorly_resolved');
  score(paris, W47 + 8 * HOUR, claire, 5);
  score(paris, W47 + 9 * HOUR, null, 2);
  open(paris, 'defect', W48, helene, 'product_defect', 4);
  score(paris, W48 + HOUR, helene, 3);
  // Lyon, W47: the same customer, a defect the customer declined any gesture for, after 3 h.
  open(lyon, 'lyon', W47 + DAY, claire, 'product_defect');
  resolve(lyon, 'lyon', W47 + DAY + 3 * HOUR, 'declined');
  score(lyon, W47 + DAY + 4 * HOUR, claire, 4);
  await push(paris);
  await push(lyon);
}, 60_000);

afterAll(async () => {
  paris.close();
  lyon.close();
  await hq.stop();
});

const RANGE = 'from=2026-11-16&to=2026-11-29';

describe('GET /v1/incidents/summary', () => {
  let marketing: StaffClient;
  beforeAll(async () => {
    marketing = await staffClient(hq, 'marketing');
  }, 30_000);

  it('counts incidents by kind and ISO week, outcomes, the median time to resolve and the weekly scores', async () => {
    const answer = await marketing.get(`/v1/incidents/summary?${RANGE}`);
    expect(answer.status).toBe(200);
    const s = answer.json;
    expect(s.weeks).toEqual(['2026-W47', '2026-W48']);
    expect(s.total).toBe(4);
    expect(s.byKindWeek).toEqual([
      { week: '2026-W47', kind: 'billing_error', count: 1 },
      { week: '2026-W47', kind: 'product_defect', count: 1 },
      { week: '2026-W47', kind: 'waiting_time', count: 1 },
      { week: '2026-W48', kind: 'product_defect', count: 1 },
    ]);
    expect(s.byKind).toMatchObject({ billing_error: 1, waiting_time: 1, product_defect: 2, cleanliness: 0 });
    expect(s.outcomes).toEqual({ well_resolved: 1, poorly_resolved: 1, unresolved: 0, declined: 1, open: 1 });
    // Resolved in 2 h, 6 h and 3 h: the median is 3 h.
    expect(s.resolution).toEqual({ resolved: 3, medianMs: 3 * HOUR, human: '3 h' });
    expect(s.satisfaction).toEqual([
      { week: '2026-W47', answers: 3, mean: 3.67, satisfiedShare: 0.6667 },
      { week: '2026-W48', answers: 1, mean: 3, satisfiedShare: 0 },
    ]);
    const stores = Object.fromEntries(s.stores.map((r: { storeId: string }) => [r.storeId, r]));
    expect(stores['paris-01']).toMatchObject({
      incidents: 3,
      outcomes: { well_resolved: 1, poorly_resolved: 1, open: 1 },
      resolution: { resolved: 2, medianMs: 4 * HOUR },
      satisfaction: { answers: 3, mean: 3.33 },
    });
    expect(stores['lyon-01']).toMatchObject({ incidents: 1, outcomes: { declined: 1 }, resolution: { resolved: 1, medianMs: 3 * HOUR }, satisfaction: { answers: 1, mean: 4, satisfiedShare: 1 } });
  });

  it('narrows to one store and one week', async () => {
    const s = (await marketing.get('/v1/incidents/summary?from=2026-11-16&to=2026-11-22&store=paris-01')).json;
    expect(s.weeks).toEqual(['2026-W47']);
    expect(s.total).toBe(2);
    expect(s.resolution.medianMs).toBe(4 * HOUR);
    expect(s.satisfaction).toEqual([{ week: '2026-W47', answers: 2, mean: 3.5, satisfiedShare: 0.5 }]);
    expect(s.stores.map((r: { storeId: string }) => r.storeId)).toEqual(['paris-01']);
  });

  it('refuses a malformed range with a clear message', async () => {
    for (const [query, message] of [
      ['from=2026-02-30&to=2026-03-01', 'from must be a date YYYY-MM-DD'],
      ['from=2026-11-29&to=2026-11-16', 'from must not be after to'],
      ['from=2020-01-01&to=2026-11-16', 'the range is at most 731 days'],
      [`${RANGE}&store=${encodeURIComponent("x' OR 1=1")}`, 'store must be a store id'],
    ]) {
      const answer = await marketing.get(`/v1/incidents/summary?${query}`);
      expect(answer.status).toBe(400);
      expect(answer.json.error.message).toBe(message);
    }
  });

  it('is for marketing, service and admins: IT gets 403, no session 401', async () => {
    for (const role of ['service', 'admin'] as const) expect((await (await staffClient(hq, role, `${role}-summary`)).get(`/v1/incidents/summary?${RANGE}`)).status).toBe(200);
    const it = await staffClient(hq, 'it', 'it-summary');
    expect((await it.get(`/v1/incidents/summary?${RANGE}`)).status).toBe(403);
    expect((await hq.get(`/v1/incidents/summary?${RANGE}`)).status).toBe(401);
  });
});

describe('GET /v1/members/:id/incidents', () => {
  it("gives service the member's facts from every store in order, with outcomes and no notes", async () => {
    const service = await staffClient(hq, 'service', 'service-timeline');
    const answer = await service.get(`/v1/members/${claire}/incidents`);
    expect(answer.status).toBe(200);
    const facts = answer.json.facts as Array<Record<string, unknown>>;
    expect(facts.map((f) => [f.type, f.incidentId, f.storeId, f.outcome])).toEqual([
      ['open', ids.bill, 'paris-01', null],
      ['open', ids.wait, 'paris-01', null],
      ['resolve', ids.bill, 'paris-01', 'well_resolved'],
      ['resolve', ids.wait, 'paris-01', 'poorly_resolved'],
      ['open', ids.lyon, 'lyon-01', null],
      ['resolve', ids.lyon, 'lyon-01', 'declined'],
    ]);
    expect(facts[0]).toMatchObject({ at: W47, kind: 'billing_error', severity: 3, channel: 'till', receipt: 'R-bill' });
    expect(answer.json.incidents).toEqual([
      { incidentId: ids.bill, storeId: 'paris-01', kind: 'billing_error', status: 'resolved', outcome: 'well_resolved' },
      { incidentId: ids.wait, storeId: 'paris-01', kind: 'waiting_time', status: 'resolved', outcome: 'poorly_resolved' },
      { incidentId: ids.lyon, storeId: 'lyon-01', kind: 'product_defect', status: 'resolved', outcome: 'declined' },
    ]);
    expect(answer.text).not.toContain('Pas de note');
  });

  it('is for service and admins only', async () => {
    expect((await (await staffClient(hq, 'admin', 'admin-timeline')).get(`/v1/members/${claire}/incidents`)).status).toBe(200);
    expect((await (await staffClient(hq, 'marketing', 'marketing-timeline')).get(`/v1/members/${claire}/incidents`)).status).toBe(403);
    expect((await (await staffClient(hq, 'it', 'it-timeline')).get(`/v1/members/${claire}/incidents`)).status).toBe(403);
    expect((await hq.get(`/v1/members/${claire}/incidents`)).status).toBe(401);
  });
});

describe('/incidents page', () => {
  it('renders the chart and its numbers in tables, under the CSP, French first', async () => {
    const marketing = await staffClient(hq, 'marketing', 'marketing-page');
    const page = await marketing.get(`/incidents?${RANGE}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page.text).toContain('<html lang="fr">');
    expect(page.text).toContain('Incidents clients');
    expect(page.text).not.toMatch(/<script|style="/);
    expect(page.text).toContain('<svg viewBox="0 0 960 320" role="img"');
    // The W47 row of the data table: billing error 1, wait 1, defect 1, total 3.
    const row = /<tr><th scope="row">2026-W47<\/th>(.*?)<\/tr>/.exec(page.text)![1]!;
    expect([...row.matchAll(/<td class="num[^"]*">(\d+)<\/td>/g)].map((m) => Number(m[1]))).toEqual([1, 0, 1, 1, 0, 0, 0, 0, 0, 3]);
    expect(page.text).toMatch(/id="kpi-median".*?<p class="kpi-value">3 h<\/p>/s);
    expect(page.text).toMatch(/id="kpi-total".*?<p class="kpi-value">4<\/p>/s);
    // The top bar links to the page for the roles it lets in.
    expect(page.text).toContain('<a href="/incidents">Incidents clients</a>');
    const english = await marketing.get(`/incidents?${RANGE}&lang=en`);
    expect(english.text).toContain('Customer incidents');
    expect(english.text).toContain('Median time to resolve');
  });

  it('shows a bad range as an error, and refuses IT with the 403 page and no link', async () => {
    const service = await staffClient(hq, 'service', 'service-page');
    const bad = await service.get('/incidents?from=2026-13-01');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('from must be a date YYYY-MM-DD');
    const it = await staffClient(hq, 'it', 'it-page');
    const refused = await it.get('/incidents');
    expect(refused.status).toBe(403);
    expect(refused.text).not.toContain('href="/incidents');
    expect(refused.text).toContain('<a href="/console/">Console</a>');
    expect((await it.get('/v1/console/session')).json.permissions).not.toContain('incidents');
    const anonymous = await fetch(`${hq.url}/incidents`, { redirect: 'manual' });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toBe('/login?next=%2Fincidents');
  });
});
