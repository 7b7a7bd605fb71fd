import { currentAppVersion } from '../app-version';
import type { Db } from '../db/database';
import type { Timers } from '../devices/reconnect';
import type { Monotonic } from '../ledger/journal';
import { systemMonotonic, type Ledger } from '../ledger/ledger';
import type { MemberStore } from '../members/member-store';
import type { Clock, Logger, Random } from '../ports';
import { DEFAULT_SYNC_BACKOFF, fullJitter, type BackoffPolicy } from './backoff';
import { lookupCardAtHq } from './card-lookup';
import { currentEnrolment, enrol, type Enrolment, type EnrolOutcome } from './enrolment';
import { createHolds, type Holds } from './holds';
import { HqClock, postSigned, type Stamp } from './hq-clock';
import { MemberOutbox } from './member-outbox';
import { OfferStatsOutbox } from '../offers/offer-stats';
import { loadOrCreateTerminalKey, type KeyVault, type TerminalKey } from './keys';
import { Puller, type PullOutcome } from './pull';
import { PushLoop, type PushProblem } from './push-loop';
import { bounded, createTransport, type FetchLike, type Transport, type TransportResult } from './transport';
import { FRESH_BALANCE_BUDGET_MS, HQ_CALL_BUDGET_MS, within } from './budget';

export type SyncState = 'idle' | 'pushing' | 'pulling' | 'offline' | 'frozen';

/** What the cashier's sync indicator and the diagnostics view read. */
export interface SyncStatus {
  enrolled: boolean;
  state: SyncState;
  /** Journal entries HQ has not acknowledged. */
  backlog: number;
  headSeq: number;
  ackedSeq: number;
  /** The last authentic answer from HQ (verified receipt, refusal, verified pull), epoch ms. */
  lastContactAt: number | null;
  lastPullAt: number | null;
  nextAttemptAt: number | null;
  /** While catching up: how far from the cursor at the start of the drain to the head it aims at. */
  progress: { done: number; total: number } | null;
  lastError: PushProblem | null;
  /** Why pushing stopped (a frozen stream, a refused terminal, a restart needed). */
  problem: PushProblem | null;
  rejectedReceipts: number;
}

export interface SyncOptions {
  db: Db;
  ledger: Ledger;
  members: MemberStore;
  clock: Clock;
  random: Random;
  logger: Logger;
  fetch: FetchLike;
  timers: Timers;
  hqUrl: string;
  appVersion?: string;
  timeoutMs?: number;
  maxEntries?: number;
  backoff?: BackoffPolicy;
  idleMs?: number;
  pullEveryMs?: number;
  onChange?: (status: SyncStatus) => void;
  /** Seals the terminal's private key at rest (Electron's safeStorage). */
  keyVault?: KeyVault;
  /** How long a redemption waits for this terminal's unsent entries to reach HQ before asking for its hold. */
  holdPushMs?: number;
  /** What HQ's time is measured from between answers (hq-clock.ts); performance.now() by default. */
  monotonic?: Monotonic;
}

export interface Sync {
  readonly key: TerminalKey;
  enrolment(): Enrolment | null;
  enrol(input: { code: string; storeId: string }): Promise<EnrolOutcome>;
  start(): void;
  stop(): void;
  /** A sale was journaled: push soon (no-op while backing off). */
  kick(): void;
  /** Push everything now and then pull, whatever the timers say; resolves when both ended. */
  syncNow(): Promise<void>;
  pull(): Promise<PullOutcome | null>;
  status(): SyncStatus;
  /** Online redemption holds at HQ, once enrolled and started; null before. */
  holds(): Holds | null;
  /**
   * A card no local member holds, asked about at HQ (card-lookup.ts). `pulled`: HQ knows its holder and the pull
   * that followed stored them here with their chain-wide balance; `not_found`: HQ knows no one with it;
   * `unavailable`: not enrolled, HQ known to be away (not asked: a till does not wait at each scan), unreachable,
   * refused, or an answer that does not verify.
   */
  lookupCard(cardNumber: string): Promise<'pulled' | 'not_found' | 'unavailable'>;
  /**
   * Posts a request another service builds (the update status, updates/status-report.ts), signed by this
   * terminal's key with a fresh stamp, through this client's transport and HQ clock (re-signed on `stale` or
   * `replay` like every request); null before enrolment, when there is no one at HQ to tell.
   */
  signedPost<T>(path: string, build: (stamp: Stamp, key: TerminalKey, enrolment: Enrolment) => T): Promise<TransportResult | null>;
  /**
   * A customer was identified: pulls now, so the till shows HQ's current chain-wide balances, waiting for it
   * FRESH_BALANCE_BUDGET_MS at most (a pull still running then lands later, and the screens follow). True when
   * a pull was applied in time; false offline, before enrolment, or late — the local view stands.
   */
  refreshBalances(): Promise<boolean>;
}

