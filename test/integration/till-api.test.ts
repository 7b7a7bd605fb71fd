import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionState } from '../../src/shared/contract';
import { RECEIPT_WIDTH } from '../../src/shared/domain/receipt-layout';
import { makeCardNumber, walletQrPayload } from '../../src/shared/domain/card-number';
import { basket, openTillHarness, type TillHarness } from './till-api-harness';

/** The till's view of the ledger: identify, preview, commit, refund, void, receipt lines, Z report, over real HTTP. */
let h: TillHarness;

beforeEach(async () => {
  h = await openTillHarness();
});

afterEach(async () => {
  await h.close();
});

async function session(): Promise<SessionState> {
  const r = await h.core.dispatch('customer', 'session.get', {});
  if (!r.ok) throw new Error(r.error.message);
  return r.value as SessionState;
}

/** Gives Claire points through the API: each 84,40 € basket at 5,5 % VAT earns 80. */
async function earn(receipt: string, cents = [8440]) {
  const r = await h.call('POST', '/v1/sales', { body: basket(h.known.claire.id, receipt, { cents }) });
  expect(r.status, r.text).toBe(200);
  return r.json;
}

describe('identify', () => {
  it('finds the member by card, greets her on the customer screen, and returns her points', async () => {
    await earn('T-1');
    const r = await h.call('POST', '/v1/identify', { body: { code: h.known.claire.cardNumber } });
    expect(r.status).toBe(200);
    expect(r.json.member).toMatchObject({ id: h.known.claire.id, firstName: 'Claire', cardNumber: h.known.claire.cardNumber });
    expect(r.json.via).toBe('card');
    expect(r.json.points).toEqual({
      balance: 80,
      available: 80,
      nextReward: { rewardId: 'cafe-offert', label: 'Café offert', points: 150, missing: 70 },
      expiring: [{ expiresOn: expect.stringMatching(/^2027-11-/), points: 80 }],
    });
    expect(await session()).toMatchObject({ phase: 'identified', memberId: h.known.claire.id, greeting: { firstName: 'Claire', balance: 80 } });
  });

  it('reads the wallet pass QR and a card number typed with spaces', async () => {
    const qr = await h.call('POST', '/v1/identify', { body: { code: walletQrPayload(h.known.helene.cardNumber) } });
    expect(qr.status).toBe(200);
    expect(qr.json).toMatchObject({ via: 'wallet_qr', member: { id: h.known.helene.id } });
    const spaced = h.known.zoe.cardNumber.replace(/(\d{4})/g, '$1 ');
    const typed = await h.call('POST', '/v1/identify', { body: { code: spaced } });
    expect(typed.status).toBe(200);
    expect(typed.json.member.id).toBe(h.known.zoe.id);
  });

  it('finds the member by her mobile number written any way, and greets her', async () => {
    for (const phone of ['06 12 34 56 78', '+33 6 12 34 56 78', '0033612345678', '06.12.34.56.78']) {
      const r = await h.call('POST', '/v1/identify', { body: { phone } });
      expect(r.status, phone).toBe(200);
      expect(r.json).toMatchObject({ via: 'phone', member: { id: h.known.claire.id } });
    }
    expect(await session()).toMatchObject({ phase: 'identified', memberId: h.known.claire.id });
  });

  it('answers 404 for a card or a phone nobody holds, and 400 for what is neither', async () => {
    const unknownCard = await h.call('POST', '/v1/identify', { body: { code: makeCardNumber(9998, 424242) } });
    expect(unknownCard.status).toBe(404);
    expect(unknownCard.json.error).toMatchObject({ code: 'not_found' });
    const unknownPhone = await h.call('POST', '/v1/identify', { body: { phone: '07 00 00 00 01' } });
    expect(unknownPhone.status).toBe(404);
    const landline = await h.call('POST', '/v1/identify', { body: { phone: '01 23 45 67 89' } });
    expect(landline.status).toBe(400);
    expect(landline.json.error.issues).toEqual([{ path: 'phone', message: 'phone.not_mobile' }]);
    const product = await h.call('POST', '/v1/identify', { body: { code: '3017620422003' } });
    expect(product.status).toBe(400);
    expect(product.json.error.issues[0].path).toBe('code');
    const both = await h.call('POST', '/v1/identify', { body: { code: h.known.claire.cardNumber, phone: '0612345678' } });
    expect(both.status).toBe(400);
    const neither = await h.call('POST', '/v1/identify', { body: {} });
    expect(neither.status).toBe(400);
    expect(await session()).toMatchObject({ phase: 'idle' });
  });

  it('is busy while a customer is enrolling on the customer screen', async () => {
    const started = await h.core.dispatch('customer', 'enrolment.start', { presetCardNumber: null });
    expect(started.ok).toBe(true);
    const r = await h.call('POST', '/v1/identify', { body: { code: h.known.claire.cardNumber } });
    expect(r.status).toBe(409);
    expect(r.json.error.code).toBe('busy');
  });
});

