import { AppFailure, type SyncStatusView } from '../../../shared/contract';
import type { TerminalConfig } from '../config/terminal-config';
import type { Db } from '../db/database';
import type { Timers } from '../devices/reconnect';
import type { EventBus } from '../events';
import type { Ledger } from '../ledger/ledger';
import type { SaleResult } from '../ledger/sale';
import type { MemberStore } from '../members/member-store';
import type { Clock, Logger, Random } from '../ports';
import type { Handlers } from '../rpc/dispatch';
import { cardPageUrl } from './card-page-link';
import { shareUrl } from './share-link';
import { currentEnrolment, EnrolmentError } from './enrolment';
import type { Reservation } from './holds';
import { ReceiptExceptions } from './receipt-exceptions';
import type { KeyVault } from './keys';
import { createSync, type Sync } from './sync-service';
import type { FetchLike } from './transport';

export interface TerminalSyncOptions {
  db: Db;
  ledger: Ledger;
  members: MemberStore;
  bus: EventBus;
  config: Pick<TerminalConfig, 'hq' | 'storeId'>;
  clock: Clock;
  random: Random;
  logger: Logger;
  fetch: FetchLike;
  timers: Timers;
  appVersion: string;
  keyVault?: KeyVault;
}

export type SyncHandlers = Pick<Handlers, 'sync.status' | 'sync.now' | 'sync.enrol'>;

/**
 * The core's side of the HQ link: builds the sync client when an HQ is
 * configured, turns its status into the view the cashier screen shows, and
 * pushes soon after each sale. A terminal without an HQ still answers, as
 * `unconfigured`, so the screens never have to ask first.
 */
export class TerminalSync {
  readonly client: Sync | null;
  private lastSent = '';
  private readonly exceptions: ReceiptExceptions;

  constructor(private readonly o: TerminalSyncOptions) {
    this.client = o.config.hq
      ? createSync({
          db: o.db,
          ledger: o.ledger,
          members: o.members,
          clock: o.clock,
          random: o.random,
          logger: o.logger,
          fetch: o.fetch,
          timers: o.timers,
          hqUrl: o.config.hq.url.endsWith('/') ? o.config.hq.url : `${o.config.hq.url}/`,
          appVersion: o.appVersion,
          pullEveryMs: o.config.hq.pullEveryMs,
          onChange: () => this.announce(),
          keyVault: o.keyVault,
        })
      : null;
    this.exceptions = new ReceiptExceptions(o.db, o.ledger.terminalId);
    // Points moved: a sale, a refund or an adjustment was journaled; send it now rather than at the next idle tick.
    o.bus.subscribe((name) => {
      if (name === 'points.moved') this.client?.kick();
    });
  }

  start(): void {
    this.client?.start();
    this.announce();
  }

  stop(): void {
    this.client?.stop();
  }

  view(): SyncStatusView {
    const head = this.o.ledger.head().seq;
    const acked = this.o.ledger.ackCursor().seq;
    const enrolment = currentEnrolment(this.o.db, this.o.ledger.terminalId);
    const exceptions = this.exceptions.summary();
    const base = {
      terminalId: this.o.ledger.terminalId,
      storeId: enrolment?.storeId ?? this.o.config.storeId ?? null,
      backlog: head - acked,
      headSeq: head,
      ackedSeq: acked,
      hqExceptions: exceptions.count,
      hqExceptionsRecent: exceptions.recent.map(({ entryId, kind, detail, ackedAt }) => ({ entryId, kind, detail, ackedAt })),
    };
    const s = this.client?.status();
    if (!s) {
      return { ...base, state: 'unconfigured', lastContactAt: null, lastPullAt: null, nextAttemptAt: null, progress: null, lastError: null, problem: null };
    }
    return {
      ...base,
      state: s.enrolled ? s.state : 'unenrolled',
      lastContactAt: s.lastContactAt,
      lastPullAt: s.lastPullAt,
      nextAttemptAt: s.nextAttemptAt,
      progress: s.progress,
      lastError: s.lastError,
      problem: s.problem,
    };
  }

  /**
   * Before a sale that spends points: HQ holds them chain-wide when it can be
   * reached; otherwise the ledger's offline limits (HQ's signed allowance)
   * bound the sale. Null when there is no HQ to ask or nothing to hold.
   */
  async reserve(saleInput: unknown): Promise<Reservation | null> {
    const holds = this.client?.holds();
    if (!holds) return null;
    return holds.reserve(saleInput);
  }

  /** The sale under `reservation` will not be committed: HQ frees the points now rather than at its timeout. */
  async abandon(reservation: Reservation | null): Promise<void> {
    const holds = this.client?.holds();
    if (!reservation || !holds) return;
    await holds.abandon(reservation).catch((error: unknown) => this.o.logger.warn('could not void an HQ hold; HQ releases it at its timeout', { error: String(error) }));
  }

