import { afterEach, describe, expect, it } from 'vitest';
import { signCanonical } from '../../src/main/core/sync/signing';
import { lookupProduct } from '../../src/main/core/products/catalogue';
import type { Product } from '../../src/shared/programme/products';
import { openSyncHarness, type SyncHarness } from './sync-harness';

/**
 * A product in the pull is checked at the edge like a member: a malformed one
 * refuses the whole response, and nothing of it (not the good products, not
 * the members beside it) is written.
 */
let s: SyncHarness;
afterEach(() => s?.close());

const TABLES = ['sync_state', 'sync_member_balance', 'sync_bucket_item', 'member', 'product', 'product_ean'];
const snapshot = (x: SyncHarness) => JSON.stringify(TABLES.map((t) => x.h.db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all()));

const riz: Product = { sku: 'EP-RIZ-1KG', label: 'Riz long grain 1 kg', category: 'epicerie', eans: ['3174660089501'], vatRateBp: 550, priceCents: 179 };

/** HQ's program bucket with these products added, signed again by HQ's key. */
function sendProducts(x: SyncHarness, items: Array<{ key: string; value: unknown }>): void {
  x.hq.tamperPull = (signed) => {
    const { signature: _signature, keyId: _keyId, ...body } = signed;
    const buckets = (body.buckets as Array<{ bucket: string; puts: unknown[] }>).map((b) => (b.bucket === 'program' ? { ...b, puts: [...b.puts, ...items] } : b));
    const withKey = { ...body, buckets, keyId: x.hq.hq.keyId };
    return { ...withKey, signature: signCanonical(x.hq.hq.privateKey, withKey) };
  };
}

describe('products in the pull, checked at the edge', () => {
  it('keeps a well-formed product', async () => {
    s = await openSyncHarness();
    sendProducts(s, [{ key: 'product:EP-RIZ-1KG', value: riz }]);
    expect(await s.sync.pull()).toMatchObject({ ok: true });
    expect(lookupProduct(s.h.db, '3174660089501')).toEqual(riz);
  });

  it('refuses the whole pull for a malformed product, and writes nothing of it', async () => {
    const bad: Array<{ key: string; value: unknown }> = [
      { key: 'product:EP-RIZ-1KG', value: { ...riz, eans: ['3174660089502'] } },
      { key: 'product:EP-RIZ-1KG', value: { ...riz, vatRateBp: 1960 } },
      { key: 'product:EP-RIZ-1KG', value: { ...riz, priceCents: -1 } },
      { key: 'product:EP-RIZ-1KG', value: { ...riz, priceCents: '179' } },
      { key: 'product:EP-RIZ-1KG', value: { ...riz, label: '' } },
      { key: 'product:EP-RIZ-1KG', value: { ...riz, category: 'Épicerie' } },
      { key: 'product:EP-RIZ-1KG', value: { ...riz, colour: 'blanc' } },
      { key: 'product:EP-RIZ-1KG', value: 'riz' },
      { key: 'product:EP-PATES', value: riz },
    ];
    for (const item of bad) {
      s?.close();
      s = await openSyncHarness();
      // A good product and a member come in the same response: neither is written either.
      s.hq.members = [{ memberId: 'm-hq-1', firstName: 'Léa', lastName: 'Martin', email: 'm-hq-1@example.com', phone: '+33611223344', locale: 'fr', cards: ['2999000000012'], createdAt: Date.UTC(2025, 0, 2) }];
      sendProducts(s, [{ key: 'product:BS-EAU', value: { ...riz, sku: 'BS-EAU', eans: [] } }, item]);
      const before = snapshot(s);
      const outcome = await s.sync.pull();
      expect(outcome, JSON.stringify([item, outcome])).toMatchObject({ ok: false, code: 'invalid' });
      expect(snapshot(s)).toBe(before);
      expect(lookupProduct(s.h.db, 'BS-EAU')).toBeNull();
    }
  });
});