describe('the sale lifecycle', () => {
  it('preview, commit, refund: the balances follow, and the preview said what the commit did', async () => {
    await earn('T-0', [8440, 8440]); // 160 points to redeem from
    const sale = basket(h.known.claire.id, 'T-1', { cents: [4220, 2110], redeemPoints: 100 });
    const preview = await h.call('POST', '/v1/sales/preview', { body: { ...sale, payments: null } });
    expect(preview.status, preview.text).toBe(200);
    expect(preview.json).toMatchObject({ balance: 160, pointsRedeemed: 100, redemption: { points: 100, discountCents: 500 } });
    expect(preview.json.options).toMatchObject({ minimumPoints: 100, value: { cents: 5, points: 1 } });

    const committed = await h.call('POST', '/v1/sales', { body: sale });
    expect(committed.status, committed.text).toBe(200);
    expect(committed.json.sale).toMatchObject({
      tillId: 'caisse-1',
      receipt: 'T-1',
      memberId: h.known.claire.id,
      pointsEarned: preview.json.pointsEarned,
      pointsRedeemed: 100,
      balanceBefore: 160,
      balanceAfter: preview.json.balanceAfter,
    });
    // The document is the response: ledger internals (journal entry refs) stay inside.
    expect(committed.json.sale).not.toHaveProperty('entries');
    expect(h.core.ledger.points(h.known.claire.id).balance).toBe(preview.json.balanceAfter);

    const refund = await h.call('POST', '/v1/refunds', { body: { refundId: 'R-1', sale: { tillId: 'caisse-1', receipt: 'T-1' }, lines: 'all' } });
    expect(refund.status, refund.text).toBe(200);
    expect(refund.json.refund).toMatchObject({
      refundId: 'R-1',
      pointsReversed: committed.json.sale.pointsEarned,
      pointsRestored: 100,
      balanceAfter: 160,
      fullyRefunded: true,
    });
    expect(h.core.ledger.points(h.known.claire.id).balance).toBe(160);
    expect(h.core.ledger.verifyChain().ok).toBe(true);
  });

  it('refunds by line, then refuses to refund more than was sold or more than is left, writing nothing', async () => {
    await earn('T-1', [4220, 4220]);
    const partial = await h.call('POST', '/v1/refunds', { body: { refundId: 'R-1', sale: { tillId: 'caisse-1', receipt: 'T-1' }, lines: [{ lineId: '1', quantity: 1 }] } });
    expect(partial.status, partial.text).toBe(200);
    expect(partial.json.refund).toMatchObject({ pointsReversed: 40, balanceAfter: 40, fullyRefunded: false });

    const before = h.snapshot();
    const aboveSold = await h.call('POST', '/v1/refunds', { body: { refundId: 'R-2', sale: { tillId: 'caisse-1', receipt: 'T-1' }, lines: [{ lineId: '2', quantity: 2 }] } });
    expect(aboveSold.status).toBe(400);
    expect(aboveSold.json.error.code).toBe('bad_input');
    const again = await h.call('POST', '/v1/refunds', { body: { refundId: 'R-3', sale: { tillId: 'caisse-1', receipt: 'T-1' }, lines: [{ lineId: '1', quantity: 1 }] } });
    expect(again.status).toBe(409);
    expect(again.json.error).toMatchObject({ code: 'conflict', issues: [{ path: 'lines', message: 'ledger.refund_exceeds_remaining' }] });
    const unknownSale = await h.call('POST', '/v1/refunds', { body: { refundId: 'R-4', sale: { tillId: 'caisse-1', receipt: 'NOPE' }, lines: 'all' } });
    expect(unknownSale.status).toBe(404);
    expect(h.snapshot()).toBe(before);
  });

  it('refuses malformed baskets with the field at fault, writing nothing', async () => {
    const before = h.snapshot();
    const negative = basket(h.known.claire.id, 'T-1');
    negative.lines[0]!.quantity = -1;
    const r1 = await h.call('POST', '/v1/sales', { body: negative });
    expect(r1.status).toBe(400);
    expect(r1.json.error).toMatchObject({ code: 'bad_input', issues: [{ path: 'lines.0.quantity', message: 'ledger.quantity_positive' }] });

    const mismatch = basket(h.known.claire.id, 'T-2');
    mismatch.payments[0]!.amountCents -= 1;
    const r2 = await h.call('POST', '/v1/sales', { body: mismatch });
    expect(r2.status).toBe(400);
    expect(r2.json.error.issues).toEqual([{ path: 'payments', message: 'ledger.payments_mismatch' }]);

    const taxed = basket(h.known.claire.id, 'T-3');
    taxed.lines[0]!.taxRateBp = 700;
    const r3 = await h.call('POST', '/v1/sales', { body: taxed });
    expect(r3.status).toBe(400);
    expect(r3.json.error.issues).toEqual([{ path: 'lines.0.taxRateBp', message: 'ledger.tax_rate_unknown' }]);

    const fractional = basket(h.known.claire.id, 'T-4');
    fractional.lines[0]!.unitPriceCents = 84.4;
    const r4 = await h.call('POST', '/v1/sales', { body: fractional });
    expect(r4.status).toBe(400);

    const stranger = await h.call('POST', '/v1/sales', { body: basket('0190f5a2-7b1c-7def-8123-456789abcdef', 'T-5') });
    expect(stranger.status).toBe(404);
    expect(stranger.json.error.issues).toEqual([{ path: 'memberId', message: 'ledger.member_unknown' }]);

    const extra = await h.call('POST', '/v1/sales', { body: { ...basket(h.known.claire.id, 'T-6'), loyaltyBonus: 1000 } });
    expect(extra.status).toBe(400);
    expect(h.snapshot()).toBe(before);
  });

  it('refuses to redeem more points than are available, writing nothing', async () => {
    await earn('T-1'); // 80 points
    await earn('T-2'); // 160
    const before = h.snapshot();
    const r = await h.call('POST', '/v1/sales', { body: basket(h.known.claire.id, 'T-3', { cents: [8440], redeemPoints: 200 }) });
    expect(r.status).toBe(409);
    expect(r.json.error).toMatchObject({ code: 'conflict', issues: [{ path: 'redeemPoints', message: 'ledger.insufficient_points' }] });
    expect(h.snapshot()).toBe(before);
  });

  it('a hold reserves the points until the sale is voided; a committed sale cannot be voided', async () => {
    await earn('T-1', [8440, 8440]); // 160
    const hold = await h.call('POST', '/v1/sales/hold', { body: { tillId: 'caisse-1', receipt: 'T-2', memberId: h.known.claire.id, redeemPoints: 100 } });
    expect(hold.status, hold.text).toBe(200);
    expect(hold.json).toMatchObject({ points: 100, discountCents: 500, availableAfter: 60 });
    const elsewhere = await h.call('POST', '/v1/sales/preview', { body: { ...basket(h.known.claire.id, 'T-3', { redeemPoints: 100 }), payments: null } });
    expect(elsewhere.status).toBe(409);

    const voided = await h.call('POST', '/v1/sales/void', { body: { tillId: 'caisse-1', receipt: 'T-2' } });
    expect(voided.status).toBe(200);
    expect(voided.json).toEqual({ releasedPoints: 100 });
    expect(h.core.ledger.points(h.known.claire.id).available).toBe(160);

    const committed = await h.call('POST', '/v1/sales/void', { body: { tillId: 'caisse-1', receipt: 'T-1' } });
    expect(committed.status).toBe(409);
  });
});

