import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashManagerPin, verifyManagerPin } from '../../src/main/core/ledger/manager-pin';
import { seededRandom } from '../../src/main/core/ports';
import { line, openHarness, sale, type Harness, refusal } from './ledger-fixture';

/** Cheap scrypt parameters: the tests check the format and the flow, not the cost. */
const PIN_HASH = hashManagerPin('4821', seededRandom(3), { N: 1024, r: 8, p: 1 });

let h: Harness;

beforeEach(() => {
  h = openHarness({ policy: { managerThresholdPoints: 200, managerPinHash: PIN_HASH } });
});

afterEach(() => h.close());


const adjust = (patch: Record<string, unknown> = {}) => ({
  adjustmentId: 'A-1',
  memberId: h.members.claire.id,
  points: 50,
  reason: 'Carte oubliée le 12/11',
  actor: 'caissier-7',
  ...patch,
});

describe('manager PINs', () => {
  it('are stored as salted scrypt hashes and checked', () => {
    expect(PIN_HASH).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    expect(PIN_HASH).not.toContain('4821');
    expect(hashManagerPin('4821', seededRandom(4), { N: 1024, r: 8, p: 1 })).not.toBe(PIN_HASH);
    expect(verifyManagerPin('4821', PIN_HASH)).toBe(true);
    expect(verifyManagerPin('4822', PIN_HASH)).toBe(false);
    expect(verifyManagerPin('4821', 'plain:4821')).toBe(false);
  });
});

describe('adjustments', () => {
  it('credits points with the reason and the author in the entry', () => {
    const result = h.ledger.adjust(adjust());
    expect(result).toMatchObject({ points: 50, balanceBefore: 0, balanceAfter: 50, approvedBy: null, reason: 'Carte oubliée le 12/11', actor: 'caissier-7' });
    const entry = h.ledger.history(h.members.claire.id)[0]!;
    expect(entry).toMatchObject({ kind: 'adjust', detail: { reason: 'Carte oubliée le 12/11', actor: 'caissier-7', approved_by: null, points: 50 } });
    expect(entry.postings).toEqual([
      { account: 'program:adjustments', delta: -50 },
      { account: `member:${h.members.claire.id}:points`, delta: 50 },
    ]);
    expect(h.ledger.expiring(h.members.claire.id)).toEqual([{ expiresOn: '2027-11-18', points: 50 }]);
  });

  it('needs a reason', () => {
    const before = h.snapshot();
    expect(refusal(() => h.ledger.adjust(adjust({ reason: '  ' })), 'bad_input').issues?.[0]).toMatchObject({ path: 'reason', message: 'ledger.reason_required' });
    refusal(() => h.ledger.adjust(adjust({ reason: undefined })), 'bad_input');
    expect(h.snapshot()).toBe(before);
  });

  it('needs a manager’s PIN above the threshold, and records who approved', () => {
    const before = h.snapshot();
    expect(refusal(() => h.ledger.adjust(adjust({ points: 201 })), 'forbidden').issues?.[0]!.message).toBe('ledger.manager_pin_required');
    expect(refusal(() => h.ledger.adjust(adjust({ points: 201, manager: { id: 'resp-2', pin: '0000' } })), 'forbidden').issues?.[0]!.message).toBe(
      'ledger.manager_pin_wrong',
    );
    expect(h.snapshot()).toBe(before);
    const result = h.ledger.adjust(adjust({ points: 201, manager: { id: 'resp-2', pin: '4821' } }));
    expect(result.approvedBy).toBe('resp-2');
    expect(h.ledger.history(h.members.claire.id)[0]!.detail).toMatchObject({ approved_by: 'resp-2', actor: 'caissier-7' });
    expect(JSON.stringify(h.db.prepare('SELECT * FROM ledger_adjustment').all())).not.toContain('4821');
  });

  it('locks PIN approvals after five wrong PINs', () => {
    for (let i = 0; i < 5; i++) refusal(() => h.ledger.adjust(adjust({ points: 300, manager: { id: 'resp-2', pin: '1111' } })), 'forbidden');
    const locked = refusal(() => h.ledger.adjust(adjust({ points: 300, manager: { id: 'resp-2', pin: '4821' } })), 'forbidden');
    expect(locked.issues?.[0]!.message).toBe('ledger.manager_pin_locked');
    h.mono.value += 5 * 60_000;
    expect(h.ledger.adjust(adjust({ points: 300, manager: { id: 'resp-2', pin: '4821' } })).points).toBe(300);
  });

  it('refuses above the threshold when no PIN is configured', () => {
    h.reopen({ policy: { managerThresholdPoints: 200, managerPinHash: null } });
    expect(refusal(() => h.ledger.adjust(adjust({ points: -300, manager: { id: 'r', pin: '4821' } })), 'forbidden').issues?.[0]!.message).toBe(
      'ledger.manager_pin_unset',
    );
  });

  it('debits without going below zero, oldest lots first', () => {
    const claire = h.members.claire.id;
    h.ledger.commit(sale(claire, 'R-1', [line(12000)]));
    const before = h.snapshot();
    expect(refusal(() => h.ledger.adjust(adjust({ points: -101 })), 'conflict').issues?.[0]!.message).toBe('ledger.insufficient_points');
    expect(h.snapshot()).toBe(before);
    expect(h.ledger.adjust(adjust({ points: -100 })).balanceAfter).toBe(0);
  });

  it('settles clawback debt first', () => {
    const claire = h.members.claire.id;
    h.ledger.commit(sale(claire, 'R-1', [line(12000)]));
    h.ledger.commit(sale(claire, 'R-2', [line(2000)], 100));
    h.ledger.refund({ refundId: 'F-1', sale: { tillId: 'till-1', receipt: 'R-1' }, lines: 'all' }); // owes 88
    expect(h.ledger.adjust(adjust({ points: 100 }))).toMatchObject({ clawbackSettled: 88, balanceAfter: 12 });
  });

  it('is idempotent by adjustment id', () => {
    const first = h.ledger.adjust(adjust({ points: 250, manager: { id: 'resp-2', pin: '4821' } }));
    const before = h.snapshot();
    expect(h.ledger.adjust(adjust({ points: 250, manager: { id: 'resp-2', pin: '4821' } }))).toEqual(first);
    expect(refusal(() => h.ledger.adjust(adjust({ points: 40 })), 'conflict').issues?.[0]!.message).toBe('ledger.adjustment_id_reused');
    expect(h.snapshot()).toBe(before);
  });

  it('refuses an unknown member', () => {
    refusal(() => h.ledger.adjust(adjust({ memberId: '01890000-0000-7000-8000-000000000000' })), 'not_found');
  });
});
