import type { Ledger } from '../ledger/ledger';
import type { Clock, Logger, Random } from '../ports';
import type { Enrolment } from './enrolment';
import type { HqClock } from './hq-clock';
import type { TerminalKey } from './keys';
import type { Transport } from './transport';

/** What every exchange with HQ after enrolment works with: the way there, our key, HQ's pinned key, HQ's clock, the ledger. */
export interface HqLink {
  ledger: Ledger;
  transport: Transport;
  key: TerminalKey;
  enrolment: Enrolment;
  clock: Clock;
  /** HQ's time as estimated here: every signed request's sentAt. */
  hqClock: HqClock;
  random: Random;
  logger: Logger;
}