describe('what the till prints', () => {
  it('the receipt lines say the points earned, the new balance, the next reward and when points expire', async () => {
    const sale = await earn('T-1');
    const lines: string[] = sale.receiptLines;
    expect(lines.every((l) => l.length <= RECEIPT_WIDTH)).toBe(true);
    const text = lines.join('\n');
    expect(text).toMatch(/Points gagnés +\+80/);
    expect(text).toMatch(/Nouveau solde +80 pts/);
    expect(text).toContain('Plus que 70 pts pour : Café offert');
    expect(text).toMatch(/80 pts expirent le \d{2}\/11\/2027/);
    expect(text).toContain('Claire');
  });

  it('a refund prints the points taken back and given back, and the balance after', async () => {
    await earn('T-0', [8440, 8440]);
    const sale = await h.call('POST', '/v1/sales', { body: basket(h.known.claire.id, 'T-1', { cents: [8440], redeemPoints: 100 }) });
    expect(sale.status, sale.text).toBe(200);
    const refund = await h.call('POST', '/v1/refunds', { body: { refundId: 'R-1', sale: { tillId: 'caisse-1', receipt: 'T-1' }, lines: 'all' } });
    expect(refund.status, refund.text).toBe(200);
    const text = (refund.json.receiptLines as string[]).join('\n');
    expect(text).toMatch(new RegExp(`Points repris +-${refund.json.refund.pointsReversed}`));
    expect(text).toMatch(/Points rendus +\+100/);
    expect(text).toMatch(/Nouveau solde +160 pts/);
  });

  it('reprints the lines of a stored sale, receipt numbers with a slash included, and only for its own till', async () => {
    const sale = await earn('2026/T-7');
    const again = await h.call('GET', `/v1/sales/caisse-1/${encodeURIComponent('2026/T-7')}/receipt-lines`);
    expect(again.status, again.text).toBe(200);
    expect(again.json).toEqual({ tillId: 'caisse-1', receipt: '2026/T-7', lines: sale.receiptLines });
    const missing = await h.call('GET', '/v1/sales/caisse-1/T-404/receipt-lines');
    expect(missing.status).toBe(404);
    const other = await h.call('GET', `/v1/sales/caisse-1/${encodeURIComponent('2026/T-7')}/receipt-lines`, { till: 'caisse-2' });
    expect(other.status).toBe(403);
    const bad = await h.call('GET', '/v1/sales/caisse-1/%20bad%20/receipt-lines');
    expect(bad.status).toBe(400);
  });
});

describe('the Z report', () => {
  it("gives the day's totals as data and as printable lines", async () => {
    await earn('T-1');
    await earn('T-2');
    const r = await h.call('GET', '/v1/z-report?day=2026-11-18');
    expect(r.status, r.text).toBe(200);
    expect(r.json.day).toBe('2026-11-18');
    expect(r.json.report).toMatchObject({ day: '2026-11-18', today: { entries: 2 } });
    expect(r.json.lines.join('\n')).toContain('18/11/2026');
    const today = await h.call('GET', '/v1/z-report');
    expect(today.json.day).toBe('2026-11-18');
    expect((await h.call('GET', '/v1/z-report?day=2026-02-31')).status).toBe(400);
    expect((await h.call('GET', '/v1/z-report?day=yesterday')).status).toBe(400);
    expect((await h.call('GET', '/v1/z-report?day=2026-11-18&format=pdf')).status).toBe(400);
  });
});
