import type { Db } from '../db/database';
import type { Clock, Logger, Random } from '../ports';
import type { ChainPositions } from './chain-view';
import type { Journal, Monotonic } from './journal';
import type { Lots } from './lots';
import type { OfflineLimits, OfflineSession } from './offline';
import type { Holds } from './redemption';
import type { ProgramRules } from './rules';
import type { LedgerStore } from './store';
import type { LedgerVouchers } from '../vouchers/voucher-book';
import type { RegularityHook } from '../regularity/regularity-book';

/** Terminal-side policy: what HQ will eventually sign and send, configured locally until then. */
export interface LedgerPolicy {
  /** The stream's epoch; a re-imaged terminal starts a new one (with HQ, later). */
  epoch: number;
  offlineLimits: OfflineLimits;
  /** A redemption held by an unfinished sale lapses after this (monotonic ms). */
  holdTimeoutMs: number;
  /** Adjustments above this many points (either way) need a manager's PIN. */
  managerThresholdPoints: number;
  /** 'scrypt$N$r$p$salt$hash' (manager-pin.ts), or null: no adjustment above the threshold. */
  managerPinHash: string | null;
}

/** What every ledger operation works with; built once by createLedger. */
export interface LedgerContext {
  db: Db;
  rules: ProgramRules;
  policy: LedgerPolicy;
  clock: Clock;
  random: Random;
  monotonic: Monotonic;
  logger: Logger;
  journal: Journal;
  lots: Lots;
  holds: Holds;
  offline: OfflineSession;
  store: LedgerStore;
  /** Members' chain-wide positions from HQ's last pull (chain-view.ts). */
  chain: ChainPositions;
  /** Basic members' vouchers (vouchers/voucher-book.ts); absent: sales neither issue nor take any. */
  vouchers?: LedgerVouchers;
  /** Members' visit weeks and streak bonus (regularity/regularity-book.ts); absent: no sale counts visits. */
  regularity?: RegularityHook;
  /** Runs `fn` in one IMMEDIATE transaction: everything it writes lands together or not at all. */
  write<T>(fn: () => T): T;
}
