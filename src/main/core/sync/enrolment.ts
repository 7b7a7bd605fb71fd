import type { Db } from '../db/database';
import { PROVISIONAL_GENESIS } from '../ledger/chain';
import type { Ledger } from '../ledger/ledger';
import type { Clock, Logger } from '../ports';
import { EnrolmentReceipt, PROTOCOL_VERSION, type EnrolRequest, type OfflineAllowance } from '../../../shared/sync/protocol';
import type { HqClock } from './hq-clock';
import type { TerminalKey } from './keys';
import { publicKeyFromRaw, verifySigned } from './signing';
import type { Transport } from './transport';

/**
 * Enrolment (sync-ledger.md §2.2): an IT operator's one-time code registers
 * this terminal's key with HQ; HQ answers with a signed receipt naming its own
 * key, the epoch and its genesis, and the first offline allowance.
 *
 * Trust on first use: the receipt is verified with the HQ key it carries, and
 * that key is then pinned (sync_enrolment.hq_public_key) — every later
 * receipt, pull and allowance must verify with it. What protects the first
 * contact is the operator code and the HQ URL configured by IT (HTTPS in the
 * field), not the signature.
 *
 * Genesis: an EMPTY stream adopts HQ's genesis (migration 5 allows exactly
 * that update). A terminal that already sold before enrolment (epoch 1,
 * chained to the provisional genesis) tells HQ so, and HQ adopts the
 * provisional genesis for epoch 1 instead: the entries are never re-chained,
 * they travel in signed batches like any others. Only a first enrolment can
 * carry such a history; after HQ answered, the receipt must name exactly the
 * genesis the journal already starts from.
 */
export interface Enrolment {
  terminalId: string;
  storeId: string;
  epoch: number;
  genesisHash: string;
  terminalKeyId: string;
  hqKeyId: string;
  hqPublicKey: string;
  enrolledAt: number;
}

export type EnrolFailureCode =
  | 'already_enrolled'
  | 'journal_not_empty'
  | 'unreachable'
  | 'refused'
  | 'bad_receipt'
  /** The journal failed its check at start: HQ must not adopt a history this terminal cannot vouch for. */
  | 'ledger_damaged';

export class EnrolmentError extends Error {
  constructor(
    readonly code: EnrolFailureCode,
    message: string,
    /** HQ's error code when HQ refused (invalid_code, code_used, revoked…). */
    readonly hqCode: string | null = null,
  ) {
    super(message);
    this.name = 'EnrolmentError';
  }
}

interface EnrolmentRow {
  terminal_id: string;
  store_id: string;
  epoch: number;
  genesis_hash: string;
  terminal_key_id: string;
  hq_key_id: string;
  hq_public_key: string;
  enrolled_at: number;
}

export function currentEnrolment(db: Db, terminalId: string): Enrolment | null {
  const row = db
    .prepare<[string], EnrolmentRow>(
      `SELECT terminal_id, store_id, epoch, genesis_hash, terminal_key_id, hq_key_id, hq_public_key, enrolled_at
       FROM sync_enrolment WHERE terminal_id = ? ORDER BY epoch DESC LIMIT 1`,
    )
    .get(terminalId);
  if (!row) return null;
  return {
    terminalId: row.terminal_id,
    storeId: row.store_id,
    epoch: row.epoch,
    genesisHash: row.genesis_hash,
    terminalKeyId: row.terminal_key_id,
    hqKeyId: row.hq_key_id,
    hqPublicKey: row.hq_public_key,
    enrolledAt: row.enrolled_at,
  };
}

/** Why HQ's receipt cannot be taken, or null. */
export function receiptProblem(receipt: EnrolmentReceipt, expect: { terminalId: string; storeId: string; keyId: string }): string | null {
  if (receipt.terminalId !== expect.terminalId) return `receipt names terminal ${receipt.terminalId}`;
  if (receipt.storeId !== expect.storeId) return `receipt names store ${receipt.storeId}`;
  if (receipt.terminalKeyId !== expect.keyId) return `receipt enrols key ${receipt.terminalKeyId}, not ours`;
  if (!publicKeyFromRaw(receipt.hqPublicKey)) return 'hqPublicKey is not an Ed25519 key';
  if (!verifySigned(receipt.hqPublicKey, receipt)) return 'receipt signature does not verify with the HQ key it carries';
  const { allowance } = receipt;
  if (allowance.keyId !== receipt.keyId || !verifySigned(receipt.hqPublicKey, allowance)) return 'allowance is not signed by the same HQ key';
  if (allowance.terminalId !== expect.terminalId) return `allowance is for terminal ${allowance.terminalId}`;
  return null;
}

function streamState(db: Db, terminalId: string, epoch: number): { genesis: string | null; entries: number } {
  const genesis = db.prepare<[string, number], { genesis_hash: string }>('SELECT genesis_hash FROM ledger_stream WHERE terminal_id = ? AND epoch = ?').get(terminalId, epoch);
  const count = db.prepare<[string, number], { n: number }>('SELECT count(*) AS n FROM ledger_entry WHERE terminal_id = ? AND epoch = ?').get(terminalId, epoch)!.n;
  return { genesis: genesis?.genesis_hash ?? null, entries: count };
}