  /** The sale under `reservation` was committed: a hold it does not carry (a replayed receipt) is freed now. */
  async settle(reservation: Reservation | null, sale: SaleResult): Promise<void> {
    const holds = this.client?.holds();
    if (!reservation || !holds) return;
    await holds.settle(reservation, sale).catch((error: unknown) => this.o.logger.warn('could not settle an HQ hold; HQ releases it at its timeout', { error: String(error) }));
  }

  /** A customer is being identified: HQ's current balances first, within a second (sync-service.ts); the local view after it. */
  async refreshBalances(): Promise<void> {
    if (!this.client) return;
    await this.client.refreshBalances().catch((error: unknown) => this.o.logger.warn('fresh balances from HQ failed; the local view stands', { error: String(error) }));
  }

  /** A card this terminal has not seen: HQ links its holder to this store and the pull brings them, when HQ answers. */
  async lookupCard(cardNumber: string): Promise<'pulled' | 'not_found' | 'unavailable'> {
    if (!this.client) return 'unavailable';
    return this.client.lookupCard(cardNumber).catch((error: unknown) => {
      this.o.logger.warn('card lookup at HQ failed', { error: String(error) });
      return 'unavailable' as const;
    });
  }

  /**
   * The link to a new member's card page at HQ, for the card QR; null without an HQ, before enrolment, or while
   * the key in use is not the one HQ enrolled (HQ would not verify the link). The member is sent to HQ now rather
   * than at the next pull, so the page answers when the customer's phone opens it a few seconds later.
   */
  issueCardPageUrl(memberId: string): string | null {
    const enrolment = this.client?.enrolment();
    if (!this.client || !this.o.config.hq || !enrolment || enrolment.terminalKeyId !== this.client.key.keyId) return null;
    const url = cardPageUrl({ hqUrl: this.o.config.hq.url, terminalId: enrolment.terminalId, key: this.client.key, memberId, now: this.o.clock.now() });
    if (url) void this.client.pull().catch((error: unknown) => this.o.logger.warn('sending the new member to HQ failed; the next pull will', { error: String(error) }));
    return url;
  }

  /**
   * A link for a friend's phone (shared/sync/share-link.ts), signed now, offline or not; null on a terminal
   * with no enrolment of its current key, whose signature HQ could not check.
   */
  issueShareUrl(kind: 'product' | 'offer', id: string, label?: { fr: string; en: string }): { url: string; expiresOn: string } | null {
    const enrolment = this.client?.enrolment();
    if (!this.client || !this.o.config.hq || !enrolment || enrolment.terminalKeyId !== this.client.key.keyId) return null;
    return shareUrl({ hqUrl: this.o.config.hq.url, terminalId: enrolment.terminalId, key: this.client.key, kind, id, ...(label ? { label } : {}), now: this.o.clock.now() });
  }

  readonly handlers: SyncHandlers = {
    'sync.status': () => this.view(),
    'sync.now': async () => {
      await this.client?.syncNow();
      return this.view();
    },
    'sync.enrol': async (_ctx, { code, storeId }) => {
      if (!this.client) throw new AppFailure('unavailable', 'no HQ is configured on this terminal');
      try {
        const { restartRequired } = await this.client.enrol({ code, storeId });
        if (restartRequired) throw new AppFailure('conflict', 'enrolled into a new epoch: restart the terminal to use it');
      } catch (error) {
        if (error instanceof EnrolmentError) throw enrolmentFailure(error);
        throw error;
      }
      void this.client.syncNow().catch((error: unknown) => this.o.logger.error('first sync after enrolment failed', { error: String(error) }));
      return this.view();
    },
  };

  /** Only real changes reach the screens: the push loop reports often. */
  private announce(): void {
    const view = this.view();
    const key = JSON.stringify(view);
    if (key === this.lastSent) return;
    this.lastSent = key;
    this.o.bus.emit('sync.changed', view);
  }
}

/** HQ refused the code itself (not this terminal): the cashier can fix it by typing another. */
const CODE_FAULTS = new Set(['invalid_code', 'code_used', 'code_expired', 'store_mismatch', 'terminal_mismatch', 'too_many_failures']);

function enrolmentFailure(error: EnrolmentError): AppFailure {
  const message = `sync.enrol.${error.hqCode ?? error.code}`;
  switch (error.code) {
    case 'already_enrolled':
    case 'journal_not_empty':
      return new AppFailure('conflict', error.message, [{ path: 'code', message }]);
    case 'refused':
      return new AppFailure(CODE_FAULTS.has(error.hqCode ?? '') ? 'bad_input' : 'conflict', error.message, [
        { path: error.hqCode === 'store_mismatch' ? 'storeId' : 'code', message },
      ]);
    case 'unreachable':
    case 'bad_receipt':
      return new AppFailure('unavailable', error.message, [{ path: 'code', message }]);
    case 'ledger_damaged':
      return new AppFailure('ledger_damaged', error.message, [{ path: '', message: 'ledger.damaged' }]);
  }
}
