import { AppFailure } from '../../../shared/contract';
import { HoldGrant, PROTOCOL_VERSION, type HoldRequest, type HoldVoid } from '../../../shared/sync/protocol';
import { uuidv7 } from '../ids';
import { saleKey } from '../ledger/redemption';
import type { SaleResult } from '../ledger/sale';
import { parseInput, SaleInput } from '../ledger/schemas';
import { postSigned, type Stamp } from './hq-clock';
import { verifySigned } from './signing';
import type { HqLink } from './hq-link';
import { bounded, type TransportResult } from './transport';
import { HQ_CALL_BUDGET_MS, PUSH_THROUGH_BUDGET_MS, VOID_BUDGET_MS, within } from './budget';

/**
 * Online redemption as a two-phase hold at HQ (sync-ledger.md §2.7), the
 * terminal's side of src/hq/holds.ts:
 *
 *  1. before a sale spends points, HQ is asked to hold them chain-wide
 *     (available = posted − pending at HQ, whichever store the points came from
 *     and whichever terminal asks); its grant is verified with the pinned key;
 *  2. the sale is committed locally with the hold id in its redeem entry
 *     (`detail.hold_id`): when push delivers that entry, HQ's projector posts
 *     the hold. If HQ went away after the grant the sale still completes — the
 *     points are reserved and the entry reaches HQ later;
 *  3. a sale that fails or is abandoned voids its hold; one that is never
 *     settled either way is released by HQ's clock.
 *
 * A till waits on HQ for HQ_CALL_BUDGET_MS at most (budget.ts): reserving
 * shares it between the push-through, the voids HQ did not hear and the hold;
 * a void after the sale gets VOID_BUDGET_MS, and HQ's timeout covers it if
 * that is not enough.
 *
 * HQ unreachable, slow or overloaded: the sale falls back to the offline path,
 * bounded by HQ's signed allowance — `onReachability(false)` is told first,
 * and it must put the ledger offline (the sync service's reachability does);
 * while the ledger is offline no hold is asked for at all, so a till does not
 * wait for a timeout at every sale. HQ answering "no" (not enough points chain
 * wide, terminal revoked) refuses the redemption: it never falls back.
 */
export interface HoldsOptions extends HqLink {
  /** How long HQ keeps an unsettled hold (10 s … 30 min): past it, HQ releases the points. */
  holdTimeoutMs?: number;
  /** Told whether HQ answered; must set the ledger offline on false (wire the sync service's reachability). */
  onReachability: (reachable: boolean) => void;
  /**
   * Pushes the journal through a seq, bounded in time; true once HQ has it.
   * Without it, points this terminal wrote since its last push are not yet
   * HQ's to hold, and a customer could not spend what they just earned.
   */
  pushThrough?: (seq: number) => Promise<boolean>;
}

/** What backs a sale's redemption before it is committed. */
export type Reservation =
  /** HQ holds the points: commit with `grant.holdId`. */
  | { mode: 'online'; saleKey: string; grant: HoldGrant }
  /** HQ could not be asked: the ledger's offline limits (HQ's signed allowance) bound the sale. */
  | { mode: 'offline'; saleKey: string; reason: string }
  /** The sale spends no points. */
  | { mode: 'none'; saleKey: string };

export type HeldSale = { sale: SaleResult } & (
  | { mode: 'online'; grant: HoldGrant }
  | { mode: 'offline'; reason: string }
  | { mode: 'none' }
);

