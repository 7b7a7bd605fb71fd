import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IDEMPOTENCY_RETENTION_MS } from '../../src/main/till-api/idempotency';
import { startTillApi } from '../../src/main/till-api/till-api';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import { testConfig } from '../fakes/known-members';
import { basket, newKey, openTillHarness, tillApiConfig, type TillHarness } from './till-api-harness';

/** Every write carries an Idempotency-Key: a retry gets the first answer, byte for byte, and writes nothing. */
let h: TillHarness;

beforeEach(async () => {
  h = await openTillHarness();
});

afterEach(async () => {
  await h.close();
});

describe('idempotent writes', () => {
  it('a replay with the same body returns the stored response byte for byte, and writes nothing new', async () => {
    const key = newKey();
    const body = basket(h.known.claire.id, 'T-1');
    const first = await h.call('POST', '/v1/sales', { key, body });
    expect(first.status).toBe(200);
    const entries = h.count('ledger_entry');
    const after = h.snapshot();

    h.clock.value += 60_000; // a minute later: a recomputed answer would differ (committedAt, expiry lines)
    // The same JSON with its keys in another order and other whitespace is the same request.
    const reordered = JSON.stringify(Object.fromEntries(Object.entries(body).reverse()), null, 2);
    for (const rawBody of [JSON.stringify(body), reordered]) {
      const replay = await h.call('POST', '/v1/sales', { key, rawBody });
      expect(replay.status).toBe(200);
      expect(replay.text).toBe(first.text);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
    }
    expect(h.count('ledger_entry')).toBe(entries);
    expect(h.count('ledger_sale')).toBe(1);
    expect(h.snapshot()).toBe(after);
  });

  it('the same key with another body is a conflict, and nothing is written', async () => {
    const key = newKey();
    const first = await h.call('POST', '/v1/sales', { key, body: basket(h.known.claire.id, 'T-1') });
    expect(first.status).toBe(200);
    const before = h.snapshot();
    const other = await h.call('POST', '/v1/sales', { key, body: basket(h.known.claire.id, 'T-2', { cents: [1000] }) });
    expect(other.status).toBe(409);
    expect(other.json.error).toMatchObject({ code: 'conflict', issues: [{ path: 'Idempotency-Key', message: 'till.idempotency_reused' }] });
    // Another endpoint under the same key is another request too.
    const elsewhere = await h.call('POST', '/v1/sales/void', { key, body: { tillId: 'caisse-1', receipt: 'T-1' } });
    expect(elsewhere.status).toBe(409);
    expect(h.snapshot()).toBe(before);
  });

  it('keys belong to their till: another till may use the same key for its own sale', async () => {
    const key = newKey();
    expect((await h.call('POST', '/v1/sales', { key, body: basket(h.known.claire.id, 'T-1') })).status).toBe(200);
    const second = await h.call('POST', '/v1/sales', { key, till: 'caisse-2', body: basket(h.known.claire.id, 'T-1', { tillId: 'caisse-2' }) });
    expect(second.status, second.text).toBe(200);
    expect(second.json.sale.tillId).toBe('caisse-2');
    expect(h.count('ledger_sale')).toBe(2);
  });

  it('refusals are not stored: once the till fixes nothing but the cause, the same key goes through', async () => {
    const key = newKey();
    const body = basket(h.known.claire.id, 'T-9', { cents: [8440], redeemPoints: 100 });
    const refused = await h.call('POST', '/v1/sales', { key, body });
    expect(refused.status).toBe(409);
    expect(h.count('till_request')).toBe(0);
    await h.call('POST', '/v1/sales', { body: basket(h.known.claire.id, 'T-1', { cents: [8440, 8440] }) }); // 160 points
    const retried = await h.call('POST', '/v1/sales', { key, body });
    expect(retried.status, retried.text).toBe(200);
    expect(retried.json.sale.pointsRedeemed).toBe(100);
  });

  it('a write without a well-formed key is refused before anything is read or written', async () => {
    const before = h.snapshot();
    for (const key of [null, '', 'has space', 'x'.repeat(65), 'é']) {
      const r = await h.call('POST', '/v1/sales', { key, body: basket(h.known.claire.id, 'T-1') });
      expect(r.status, String(key)).toBe(400);
      expect(r.json.error.issues).toEqual([{ path: 'Idempotency-Key', message: 'till.idempotency_key' }]);
    }
    expect(h.snapshot()).toBe(before);
  });

  it('a sale the ledger committed before the response was stored (a crash between the two) gives the same sale on retry', async () => {
    const body = basket(h.known.claire.id, 'T-1');
    // The first attempt reached the ledger, then the process died before storing its answer.
    const committed = h.core.ledger.commit(body);
    const entries = h.count('ledger_entry');
    const retry = await h.call('POST', '/v1/sales', { body });
    expect(retry.status, retry.text).toBe(200);
    expect(retry.json.sale).toMatchObject({ saleId: committed.saleId, pointsEarned: committed.pointsEarned, balanceAfter: committed.balanceAfter, committedAt: committed.committedAt });
    expect(h.count('ledger_entry')).toBe(entries);
    expect(h.count('ledger_sale')).toBe(1);

    const refundBody = { refundId: 'R-1', sale: { tillId: 'caisse-1', receipt: 'T-1' }, lines: 'all' };
    const refunded = h.core.ledger.refund(refundBody);
    const afterRefund = h.count('ledger_entry');
    const refundRetry = await h.call('POST', '/v1/refunds', { body: refundBody });
    expect(refundRetry.status, refundRetry.text).toBe(200);
    expect(refundRetry.json.refund).toMatchObject({ refundId: 'R-1', saleId: committed.saleId, pointsReversed: refunded.pointsReversed, balanceAfter: 0 });
    expect(h.count('ledger_entry')).toBe(afterRefund);
    expect(h.core.ledger.points(h.known.claire.id).balance).toBe(0);
  });

  it('a sale and its stored response commit together: a refused write leaves neither', async () => {
    const key = newKey();
    const body = basket(h.known.claire.id, 'T-1');
    h.core.db.exec(`CREATE TEMP TRIGGER refuse_store BEFORE INSERT ON till_request BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
    const before = h.snapshot();
    const failed = await h.call('POST', '/v1/sales', { key, body });
    expect(failed.status).toBe(500);
    expect(failed.json.error.code).toBe('internal');
    expect(h.snapshot()).toBe(before);
    h.core.db.exec('DROP TRIGGER temp.refuse_store');
    const retried = await h.call('POST', '/v1/sales', { key, body });
    expect(retried.status).toBe(200);
    expect(h.count('ledger_sale')).toBe(1);
  });

  it('two requests racing on one key: the second is told the first is still running', async () => {
    const key = newKey();
    // Hold the first identify inside the dispatcher until the second has been answered.
    const dispatch = h.core.dispatch;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    Object.assign(h.core, { dispatch: async (...args: Parameters<typeof dispatch>) => (await gate, dispatch(...args)) });
    const first = h.call('POST', '/v1/identify', { key, body: { code: h.known.claire.cardNumber } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = await h.call('POST', '/v1/identify', { key, body: { code: h.known.claire.cardNumber } });
    expect(second.status).toBe(409);
    expect(second.json.error.code).toBe('busy');
    release();
    expect((await first).status).toBe(200);
    const replay = await h.call('POST', '/v1/identify', { key, body: { code: h.known.claire.cardNumber } });
    expect(replay.text).toBe((await first).text);
    expect(h.count('till_request')).toBe(1);
  });

  it('stored responses are forgotten after the retention window, at the next start', async () => {
    await h.call('POST', '/v1/sales', { body: basket(h.known.claire.id, 'T-1') });
    expect(h.count('till_request')).toBe(1);
    const later = h.clock.value + IDEMPOTENCY_RETENTION_MS + 1;
    const config = testConfig({ tillApi: tillApiConfig() });
    const second = await startTillApi({ core: h.core, config, clock: { now: () => later }, random: seededRandom(5), logger: silentLogger });
    await second.close();
    expect(h.count('till_request')).toBe(0);
    expect(h.count('ledger_sale')).toBe(1);
  });
});
