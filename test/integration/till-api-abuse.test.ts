import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/main/core/config/terminal-config';
import { hashManagerPin } from '../../src/main/core/ledger/manager-pin';
import { seededRandom } from '../../src/main/core/ports';
import { makeCardNumber } from '../../src/shared/domain/card-number';
import { testConfig } from '../fakes/known-members';
import { basket, openTillHarness, type TillHarness } from './till-api-harness';

/** What one till token tried against the terminal: sweep the members, mint points, wedge the till's retries. */

const PIN_HASH = hashManagerPin('4821', seededRandom(3), { N: 1024, r: 8, p: 1 });

let h: TillHarness;

afterEach(async () => {
  await h.close();
});

const identify = (code: string, till: 'caisse-1' | 'caisse-2' = 'caisse-1') => h.call('POST', '/v1/identify', { till, body: { code } });

describe('identify is rate-limited per till token', () => {
  it('answers 429 with Retry-After after the burst, keeps the other till served, and recovers as the bucket refills', async () => {
    h = await openTillHarness();
    const card = h.known.claire.cardNumber;
    for (let i = 0; i < 10; i++) expect((await identify(card)).status, `request ${i + 1}`).toBe(200);
    const refused = await identify(card);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('2');
    expect(refused.json.error).toMatchObject({ code: 'rate_limited', issues: [{ path: 'identify', message: 'till.rate_limited' }] });
    expect(refused.json.error.message).toMatch(/30 a minute after a burst of 10; retry in 2 s/);
    // Another till has its own bucket.
    expect((await identify(card, 'caisse-2')).status).toBe(200);

    h.clock.value += 1_999;
    expect((await identify(card)).status).toBe(429);
    h.clock.value += 1;
    expect((await identify(card)).status).toBe(200);
    expect((await identify(card)).status).toBe(429);

    h.clock.value += 60_000;
    for (let i = 0; i < 10; i++) expect((await identify(card)).status, `after a minute, request ${i + 1}`).toBe(200);
    expect((await identify(card)).status).toBe(429);
    expect(h.logs.filter((l) => l.message === 'till API rate limit reached')).toHaveLength(2);
  });

  it('cuts off a sequential sweep of card numbers, and of phone numbers', async () => {
    h = await openTillHarness();
    const statuses: number[] = [];
    for (let serial = 1; serial <= 40; serial++) statuses.push((await identify(makeCardNumber(9990, serial))).status);
    const answered = statuses.filter((s) => s !== 429);
    expect(answered).toHaveLength(10);
    expect(statuses.slice(10).every((s) => s === 429)).toBe(true);
    // Card or phone, it is the same bucket.
    const phone = await h.call('POST', '/v1/identify', { body: { phone: '06 12 34 56 78' } });
    expect(phone.status).toBe(429);
  });

  it('counts malformed requests too, and takes its limits from the terminal config', async () => {
    h = await openTillHarness({ api: { rateLimits: { identify: { perMinute: 600, burst: 2 } } } });
    expect((await h.call('POST', '/v1/identify', { body: { code: 'x'.repeat(600) } })).status).toBe(400);
    expect((await h.call('POST', '/v1/identify', { body: {} })).status).toBe(400);
    const refused = await h.call('POST', '/v1/identify', { body: { code: h.known.claire.cardNumber } });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    h.clock.value += 100;
    expect((await h.call('POST', '/v1/identify', { body: { code: h.known.claire.cardNumber } })).status).toBe(200);

    expect(parseConfig({ ...testConfig(), tillApi: { rateLimits: { identify: { perMinute: 12, burst: 3 } } } }, 'test').tillApi?.rateLimits).toEqual({
      identify: { perMinute: 12, burst: 3 },
    });
    expect(() => parseConfig({ ...testConfig(), tillApi: { rateLimits: { identify: { perMinute: 30, burst: 0 } } } }, 'test')).toThrow(/burst/);
  });

  it('documents the 429 in the OpenAPI document', async () => {
    h = await openTillHarness();
    const doc = (await h.call('GET', '/openapi.json', { till: null })).json;
    expect(Object.keys(doc.paths['/v1/identify'].post.responses)).toContain('429');
    expect(Object.keys(doc.paths['/v1/sales'].post.responses)).toContain('422');
  });
});