export interface Holds {
  /**
   * Reserves the points a sale (a SaleInput, as `ledger.commit` takes) would
   * spend. Throws AppFailure when the ledger refuses the sale (bad input, not
   * enough points locally, offline limits) or when HQ refuses the hold; never
   * throws for the network.
   */
  reserve(input: unknown): Promise<Reservation>;
  /**
   * Commits the sale under its reservation; if the commit fails, an online
   * hold is voided and the ledger's error rethrown. A replay of an already
   * committed receipt returns the first result and voids the new hold.
   */
  commit(input: unknown, reservation: Reservation): Promise<SaleResult>;
  /**
   * After a commit made elsewhere under `reservation` (the till API's atomic
   * write): a hold the committed sale does not carry — a replayed receipt, a
   * basket that no longer redeems — is voided now rather than at HQ's timeout.
   */
  settle(reservation: Reservation, sale: SaleResult): Promise<void>;
  /** The sale will not happen: voids its online hold, if any (HQ's timeout covers a void that cannot reach HQ). */
  abandon(reservation: Reservation): Promise<void>;
  /** `reserve` then `commit`: the one call a till integration that commits at payment needs. */
  redeemWithHold(input: unknown): Promise<HeldSale>;
  /** Holds reserved and not yet committed or abandoned, by sale (tillId, receipt). */
  pending(): Array<{ saleKey: string; holdId: string; points: number }>;
}

type Answer = { kind: 'grant'; grant: HoldGrant } | { kind: 'refused'; status: number; code: string; message: string } | { kind: 'unavailable'; reason: string };

const DEFAULT_HOLD_TIMEOUT_MS = 3 * 60_000;

