import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashManagerPin } from '../../src/main/core/ledger/manager-pin';
import { seededRandom } from '../../src/main/core/ports';
import { relationshipKey } from '../../src/shared/sync/relationship-item';
import { openHarness, refusal, type Harness } from './ledger-fixture';

const PIN_HASH = hashManagerPin('4821', seededRandom(3), { N: 1024, r: 8, p: 1 });
const DAY = 86_400_000;

let h: Harness;
beforeEach(() => {
  h = openHarness({ policy: { managerPinHash: PIN_HASH } });
});
afterEach(() => h.close());

/** Every table incidents touch, with the journal: equal snapshots mean nothing was written. */
const snapshot = () =>
  h.snapshot() +
  JSON.stringify(['incident', 'incident_fact', 'incident_note', 'goodwill_usage'].map((t) => h.db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all()));

const record = (patch: Record<string, unknown> = {}) => ({
  memberId: h.members.claire.id,
  kind: 'billing_error',
  severity: 3,
  recordedBy: 'caissier-7',
  ...patch,
});
const resolve = (incidentId: string, patch: Record<string, unknown> = {}) => ({ incidentId, outcome: 'well_resolved', recordedBy: 'caissier-7', ...patch });

describe('incidents in the journal', () => {
  it('records an incident as a chained entry with no postings, its note outside the hashed detail', () => {
    const out = h.ledger.incidents.record(record({ note: 'Prix affiché 2,49 €, encaissé 3,49 €', tillId: 'till-1', receipt: 'T1-0042' }));
    expect(out.incident).toMatchObject({ memberId: h.members.claire.id, kind: 'billing_error', severity: 3, status: 'open', channel: 'till', receipt: 'T1-0042', note: 'Prix affiché 2,49 €, encaissé 3,49 €' });
    expect(out.incident.incidentId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    const entry = h.ledger.history(h.members.claire.id, 1)[0]!;
    expect(entry).toMatchObject({ kind: 'incident_open', postings: [], receipt: 'T1-0042', till_id: 'till-1' });
    expect(entry.detail).toMatchObject({ incident_id: out.incident.incidentId, kind: 'billing_error', severity: 3, recorded_by: 'caissier-7' });
    expect(JSON.stringify(entry)).not.toContain('encaissé');
    expect(h.ledger.verifyChain().ok).toBe(true);
    // Erasing the note (the privacy work) leaves a chain that still verifies.
    h.db.prepare('DELETE FROM incident_note').run();
    expect(h.ledger.verifyChain().ok).toBe(true);
    expect(h.ledger.incidents.relationship(h.members.claire.id).openIncidents[0]!.note).toBeNull();
  });

  it('the badge: an open incident makes the member fragile with a reason line, resolving it well brings them back to ok', () => {
    const id = h.members.claire.id;
    expect(h.ledger.incidents.relationship(id).health).toMatchObject({ state: 'ok', reason: { code: 'none' } });
    const out = h.ledger.incidents.record(record({ severity: 3 }));
    const fragile = h.ledger.incidents.relationship(id);
    expect(fragile.health.state).toBe('fragile');
    expect(fragile.health.reason.fr).toBe('1 incident non résolu depuis novembre');
    expect(fragile.openIncidents.map((i) => i.incidentId)).toEqual([out.incident.incidentId]);
    h.ledger.incidents.resolve(resolve(out.incident.incidentId));
    const after = h.ledger.incidents.relationship(id);
    expect(after.health.state).toBe('ok');
    expect(after.openIncidents).toEqual([]);
  });

  it('resolves with a points gesture: an adjustment naming the incident in the same transaction, counted against the budget', () => {
    const id = h.members.claire.id;
    const before = h.ledger.points(id).balance;
    const out = h.ledger.incidents.record(record());
    const resolved = h.ledger.incidents.resolve(resolve(out.incident.incidentId, { gesture: { type: 'points', points: 100 } }));
    expect(resolved.adjustment).toMatchObject({ points: 100, balanceAfter: before + 100 });
    expect(h.ledger.points(id).balance).toBe(before + 100);
    const [resolveEntry, adjustEntry] = h.ledger.history(id, 2);
    expect(adjustEntry).toMatchObject({ kind: 'adjust', group_id: resolveEntry!.group_id, detail: { incident_id: out.incident.incidentId, points: 100 } });
    expect(resolveEntry).toMatchObject({ kind: 'incident_resolve', detail: { outcome: 'well_resolved', adjustment_entry_id: adjustEntry!.entry_id, gesture: { type: 'points', points: 100, value_cents: 500 } } });
    expect(resolved.budget).toMatchObject({ period: 'day', periodKey: '2026-11-18', budgetCents: 5000, usedCents: 500, remainingCents: 4500 });
    expect(h.ledger.verifyChain().ok).toBe(true);
    // Another day, another budget.
    h.clock.value += DAY;
    expect(h.ledger.incidents.budget()).toMatchObject({ periodKey: '2026-11-19', usedCents: 0 });
  });

  it('needs the manager PIN above the cashier limit, shares the five-tries lockout, and refuses past the budget even with a PIN', () => {
    const a = h.ledger.incidents.record(record()).incident.incidentId;
    const big = { gesture: { type: 'voucher', valueCents: 2000, reference: 'BON-1' } };
    const clean = snapshot();
    expect(refusal(() => h.ledger.incidents.resolve(resolve(a, big)), 'forbidden').issues?.[0]!.message).toBe('ledger.manager_pin_required');
    for (let i = 0; i < 5; i++) {
      expect(refusal(() => h.ledger.incidents.resolve(resolve(a, { ...big, manager: { id: 'resp-2', pin: '0000' } })), 'forbidden').issues?.[0]!.message).toBe(
        'ledger.manager_pin_wrong',
      );
    }
    expect(refusal(() => h.ledger.incidents.resolve(resolve(a, { ...big, manager: { id: 'resp-2', pin: '4821' } })), 'forbidden').issues?.[0]!.message).toBe(
      'ledger.manager_pin_locked',
    );
    expect(snapshot()).toBe(clean);
    h.mono.value += 5 * 60_000 + 1;
    const ok = h.ledger.incidents.resolve(resolve(a, { ...big, manager: { id: 'resp-2', pin: '4821' } }));
    expect(ok.budget.remainingCents).toBe(3000);
    const b = h.ledger.incidents.record(record({ kind: 'waiting_time' })).incident.incidentId;
    const past = snapshot();
    const over = refusal(() => h.ledger.incidents.resolve(resolve(b, { gesture: { type: 'voucher', valueCents: 3001, reference: 'BON-2' }, manager: { id: 'resp-2', pin: '4821' } })), 'over_limit');
    expect(over.issues?.[0]!.message).toBe('incident.over_budget');
    expect(snapshot()).toBe(past);
  });

  it('refuses bad input with a clear message and writes nothing', () => {
    const open = h.ledger.incidents.record(record()).incident.incidentId;
    h.ledger.incidents.resolve(resolve(open));
    const anonymous = h.ledger.incidents.record(record({ memberId: null, receipt: 'T1-0007' })).incident.incidentId;
    const clean = snapshot();
    const key = (fn: () => unknown, code: Parameters<typeof refusal>[1]) => refusal(fn, code).issues?.map((i) => i.message);
    expect(key(() => h.ledger.incidents.record(record({ kind: 'rude_weather' })), 'bad_input')).toHaveLength(1);
    expect(key(() => h.ledger.incidents.record(record({ severity: 0 })), 'bad_input')).toEqual(['incident.severity']);
    expect(key(() => h.ledger.incidents.record(record({ severity: 6 })), 'bad_input')).toEqual(['incident.severity']);
    expect(key(() => h.ledger.incidents.record(record({ note: 'x'.repeat(281) })), 'bad_input')).toEqual(['incident.note_too_long']);
    expect(key(() => h.ledger.incidents.record(record({ note: 'ligne 1\u0007' })), 'bad_input')).toEqual(['incident.control_chars']);
    expect(key(() => h.ledger.incidents.record(record({ note: 'moitié \ud800' })), 'bad_input')).toEqual(['incident.malformed_text']);
    expect(key(() => h.ledger.incidents.record(record({ memberId: '01890000-0000-7000-8000-000000000000' })), 'not_found')).toEqual(['incident.member_unknown']);
    expect(key(() => h.ledger.incidents.record(record({ memberId: null })), 'bad_input')).toEqual(['incident.receipt_required']);
    expect(key(() => h.ledger.incidents.resolve(resolve(open)), 'conflict')).toEqual(['incident.already_resolved']);
    expect(key(() => h.ledger.incidents.update({ incidentId: open, severity: 2, recordedBy: 'c' }), 'conflict')).toEqual(['incident.already_resolved']);
    expect(key(() => h.ledger.incidents.resolve(resolve('01890000-0000-7000-8000-000000000001')), 'not_found')).toEqual(['incident.unknown']);
    expect(key(() => h.ledger.incidents.resolve(resolve(anonymous, { gesture: { type: 'points', points: 10 } })), 'bad_input')).toEqual(['incident.points_need_member']);
    expect(key(() => h.ledger.incidents.resolve(resolve(anonymous, { outcome: 'fixed' })), 'bad_input')).toHaveLength(1);
    expect(snapshot()).toBe(clean);
  });

  it('re-qualifies an open incident: a graver severity weighs more', () => {
    const id = h.members.claire.id;
    const a = h.ledger.incidents.record(record({ severity: 1 })).incident.incidentId;
    const light = h.ledger.incidents.relationship(id).health.load;
    const updated = h.ledger.incidents.update({ incidentId: a, severity: 5, note: 'Rappelée : plus grave que prévu', recordedBy: 'resp-2' });
    expect(updated.incident).toMatchObject({ severity: 5, note: 'Rappelée : plus grave que prévu' });
    expect(h.ledger.incidents.relationship(id).health.load).toBeGreaterThan(light);
  });

  it('knows the incidents HQ sent from other stores, each fact once, and refuses to resolve one HQ says is resolved', () => {
    const id = h.members.claire.id;
    const local = h.ledger.incidents.record(record({ kind: 'order_delivery' })).incident.incidentId;
    const own = h.db.prepare<[string], { fact: string }>('SELECT fact FROM incident_fact WHERE member_id = ?').all(id).map((r) => JSON.parse(r.fact) as unknown);
    const lyon = {
      entryId: 'lyon-e1',
      incidentId: '01890000-0000-7000-8000-0000000000aa',
      type: 'open',
      at: h.clock.value - 10 * DAY,
      terminalId: 'lyon-t1',
      kind: 'staff_behaviour',
      severity: 4,
      channel: 'till',
      tillId: null,
      receipt: 'L-9',
    };
    const item = { memberId: id, visits12m: 3, facts: [...own, lyon] };
    h.db.prepare("INSERT INTO sync_bucket_item (bucket, key, value) VALUES ('store', ?, ?)").run(relationshipKey(id), JSON.stringify(item));
    const view = h.ledger.incidents.relationship(id);
    expect(view.openIncidents.map((i) => [i.incidentId, i.origin])).toEqual([
      [lyon.incidentId, 'chain'],
      [local, 'local'],
    ]);
    expect(view.health.state).toBe('at_risk');
    expect(view.health.reason.en).toBe('2 unresolved incidents since November');
    expect(view.health.suggestedGesture).toEqual({ severity: 4, valueCents: 2000, points: 400 });
    const resolvedElsewhere = { ...item, facts: [...item.facts, { entryId: 'paris2-e9', incidentId: local, type: 'resolve', at: h.clock.value, terminalId: 'paris-t2', outcome: 'poorly_resolved' }] };
    h.db.prepare("UPDATE sync_bucket_item SET value = ? WHERE key = ?").run(JSON.stringify(resolvedElsewhere), relationshipKey(id));
    refusal(() => h.ledger.incidents.resolve(resolve(local)), 'conflict');
  });
});

describe('one summary row per member', () => {
  const summaryRow = (id: string) => h.db.prepare('SELECT relationship AS summary FROM member WHERE id = ? AND relationship IS NOT NULL').get(id);
  const stale = () => h.db.prepare('SELECT member_id FROM relationship_stale ORDER BY 1').pluck().all();
  /** The same lookup with the member's row dropped: read from the facts, as before there were summaries. */
  const fromFacts = (id: string) => {
    const row = summaryRow(id) as { summary: string } | undefined;
    h.db.prepare('UPDATE member SET relationship = NULL WHERE id = ?').run(id);
    const view = h.ledger.incidents.relationship(id);
    if (row) h.db.prepare('UPDATE member SET relationship = ? WHERE id = ?').run(row.summary, id);
    return view;
  };
  const chainItem = (id: string, at: number) => ({
    memberId: id,
    visits12m: 30,
    facts: [
      { entryId: 'lyon-e1', incidentId: 'lyon-i1', type: 'open', at, terminalId: 'lyon-t1', kind: 'waiting_time', severity: 2, channel: 'till', tillId: 'L1', receipt: 'L-1' },
      { entryId: 'lyon-e2', incidentId: 'lyon-i2', type: 'open', at: at + 1, terminalId: 'lyon-t1', kind: 'waiting_time', severity: 5, channel: 'survey', tillId: null, receipt: null },
      { entryId: 'lyon-e3', incidentId: 'lyon-i1', type: 'resolve', at: at + DAY, terminalId: 'lyon-t1', outcome: 'well_resolved' },
    ],
  });

  it('is written in the transaction of each record, update and resolution, and a lookup from it answers as the facts do', () => {
    const id = h.members.claire.id;
    const a = h.ledger.incidents.record(record({ note: 'Caisse fermée', tillId: 'till-2', receipt: 'T2-7' })).incident.incidentId;
    expect(summaryRow(id)).toBeDefined();
    expect(stale()).toEqual([]);
    h.clock.value += DAY;
    const b = h.ledger.incidents.record(record({ kind: 'waiting_time', severity: 5 })).incident.incidentId;
    h.ledger.incidents.update({ incidentId: a, kind: 'product_defect', severity: 4, note: 'Produit abîmé', recordedBy: 'resp' });
    h.clock.value += 3 * DAY;
    h.ledger.incidents.resolve(resolve(b, { outcome: 'poorly_resolved' }));
    expect(stale()).toEqual([]);
    for (const later of [0, 40 * DAY, 400 * DAY]) {
      h.clock.value += later;
      const view = h.ledger.incidents.relationship(id);
      expect(view).toEqual(fromFacts(id));
      expect(view.openIncidents).toMatchObject([{ incidentId: a, kind: 'product_defect', severity: 4, note: 'Produit abîmé', receipt: 'T2-7', origin: 'local' }]);
    }
    // An erased note is gone from the lookup at once, summary or not.
    h.db.prepare('DELETE FROM incident_note').run();
    expect(h.ledger.incidents.relationship(id).openIncidents[0]!.note).toBeNull();
  });

  it('is dropped when a source is written around the book, the lookup reads the facts meanwhile, and start builds it again', async () => {
    const id = h.members.claire.id;
    h.ledger.incidents.record(record());
    const before = h.ledger.incidents.relationship(id);
    h.db.prepare("INSERT INTO sync_bucket_item (bucket, key, value) VALUES ('store', ?, ?)").run(relationshipKey(id), JSON.stringify(chainItem(id, h.clock.value - 5 * DAY)));
    expect(summaryRow(id)).toBeUndefined();
    expect(stale()).toEqual([id]);
    const withLyon = h.ledger.incidents.relationship(id);
    expect(withLyon.openIncidents.map((i) => [i.incidentId, i.origin])).toEqual([['lyon-i2', 'chain'], [before.openIncidents[0]!.incidentId, 'local']]);
    expect(withLyon.health.load).toBeGreaterThan(before.health.load);
    expect((await h.ledger.start()).ok).toBe(true);
    expect(summaryRow(id)).toBeDefined();
    expect(stale()).toEqual([]);
    expect(h.ledger.incidents.relationship(id)).toEqual(withLyon);
    h.db.prepare("DELETE FROM sync_bucket_item WHERE key = ?").run(relationshipKey(id));
    expect(summaryRow(id)).toBeUndefined();
    expect(h.ledger.incidents.relationship(id)).toEqual(before);
  });

  it('is not believed while its facts are ahead of the clock: an incident recorded later than now is not known yet', () => {
    const id = h.members.claire.id;
    h.ledger.incidents.record(record({ severity: 5 }));
    expect(h.ledger.incidents.relationship(id).health.state).not.toBe('ok');
    h.clock.value -= DAY;
    const earlier = h.ledger.incidents.relationship(id);
    expect(earlier.health).toMatchObject({ state: 'ok', load: 0, reason: { code: 'none' } });
    expect(earlier.openIncidents).toEqual([]);
  });

  it('a terminal upgraded with incidents already builds every member’s row at its first start', async () => {
    const id = h.members.claire.id;
    h.ledger.incidents.record(record());
    h.db.prepare("INSERT INTO sync_bucket_item (bucket, key, value) VALUES ('store', ?, ?)").run(relationshipKey(h.members.helene.id), JSON.stringify(chainItem(h.members.helene.id, h.clock.value - DAY)));
    const expected = [h.ledger.incidents.relationship(id), h.ledger.incidents.relationship(h.members.helene.id)];
    // The store as migration 11 left it: no summaries, no triggers (nor what later migrations add)…
    const later = "name LIKE 'relationship_stale_%' OR name LIKE 'member_search_word_%'";
    for (const t of h.db.prepare(`SELECT name FROM sqlite_master WHERE type = 'trigger' AND (${later})`).pluck().all() as string[]) h.db.exec(`DROP TRIGGER ${t}`);
    h.db.exec('ALTER TABLE member DROP COLUMN relationship; DROP TABLE relationship_stale; DROP TABLE member_search_word; PRAGMA user_version = 11');
    // …and the tables and indexes of migrations 15 to 19, as they stood before (18 only dropped an index; 17's index of
    // lots by member is the lots table's own key since 25, which runs again).
    h.db.exec('DROP TABLE member_value_hint; DROP TABLE update_state; DROP TABLE update_history');
    h.db.exec('CREATE INDEX ledger_lot_open_by_member ON ledger_lot (member_id, expires_at, opened_seq) WHERE remaining > 0');
    // …and what migrations 20 and 26 add (issue 17: sealed names, hashed contact data, the lookup log, consent changes).
    h.db.exec('DROP TRIGGER member_contact_sent; DROP INDEX member_by_email_hash; DROP INDEX member_by_phone_hash');
    h.db.exec('DROP TABLE privacy_key; DROP TABLE member_lookup_log; DROP TABLE member_consent_outbox');
    for (const column of ['name_sealed', 'email_hash', 'phone_hash', 'email_mask', 'phone_mask', 'contact_sealed']) h.db.exec(`ALTER TABLE member DROP COLUMN ${column}`);
    // …and the tables of migrations 21 to 24 (products, offers, tiers, programme versions).
    h.db.exec('DROP TABLE product_ean; DROP TABLE product; DROP TABLE offer_contact; DROP TABLE offer_member_habit; DROP TABLE offer_preference');
    h.db.exec('DROP TABLE offer_rule_set; DROP TABLE member_tier; DROP TABLE programme_version');
    // …and migration 27's (issue 14 item 4: vouchers).
    h.db.exec('DROP TABLE voucher; DROP TABLE voucher_progress');
    // …and migrations 28 and 31 (issue 14 items 6 and 7: benefit bookings, allotted seats, memberships, their value).
    h.db.exec('DROP TABLE benefit_booking; DROP TABLE benefit_allotment; DROP TABLE membership; DROP TABLE membership_value');
    // …and migration 29's (issue 16 items 1 and 4: referrals and donations).
    h.db.exec('DROP TABLE social_referral_code; DROP TABLE social_referral; DROP TABLE social_donation');
    // …and migration 30's (issue 17 item 3: blocked cards, erased members).
    h.db.exec('DROP TABLE member_card_blocked; DROP TABLE member_erased');
    // …and migration 32's (issue 16 item 3: offer counts for HQ; offer_contact's triggers went with its table).
    h.db.exec('DROP TABLE offer_stat_outbox');
    h.reopen();
    expect(stale()).toEqual([id, h.members.helene.id].sort());
    expect((await h.ledger.start()).ok).toBe(true);
    expect(stale()).toEqual([]);
    expect(summaryRow(id)).toBeDefined();
    expect(summaryRow(h.members.helene.id)).toBeDefined();
    expect([h.ledger.incidents.relationship(id), h.ledger.incidents.relationship(h.members.helene.id)]).toEqual(expected);
  });
});