/**
 * How often an idle terminal pulls: a redemption in another store shows here
 * within this (plus a round trip) even for a customer already on screen.
 * Identifying a customer and selling pull sooner.
 */
export const DEFAULT_PULL_EVERY_MS = 5_000;
/** After a sale here, the next pull comes this soon (the store is busy: balances move). */
const ACTIVITY_PULL_MS = 1_000;
/**
 * While HQ does not answer at all (refused connections, timeouts), the pull
 * looks again at most this long after: the first answer puts the terminal
 * back online, so its new entries stop being written as offline ones. Longer
 * backoffs are for an HQ that answers "later" (429, 503, Retry-After).
 */
export const OFFLINE_PROBE_MS = 3_000;
/** A redemption at the till waits at most this for a push; usually one round trip, since each sale kicks one. */
const HOLD_PUSH_MS = 3_000;

/**
 * The terminal's HQ sync: enrolment, the push loop, the pull timer, and the
 * connectivity flag the ledger's offline limits hang on (`ledger.setOffline`
 * follows whether HQ answered). Built once by the core; nothing starts until
 * `start()`, and nothing runs before the terminal is enrolled.
 */
export function createSync(o: SyncOptions): Sync {
  const key = loadOrCreateTerminalKey(o.db, o.clock, o.keyVault);
  const network = createTransport({ fetch: o.fetch, hqUrl: o.hqUrl, timers: o.timers, clock: o.clock, timeoutMs: o.timeoutMs ?? 15_000 });
  /**
   * Requests are numbered so a failure can be dated: a request that went out
   * before HQ's last answer and failed after it (sent to a hung HQ, cut when
   * the link came back) says nothing about HQ now, and must not put the
   * terminal back offline — its next entries would be flagged offline again.
   */
  let requests = 0;
  let heardThrough = 0;
  let failedRequest = 0;
  const transport: Transport = {
    async post(path, body, options) {
      const n = ++requests;
      const result = await network.post(path, body, options);
      if (result.kind !== 'answer' || result.status >= 500 || result.status === 429) failedRequest = n;
      return result;
    },
  };
  const appVersion = o.appVersion ?? currentAppVersion().version;
  const hqClock = new HqClock(o.clock, o.monotonic ?? systemMonotonic);
  let push: PushLoop | null = null;
  let puller: Puller | null = null;
  let holds: Holds | null = null;
  let outbox: MemberOutbox | null = null;
  let offerStats: OfferStatsOutbox | null = null;
  let started = false;
  let pullTimer: unknown = null;
  let pullDueAt: number | null = null;
  let pullFailures = 0;
  let lastContactAt: number | null = null;
  let lastPullAt: number | null = null;
  let offline: boolean | null = null;
  let startProblem: PushProblem | null = null;

  async function pushThrough(seq: number): Promise<boolean> {
    const loop = push;
    if (!loop) return false;
    let timer: unknown = null;
    const late = new Promise<boolean>((resolve) => (timer = o.timers.setTimeout(() => resolve(false), o.holdPushMs ?? HOLD_PUSH_MS)));
    try {
      return await Promise.race([loop.pushThrough(seq), late]);
    } finally {
      o.timers.clearTimeout(timer);
    }
  }

  const status = (): SyncStatus => {
    const head = o.ledger.head();
    const acked = o.ledger.ackCursor().seq;
    const p = push?.status() ?? null;
    const problem = p?.frozen ?? startProblem;
    const state: SyncState = problem ? 'frozen' : p?.inFlight ? 'pushing' : puller?.busy ? 'pulling' : offline ? 'offline' : 'idle';
    const catchUp = p?.catchUp ?? null;
    return {
      enrolled: currentEnrolment(o.db, o.ledger.terminalId) !== null,
      state,
      backlog: head.seq - acked,
      headSeq: head.seq,
      ackedSeq: acked,
      lastContactAt,
      lastPullAt,
      nextAttemptAt: p?.nextAttemptAt ?? null,
      progress: catchUp ? { done: Math.max(0, acked - catchUp.fromSeq), total: catchUp.targetSeq - catchUp.fromSeq } : null,
      lastError: p?.lastError ?? null,
      problem,
      rejectedReceipts: p?.rejectedReceipts ?? 0,
    };
  };
  const changed = () => o.onChange?.(status());

  function reachability(reachable: boolean): void {
    if (reachable) {
      lastContactAt = o.clock.now();
      heardThrough = requests;
    } else if (failedRequest <= heardThrough) return;
    if (offline === !reachable) return;
    // Back: the backlog leaves now rather than at the end of a long backoff drawn while HQ was away.
    if (reachable && offline === true) push?.wake(ACTIVITY_PULL_MS);
    offline = !reachable;
    try {
      o.ledger.setOffline(!reachable);
    } catch (error) {
      o.logger.error('could not record the connectivity change', { error: String(error) });
    }
    o.logger.info(reachable ? 'HQ reachable' : 'HQ unreachable: offline limits apply', {});
    changed();
  }

  function schedulePull(ms: number): void {
    if (pullTimer !== null) o.timers.clearTimeout(pullTimer);
    pullDueAt = o.clock.now() + ms;
    pullTimer = o.timers.setTimeout(() => {
      pullTimer = null;
      pullDueAt = null;
      void runPull();
    }, ms);
  }

  /** Brings the next pull forward to `ms` from now, if it was due later. */
  function pullWithin(ms: number): void {
    if (!started || (pullDueAt !== null && pullDueAt <= o.clock.now() + ms)) return;
    schedulePull(ms);
  }

  /** The loops for the current enrolment, if the running ledger writes its epoch with our key. */
  function ensureBuilt(): boolean {
    if (push && puller) return true;
    const enrolment = currentEnrolment(o.db, o.ledger.terminalId);
    if (!enrolment || enrolment.epoch !== o.ledger.policy.epoch || enrolment.terminalKeyId !== key.keyId) return false;
    build(enrolment);
    return true;
  }

  /** Members enrolled here go to HQ before the pull, so the store's other terminals get them on theirs. */
  async function flushMembers(): Promise<void> {
    if (!outbox || outbox.pending() === 0) return;
    const flushed = await outbox.flush();
    if (!flushed.ok && flushed.code !== 'unreachable' && flushed.code !== 'timeout') o.logger.warn('member records not accepted by HQ', { code: flushed.code, message: flushed.message });
  }

  /** Offer counts ride with the pull's rhythm: a day HQ did not take stays queued for the next. */
  async function flushOfferStats(): Promise<void> {
    if (!offerStats || offerStats.pending() === 0) return;
    const flushed = await offerStats.flush();
    if (!flushed.ok && flushed.code !== 'unreachable' && flushed.code !== 'timeout') o.logger.warn('offer counts not accepted by HQ', { code: flushed.code, message: flushed.message });
  }

  async function runPull(): Promise<PullOutcome | null> {
    if (!ensureBuilt() || !puller) return null;
    await flushMembers();
    await flushOfferStats();
    const outcome = await puller.pull();
    if (outcome.ok) {
      pullFailures = 0;
      lastPullAt = outcome.appliedAt;
      reachability(true);
    } else if (outcome.code === 'unreachable' || outcome.code === 'timeout' || outcome.code === 'garbage') {
      reachability(false);
      pullFailures++;
    } else {
      pullFailures++;
    }
    if (started) {
      const every = o.pullEveryMs ?? DEFAULT_PULL_EVERY_MS;
      const policy = o.backoff ?? DEFAULT_SYNC_BACKOFF;
      const silent = !outcome.ok && (outcome.code === 'unreachable' || outcome.code === 'timeout');
      const backoff = silent ? { ...policy, capMs: Math.min(policy.capMs, OFFLINE_PROBE_MS) } : policy;
      const wait = outcome.ok ? every : Math.max(outcome.retryAfterMs ?? 0, Math.min(every, fullJitter(pullFailures, backoff, o.random)));
      schedulePull(wait);
    }
    changed();
    return outcome;
  }

  function build(enrolment: Enrolment): void {
    push = new PushLoop({
      ledger: o.ledger,
      transport,
      key,
      enrolment,
      clock: o.clock,
      hqClock,
      random: o.random,
      timers: o.timers,
      logger: o.logger,
      appVersion,
      maxEntries: o.maxEntries,
      backoff: o.backoff,
      idleMs: o.idleMs,
      onReachability: reachability,
      onChange: changed,
    });
    const link = { transport, key, enrolment, clock: o.clock, hqClock, random: o.random, logger: o.logger };
    puller = new Puller({ db: o.db, ledger: o.ledger, members: o.members, ...link });
    outbox = new MemberOutbox({ db: o.db, ...link });
    offerStats = new OfferStatsOutbox({ db: o.db, ...link });
    holds = createHolds({ ledger: o.ledger, ...link, onReachability: reachability, pushThrough });
  }

  return {
    key,
    enrolment: () => currentEnrolment(o.db, o.ledger.terminalId),
    async enrol({ code, storeId }) {
      const outcome = await enrol({ db: o.db, ledger: o.ledger, key, transport, clock: o.clock, logger: o.logger, storeId, code, appVersion, hqClock });
      if (started) {
        this.stop();
        this.start();
      }
      return outcome;
    },
    start() {
      if (started) return;
      started = true;
      startProblem = null;
      const enrolment = currentEnrolment(o.db, o.ledger.terminalId);
      if (!enrolment) {
        o.logger.info('sync idle: this terminal is not enrolled with HQ', {});
        changed();
        return;
      }
      if (enrolment.epoch !== o.ledger.policy.epoch || enrolment.terminalKeyId !== key.keyId) {
        startProblem = {
          code: 'restart_required',
          message: `enrolled epoch ${enrolment.epoch} with key ${enrolment.terminalKeyId}; the ledger writes epoch ${o.ledger.policy.epoch} and the key is ${key.keyId}`,
          at: o.clock.now(),
        };
        o.logger.error('sync not started', { problem: startProblem.message });
        changed();
        return;
      }
      ensureBuilt();
      push!.start();
      schedulePull(0);
    },
    stop() {
      started = false;
      push?.stop();
      if (pullTimer !== null) o.timers.clearTimeout(pullTimer);
      pullTimer = null;
      pullDueAt = null;
      push = null;
      puller = null;
      holds = null;
      outbox = null;
      changed();
    },
    kick() {
      push?.kick();
      // While HQ is away this is also the probe that finds it back: the push loop may be deep in a backoff.
      pullWithin(ACTIVITY_PULL_MS);
    },
    async syncNow() {
      await push?.runNow();
      await runPull();
    },
    pull: () => runPull(),
    status,
    holds: () => holds,
    async refreshBalances() {
      if (!ensureBuilt()) return false;
      const pulled = runPull();
      // Known away: the local view now; the pull is the probe that finds HQ back.
      if (offline === true) {
        void pulled.catch(() => {});
        return false;
      }
      const outcome = await within(pulled, AbortSignal.timeout(FRESH_BALANCE_BUDGET_MS), () => null);
      return outcome?.ok === true;
    },
    async signedPost(path, build) {
      const enrolment = ensureBuilt() ? currentEnrolment(o.db, o.ledger.terminalId) : null;
      if (!enrolment) return null;
      const { result } = await postSigned({ transport, hqClock, random: o.random }, path, (stamp) => build(stamp, key, enrolment));
      return result;
    },
    async lookupCard(cardNumber) {
      const enrolment = ensureBuilt() ? currentEnrolment(o.db, o.ledger.terminalId) : null;
      if (!enrolment || offline === true) return 'unavailable';
      // A scan waits on this: the lookup and the pulls after it share the till's budget for HQ.
      const budget = AbortSignal.timeout(HQ_CALL_BUDGET_MS);
      const found = await lookupCardAtHq({ transport: bounded(transport, budget), key, enrolment, hqClock, random: o.random }, cardNumber);
      if (found.kind === 'unavailable') {
        if (found.reason === 'refused') reachability(true);
        else if (found.reason !== 'bad_signature') reachability(false);
        o.logger.warn('card lookup at HQ not possible', { reason: found.reason, message: found.message });
        return 'unavailable';
      }
      reachability(true);
      if (found.kind === 'not_found') return 'not_found';
      // A pull already running when HQ made the link joins us and may not carry the member: then one more.
      for (let attempt = 0; attempt < 2; attempt++) {
        // Late, the pull still brings the member: the next scan finds them here.
        const outcome = await within(runPull(), budget, () => null);
        if (!outcome?.ok) return 'unavailable';
        if (o.members.summary(found.memberId)) return 'pulled';
      }
      o.logger.warn('HQ found the card but the pull did not bring its member', { memberId: found.memberId });
      return 'unavailable';
    },
  };
}