export function createHolds(o: HoldsOptions): Holds {
  const timeoutMs = o.holdTimeoutMs ?? DEFAULT_HOLD_TIMEOUT_MS;
  const open = new Map<string, HoldGrant>();
  /**
   * Voids HQ did not hear (the line was down): sent again before this terminal
   * next asks HQ to hold that customer's points, or the points this till gave
   * back would stay reserved and refuse the customer's next redemption until
   * HQ's timeout. Dropped once that timeout has passed: HQ released them.
   */
  const unheard = new Map<string, { holdId: string; memberId: string; until: number }>();

  /** Reads HQ's answer to a hold or void request as one of three things, checking a grant against what was asked. */
  function read(result: TransportResult, expect: { holdId: string; memberId: string; points?: number }): Answer {
    if (result.kind === 'timeout') return { kind: 'unavailable', reason: 'HQ did not answer in time' };
    if (result.kind === 'unreachable') return { kind: 'unavailable', reason: `HQ unreachable: ${result.detail}` };
    if (result.kind === 'garbage') return { kind: 'unavailable', reason: `HQ answered ${result.status} without JSON` };
    if (result.status >= 500 || result.status === 429) return { kind: 'unavailable', reason: `HQ answered ${result.status}` };
    if (result.status !== 200) {
      const error = (result.body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
      return {
        kind: 'refused',
        status: result.status,
        code: typeof error?.code === 'string' ? error.code : `http_${result.status}`,
        message: typeof error?.message === 'string' ? error.message : 'no reason given',
      };
    }
    const parsed = HoldGrant.safeParse(result.body);
    const grant = parsed.success ? parsed.data : null;
    const problem = !grant
      ? 'not a hold grant'
      : grant.keyId !== o.enrolment.hqKeyId || !verifySigned(o.enrolment.hqPublicKey, grant)
        ? 'grant not signed by the enrolled HQ key'
        : grant.holdId !== expect.holdId || grant.memberId !== expect.memberId || (expect.points !== undefined && grant.points !== expect.points)
          ? `grant is for hold ${grant.holdId} of ${grant.points} points`
          : null;
    // An answer that does not verify is not HQ's word: nothing is redeemed on it, and it is not taken as HQ being away.
    if (problem || !grant) return { kind: 'refused', status: 200, code: 'bad_grant', message: problem ?? 'not a hold grant' };
    return { kind: 'grant', grant };
  }

  function signed<T extends object>(unsigned: T): T & { signature: string } {
    return { ...unsigned, signature: o.key.sign(unsigned) };
  }

  async function voidHold(grant: Pick<HoldGrant, 'holdId' | 'memberId'>, budget: AbortSignal | null): Promise<void> {
    const link = budget ? { ...o, transport: bounded(o.transport, budget) } : o;
    const { result } = await postSigned(link, '/v1/holds/void', (s: Stamp) =>
      signed<Omit<HoldVoid, 'signature'>>({
        protocolVersion: PROTOCOL_VERSION,
        terminalId: o.enrolment.terminalId,
        holdId: grant.holdId,
        memberId: grant.memberId,
        ...s,
        keyId: o.key.keyId,
      }),
    );
    const answer = read(result, grant);
    if (answer.kind === 'unavailable') {
      unheard.set(grant.holdId, { holdId: grant.holdId, memberId: grant.memberId, until: unheard.get(grant.holdId)?.until ?? o.clock.now() + timeoutMs });
    } else unheard.delete(grant.holdId);
    if (answer.kind === 'grant') {
      o.onReachability(true);
      if (answer.grant.status === 'posted') o.logger.warn('HQ hold was already posted when voided', { holdId: grant.holdId });
      return;
    }
    if (answer.kind === 'unavailable') o.onReachability(false);
    o.logger.warn('HQ hold not voided; HQ releases it at its timeout', { holdId: grant.holdId, why: answer.kind === 'refused' ? `${answer.code}: ${answer.message}` : answer.reason });
  }

  async function voidUnheard(memberId: string, budget: AbortSignal): Promise<void> {
    for (const pending of [...unheard.values()]) {
      if (pending.until <= o.clock.now()) unheard.delete(pending.holdId);
      else if (pending.memberId === memberId && !budget.aborted) await voidHold(pending, budget);
    }
  }

  async function reserve(raw: unknown): Promise<Reservation> {
    const input = parseInput(SaleInput, raw, 'sale');
    const key = saleKey(input.tillId, input.receipt);
    // Most sales spend nothing: no preview on the till's hot path for them (the commit checks the basket).
    if (input.redeemPoints === 0 && input.lines.every((l) => l.rewardId == null)) return { mode: 'none', saleKey: key };
    // The ledger's own checks first (local balance, offline limits): HQ is not asked for a sale the till would refuse.
    const points = o.ledger.preview(input).pointsRedeemed;
    if (points === 0) return { mode: 'none', saleKey: key };
    const latest = o.ledger.history(input.memberId, 1)[0];
    // The cashier is waiting: every call to HQ below shares this one budget.
    const budget = AbortSignal.timeout(HQ_CALL_BUDGET_MS);
    if (o.pushThrough && latest && latest.seq > o.ledger.ackCursor().seq && !o.ledger.connectivity().offline) {
      // Not waited on for its answer: if the push fell short, HQ's hold says what it can spend.
      await within(o.pushThrough(latest.seq), AbortSignal.any([budget, AbortSignal.timeout(PUSH_THROUGH_BUDGET_MS)]), () => false);
    }
    if (o.ledger.connectivity().offline) return { mode: 'offline', saleKey: key, reason: 'HQ unreachable: offline limits apply' };
    await voidUnheard(input.memberId, budget);

    const terms = { holdId: uuidv7(o.clock, o.random), memberId: input.memberId, points };
    // A resend (stale, replayed) is signed anew for the same hold id: HQ answers a hold it already made with its grant.
    const { result } = await postSigned({ ...o, transport: bounded(o.transport, budget) }, '/v1/holds', (s: Stamp) =>
      signed<Omit<HoldRequest, 'signature'>>({ protocolVersion: PROTOCOL_VERSION, terminalId: o.enrolment.terminalId, ...terms, timeoutMs, ...s, keyId: o.key.keyId }),
    );
    const answer = read(result, terms);
    if (answer.kind === 'unavailable') {
      o.onReachability(false);
      if (!o.ledger.connectivity().offline) {
        // Committing now would spend without HQ and without limits.
        throw new AppFailure('unavailable', `HQ could not hold the points (${answer.reason}) and the ledger is not offline`, [{ path: 'redeemPoints', message: 'ledger.hq_hold_refused' }]);
      }
      // HQ may have taken the request before the line dropped: void it when it can hear us, else its timeout does.
      void voidHold(terms, null);
      o.logger.warn('HQ hold not possible: redemption under the offline allowance', { reason: answer.reason, points });
      // The limits that apply now are the offline ones: the ledger says whether this sale fits them.
      o.ledger.preview(input);
      return { mode: 'offline', saleKey: key, reason: answer.reason };
    }
    o.onReachability(true);
    if (answer.kind === 'refused') {
      if (answer.code === 'insufficient_points') {
        throw new AppFailure('conflict', `HQ refused the hold: ${answer.message}`, [{ path: 'redeemPoints', message: 'ledger.insufficient_points' }]);
      }
      throw new AppFailure('unavailable', `HQ refused the hold (${answer.code}): ${answer.message}`, [{ path: 'redeemPoints', message: 'ledger.hq_hold_refused' }]);
    }
    if (answer.grant.status !== 'pending') {
      throw new AppFailure('unavailable', `HQ answered a new hold as ${answer.grant.status}`, [{ path: 'redeemPoints', message: 'ledger.hq_hold_refused' }]);
    }
    open.set(key, answer.grant);
    return { mode: 'online', saleKey: key, grant: answer.grant };
  }

  async function commit(raw: unknown, reservation: Reservation): Promise<SaleResult> {
    if (reservation.mode !== 'online') return o.ledger.commit(raw);
    const { grant } = reservation;
    let sale: SaleResult;
    try {
      const input = parseInput(SaleInput, raw, 'sale');
      if (saleKey(input.tillId, input.receipt) !== reservation.saleKey) throw new AppFailure('bad_input', 'this reservation is for another sale');
      // The entry names the hold, so it must spend what HQ held: more would bypass HQ's check.
      const points = o.ledger.preview(input).pointsRedeemed;
      if (points !== grant.points) {
        throw new AppFailure('bad_input', `the sale spends ${points} points, HQ held ${grant.points}`, [{ path: 'redeemPoints', message: 'ledger.hq_hold_refused' }]);
      }
      sale = o.ledger.commit(input, { holdId: grant.holdId });
    } catch (error) {
      open.delete(reservation.saleKey);
      await voidHold(grant, AbortSignal.timeout(VOID_BUDGET_MS));
      throw error;
    }
    await settle(reservation, sale);
    return sale;
  }

  async function settle(reservation: Reservation, sale: SaleResult): Promise<void> {
    if (reservation.mode !== 'online') return;
    const { grant } = reservation;
    open.delete(reservation.saleKey);
    const redeem = sale.entries.find((e) => e.kind === 'redeem');
    const carried = redeem ? o.ledger.history(sale.memberId, sale.entries.length).some((e) => e.entry_id === redeem.entryId && e.detail.hold_id === grant.holdId) : false;
    // A replay of a committed receipt (or a basket that no longer redeems) does not post this hold: free it now.
    if (!carried) await voidHold(grant, AbortSignal.timeout(VOID_BUDGET_MS));
  }

  async function abandon(reservation: Reservation): Promise<void> {
    if (reservation.mode !== 'online') return;
    open.delete(reservation.saleKey);
    await voidHold(reservation.grant, AbortSignal.timeout(VOID_BUDGET_MS));
  }

  return {
    reserve,
    commit,
    settle,
    abandon,
    async redeemWithHold(input) {
      const reservation = await reserve(input);
      const sale = await commit(input, reservation);
      if (reservation.mode === 'online') return { sale, mode: 'online', grant: reservation.grant };
      if (reservation.mode === 'offline') return { sale, mode: 'offline', reason: reservation.reason };
      return { sale, mode: 'none' };
    },
    pending: () => [...open].map(([key, g]) => ({ saleKey: key, holdId: g.holdId, points: g.points })),
  };
}