/** 20 × 1 000 000 €, paid in 20 payments: the sale that earned 18 957 345 points. */
function hugeTicket(memberId: string, receipt: string) {
  const body = basket(memberId, receipt, { cents: [100_000_000] });
  return {
    ...body,
    lines: [{ ...body.lines[0]!, quantity: 20 }],
    payments: Array.from({ length: 20 }, () => ({ method: 'card', amountCents: 100_000_000 })),
  };
}

describe('sales past the programme ceilings', () => {
  it('refuses the huge ticket (422 over_limit) in preview and commit, writing nothing; a manager PIN lets it through', async () => {
    h = await openTillHarness({ config: { managerPinHash: PIN_HASH } });
    const before = h.snapshot();
    const body = hugeTicket(h.known.claire.id, 'T-HUGE');
    const preview = await h.call('POST', '/v1/sales/preview', { body: { ...body, payments: null } });
    expect(preview.status, preview.text).toBe(422);
    const commit = await h.call('POST', '/v1/sales', { body });
    expect(commit.status).toBe(422);
    expect(commit.json.error.code).toBe('over_limit');
    expect(commit.json.error.issues).toContainEqual({ path: 'lines', message: 'ledger.over_limit.max_ticket_cents' });
    expect(commit.json.error.message).toMatch(/maxTicketCents 500000/);
    const wrong = await h.call('POST', '/v1/sales', { body: { ...body, manager: { id: 'resp-1', pin: '0000' } } });
    expect(wrong.status).toBe(403);
    expect(wrong.json.error.issues).toEqual([{ path: 'manager.pin', message: 'ledger.manager_pin_wrong' }]);
    expect(h.snapshot()).toBe(before);

    const approved = await h.call('POST', '/v1/sales', { key: 'approved-1', body: { ...body, manager: { id: 'resp-1', pin: '4821' } } });
    expect(approved.status, approved.text).toBe(200);
    expect(approved.json.sale.pointsEarned).toBeGreaterThan(10_000_000);
    // The PIN is checked, never kept: not in the stored answer, nor in what the replay is matched on.
    expect(JSON.stringify(h.core.db.prepare('SELECT * FROM till_request').all())).not.toContain('4821');
    const replayed = await h.call('POST', '/v1/sales', { key: 'approved-1', body: { ...body, manager: { id: 'resp-1', pin: '4821' } } });
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
  });

  it('refuses a manual sale from the cashier screen over the ceiling, and takes it with the PIN', async () => {
    h = await openTillHarness({ config: { managerPinHash: PIN_HASH } });
    const before = h.snapshot();
    const manual = { memberId: h.known.claire.id, lines: [{ category: 'grocery', amountCents: 100_000_000, taxRateBp: 550 }] };
    const refused = await h.core.dispatch('cashier', 'ledger.manualCommit', manual);
    expect(refused).toMatchObject({ ok: false, error: { code: 'over_limit' } });
    expect(h.snapshot()).toBe(before);
    const approved = await h.core.dispatch('cashier', 'ledger.manualCommit', { ...manual, manager: { id: 'resp-1', pin: '4821' } });
    expect(approved.ok).toBe(true);
  });
});

describe('text the ledger cannot store or sign', () => {
  it('refuses a lone surrogate in a line label at the edge (400), writes nothing, and the clean sale then commits', async () => {
    h = await openTillHarness();
    const before = h.snapshot();
    const body = basket(h.known.claire.id, 'T-S1');
    const broken = { ...body, lines: [{ ...body.lines[0]!, label: 'Caf\ud800 moulu' }] };
    for (const path of ['/v1/sales/preview', '/v1/sales']) {
      const r = await h.call('POST', path, { body: broken });
      expect(r.status, `${path} ${r.text}`).toBe(400);
      expect(r.json.error.issues).toContainEqual({ path: 'lines.0.label', message: 'ledger.malformed_text' });
    }
    const nonCharacter = { ...body, lines: [{ ...body.lines[0]!, sku: 'SKU-\ufffe' }] };
    expect((await h.call('POST', '/v1/sales', { body: nonCharacter })).json.error.issues).toContainEqual({ path: 'lines.0.sku', message: 'ledger.malformed_text' });
    expect(h.snapshot()).toBe(before);
    expect(h.logs.filter((l) => l.level === 'error')).toEqual([]);
    expect((await h.call('POST', '/v1/sales', { body })).status).toBe(200);
  });
});