export const ALLOWANCE_STATE_KEY = 'allowance';

export function storeAllowance(db: Db, allowance: OfflineAllowance): void {
  db.prepare('INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(ALLOWANCE_STATE_KEY, JSON.stringify(allowance));
}

export interface EnrolOptions {
  db: Db;
  ledger: Ledger;
  key: TerminalKey;
  transport: Transport;
  clock: Clock;
  logger: Logger;
  storeId: string;
  code: string;
  appVersion: string;
  /** Set from the receipt's issuedAt: the first signed requests are then dated in HQ's time. */
  hqClock?: HqClock;
}

export interface EnrolOutcome {
  enrolment: Enrolment;
  /** The running ledger writes another epoch: the terminal must restart with `policy.epoch = enrolment.epoch`. */
  restartRequired: boolean;
}

export async function enrol(o: EnrolOptions): Promise<EnrolOutcome> {
  const terminalId = o.ledger.terminalId;
  if (currentEnrolment(o.db, terminalId)) {
    throw new EnrolmentError('already_enrolled', 'this terminal is already enrolled; re-enrolment into a new epoch is not supported yet');
  }
  if (o.ledger.integrity().state === 'damaged') {
    throw new EnrolmentError('ledger_damaged', 'the points journal failed its check at start: enrolment waits until support has repaired it');
  }
  const local = streamState(o.db, terminalId, o.ledger.policy.epoch);
  let history: EnrolRequest['history'];
  if (local.entries > 0) {
    if (o.ledger.policy.epoch !== 1 || local.genesis !== PROVISIONAL_GENESIS) {
      throw new EnrolmentError('journal_not_empty', `epoch ${o.ledger.policy.epoch} already holds ${local.entries} entries under a genesis HQ did not issue to this key`);
    }
    const head = o.ledger.head();
    history = { epoch: 1, genesisHash: PROVISIONAL_GENESIS, headSeq: head.seq, headHash: head.hash };
  }

  const request: EnrolRequest = {
    protocolVersion: PROTOCOL_VERSION,
    code: o.code,
    terminalId,
    storeId: o.storeId,
    publicKey: o.key.publicKey,
    keyId: o.key.keyId,
    appVersion: o.appVersion,
    ...(history ? { history } : {}),
  };
  const result = await o.transport.post('/v1/terminals/enrol', request);
  if (result.kind === 'timeout' || result.kind === 'unreachable') throw new EnrolmentError('unreachable', `HQ could not be reached (${result.kind})`);
  if (result.kind === 'garbage') throw new EnrolmentError('bad_receipt', `HQ answered ${result.status} with ${result.detail}`);
  if (result.status !== 200) {
    const error = (result.body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    const hqCode = typeof error?.code === 'string' ? error.code : null;
    throw new EnrolmentError('refused', `HQ refused the enrolment (${result.status}): ${typeof error?.message === 'string' ? error.message : 'no reason given'}`, hqCode);
  }
  const parsed = EnrolmentReceipt.safeParse(result.body);
  if (!parsed.success) throw new EnrolmentError('bad_receipt', `HQ's receipt is malformed: ${parsed.error.issues[0]?.message ?? ''}`);
  const receipt = parsed.data;
  const problem = receiptProblem(receipt, { terminalId, storeId: o.storeId, keyId: o.key.keyId });
  if (problem) throw new EnrolmentError('bad_receipt', problem);
  o.hqClock?.observe(receipt.issuedAt);

  const now = o.clock.now();
  o.db.transaction(() => {
    const stream = streamState(o.db, terminalId, receipt.epoch);
    if (stream.genesis === null) {
      o.db.prepare('INSERT INTO ledger_stream (terminal_id, epoch, genesis_hash, opened_at) VALUES (?, ?, ?, ?)').run(terminalId, receipt.epoch, receipt.genesisHash, now);
    } else if (stream.genesis !== receipt.genesisHash) {
      if (stream.entries > 0 || stream.genesis !== PROVISIONAL_GENESIS) {
        throw new EnrolmentError('journal_not_empty', `epoch ${receipt.epoch} already holds entries under another genesis; HQ's enrolment cannot be adopted`);
      }
      o.db.prepare('UPDATE ledger_stream SET genesis_hash = ? WHERE terminal_id = ? AND epoch = ?').run(receipt.genesisHash, terminalId, receipt.epoch);
    }
    o.db
      .prepare(
        `INSERT INTO sync_enrolment (terminal_id, epoch, store_id, terminal_key_id, hq_key_id, hq_public_key, genesis_hash, receipt, enrolled_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(terminalId, receipt.epoch, receipt.storeId, receipt.terminalKeyId, receipt.keyId, receipt.hqPublicKey, receipt.genesisHash, JSON.stringify(receipt), now);
    storeAllowance(o.db, receipt.allowance);
  }).immediate();

  const enrolment = currentEnrolment(o.db, terminalId)!;
  const restartRequired = enrolment.epoch !== o.ledger.policy.epoch;
  o.logger.info('terminal enrolled with HQ', { terminalId, storeId: enrolment.storeId, epoch: enrolment.epoch, hqKeyId: enrolment.hqKeyId, restartRequired });
  return { enrolment, restartRequired };
}
