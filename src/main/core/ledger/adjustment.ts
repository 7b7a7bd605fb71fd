import { AppFailure } from '../../../shared/contract';
import { uuidv7 } from '../ids';
import { spendablePoints } from './chain-view';
import { Accounts, creditMember, debitMember } from './accounts';
import { bodyHash, type CanonicalValue } from './canonical';
import type { LedgerContext } from './context';
import { expiryFor } from './expiry-policy';
import type { AppendedEntry, Monotonic } from './journal';
import { verifyManagerPin } from './manager-pin';
import { requireAvailable } from './redemption';
import type { EntryRef } from './sale';
import { AdjustInput, parseInput } from './schemas';

export interface AdjustResult {
  adjustmentId: string;
  memberId: string;
  points: number;
  reason: string;
  actor: string;
  approvedBy: string | null;
  adjustedAt: number;
  clawbackSettled: number;
  balanceBefore: number;
  balanceAfter: number;
  lotExpiresOn: string | null;
  entry: EntryRef;
}

/** Five wrong PINs in a row lock approvals for five minutes (monotonic): a 4-digit PIN is otherwise a short guess. */
export class PinGuard {
  private failures = 0;
  private lockedUntil = 0;

  constructor(
    private readonly monotonic: Monotonic,
    private readonly maxFailures = 5,
    private readonly lockMs = 5 * 60_000,
  ) {}

  check(pin: string, encoded: string | null): void {
    if (this.monotonic.now() < this.lockedUntil) throw forbidden('too many wrong PINs: try again later', 'ledger.manager_pin_locked');
    if (encoded === null) throw forbidden('no manager PIN is configured on this terminal', 'ledger.manager_pin_unset');
    if (verifyManagerPin(pin, encoded)) {
      this.failures = 0;
      return;
    }
    this.failures += 1;
    if (this.failures >= this.maxFailures) {
      this.failures = 0;
      this.lockedUntil = this.monotonic.now() + this.lockMs;
    }
    throw forbidden('wrong manager PIN', 'ledger.manager_pin_wrong');
  }
}

function forbidden(message: string, key: string): AppFailure {
  return new AppFailure('forbidden', message, [{ path: 'manager.pin', message: key }]);
}

/**
 * Credits points by hand inside the caller's transaction: the `adjust` entry
 * (paying back clawback debt first) and its lot. An incident's points gesture
 * is one too, written with the resolve that names it.
 */
export function appendCredit(
  ctx: LedgerContext,
  memberId: string,
  points: number,
  groupId: string,
  detail: { [key: string]: CanonicalValue },
): { entry: AppendedEntry; settled: number; lotExpiresOn: string | null } {
  const credit = creditMember(memberId, Accounts.adjustments, points, ctx.journal.owed(memberId));
  const expiry = expiryFor(ctx.rules, ctx.clock.now());
  const lotExpiresOn = credit.credited > 0 ? expiry.expiresOn : null;
  const entry = ctx.journal.append({
    kind: 'adjust',
    groupId,
    memberId,
    tillId: null,
    receipt: null,
    postings: credit.legs,
    detail: { ...detail, clawback_settled: credit.settled, lot_expires_on: lotExpiresOn, lots: [] },
  });
  ctx.lots.open(entry.entryId, memberId, credit.credited, entry.seq, expiry);
  return { entry, settled: credit.settled, lotExpiresOn };
}

/**
 * A manual correction of a member's points: a reason always, a manager's PIN
 * above the threshold, and the entry records who asked, who approved and why.
 * Idempotent by adjustment id. A debit never takes a member below zero.
 */
export function adjustPoints(ctx: LedgerContext, guard: PinGuard, raw: unknown): AdjustResult {
  const input = parseInput(AdjustInput, raw, 'adjustment');
  // The PIN is a secret: it is checked, never stored, not even hashed into the idempotency key.
  const hash = bodyHash({ ...input, manager: input.manager ? { id: input.manager.id } : null });
  const existing = ctx.store.adjustment(input.adjustmentId);
  if (existing) {
    if (existing.body_hash === hash) return JSON.parse(existing.result) as AdjustResult;
    throw new AppFailure('conflict', 'this adjustment id was already used for another adjustment', [{ path: 'adjustmentId', message: 'ledger.adjustment_id_reused' }]);
  }
  if (!ctx.store.memberExists(input.memberId)) throw new AppFailure('not_found', 'no such member', [{ path: 'memberId', message: 'ledger.member_unknown' }]);
  const needsManager = Math.abs(input.points) > ctx.policy.managerThresholdPoints;
  if (needsManager && !input.manager) throw forbidden('a manager must approve an adjustment this large', 'ledger.manager_pin_required');
  if (input.manager) guard.check(input.manager.pin, ctx.policy.managerPinHash);

  return ctx.write((): AdjustResult => {
    const again = ctx.store.adjustment(input.adjustmentId);
    if (again) return JSON.parse(again.result) as AdjustResult;
    const { journal, lots } = ctx;
    const memberId = input.memberId;
    const balanceBefore = spendablePoints(ctx, memberId);
    const now = ctx.clock.now();
    const groupId = uuidv7(ctx.clock, ctx.random);
    const approvedBy = input.manager?.id ?? null;
    const detail = { adjustment_id: input.adjustmentId, reason: input.reason, actor: input.actor, approved_by: approvedBy, points: input.points };

    let settled = 0;
    let lotExpiresOn: string | null = null;
    let entry;
    if (input.points > 0) {
      ({ entry, settled, lotExpiresOn } = appendCredit(ctx, memberId, input.points, groupId, detail));
    } else {
      const points = -input.points;
      requireAvailable(points, balanceBefore, ctx.holds.pendingFor(memberId), 'points');
      const debit = debitMember(memberId, Accounts.adjustments, points, balanceBefore, false);
      const taken = lots.take(memberId, points, null, ctx.chain(memberId) !== null);
      entry = journal.append({
        kind: 'adjust',
        groupId,
        memberId,
        tillId: null,
        receipt: null,
        postings: debit.legs,
        detail: { ...detail, clawback_settled: 0, lot_expires_on: null, lots: taken },
      });
    }

    const result: AdjustResult = {
      adjustmentId: input.adjustmentId,
      memberId,
      points: input.points,
      reason: input.reason,
      actor: input.actor,
      approvedBy,
      adjustedAt: now,
      clawbackSettled: settled,
      balanceBefore,
      balanceAfter: spendablePoints(ctx, memberId),
      lotExpiresOn,
      entry: { seq: entry.seq, entryId: entry.entryId, kind: entry.kind, entryHash: entry.entryHash },
    };
    ctx.store.insertAdjustment(input.adjustmentId, hash, JSON.stringify(result));
    return result;
  });
}
