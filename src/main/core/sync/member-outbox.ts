import type { Db } from '../db/database';
import { memberIdentity } from '../members/member-store';
import type { Clock, Logger, Random } from '../ports';
import {
  MAX_INTAKE_MEMBERS,
  MemberIntakeReceipt,
  MemberIntakeRecord,
  PROTOCOL_VERSION,
  type MemberIntake,
} from '../../../shared/sync/protocol';
import type { Enrolment } from './enrolment';
import { postSigned, type HqClock, type Stamp } from './hq-clock';
import type { TerminalKey } from './keys';
import { verifySigned } from './signing';
import type { Transport } from './transport';
import { SingleFlight } from './single-flight';

/**
 * Member records to HQ (POST /v1/members), from the member_outbox table that
 * migration 6 fills by trigger in the very transaction that creates a member:
 * a crash either leaves the member and its outbox row, or neither. A row is
 * deleted only from a receipt HQ signed with the key pinned at enrolment that
 * accounts for every record sent, so a lost answer means a resend, and HQ
 * takes a resend as `unchanged`. A record HQ refuses as invalid is kept,
 * marked `rejected`, and no longer sent: it must not hold the others back.
 *
 * The record is read when it is sent, never copied at enrolment: only what HQ
 * needs (names, contact, locale, cards, the consent history with its wording
 * versions); a provisional member sends its card and nothing else.
 *
 * Driving it: `flush()` before each push (the sync service's `syncNow` and the
 * push loop's wake-ups), after an enrolment, and whenever `pending() > 0` on
 * the pull timer. One flush at a time; a second call joins the running one.
 */
export interface MemberOutboxOptions {
  db: Db;
  transport: Transport;
  key: TerminalKey;
  enrolment: Enrolment;
  clock: Clock;
  hqClock: HqClock;
  random: Random;
  logger: Logger;
  /** Records per request (≤ MAX_INTAKE_MEMBERS). */
  batchSize?: number;
}

export type MemberFlushOutcome =
  | { ok: true; sent: number; stored: number; unchanged: number; conflicts: number; rejected: number; pending: number }
  | {
      ok: false;
      code: 'unreachable' | 'timeout' | 'garbage' | 'refused' | 'bad_receipt';
      message: string;
      /** Records acknowledged by earlier requests of this flush. */
      sent: number;
      pending: number;
      retryAfterMs: number | null;
    };

interface MemberRow {
  id: string;
  locale: 'fr' | 'en';
  created_at: number;
  provisional_card: string | null;
}

/** What this terminal tells HQ about one member, or the reason it cannot be told. */
export function memberIntakeRecord(db: Db, memberId: string): { ok: true; record: MemberIntakeRecord } | { ok: false; reason: string } {
  const row = db
    .prepare<[string], MemberRow>(
      `SELECT m.id, m.locale, m.created_at, p.card_number AS provisional_card
       FROM member m LEFT JOIN member_provisional p ON p.member_id = m.id WHERE m.id = ?`,
    )
    .get(memberId);
  if (!row) return { ok: false, reason: 'no such member' };
  let candidate: unknown;
  if (row.provisional_card !== null) {
    candidate = { provisional: true, memberId: row.id, cards: [row.provisional_card], createdAt: row.created_at };
  } else {
    const cards = db
      .prepare<[string], { card_number: string }>('SELECT card_number FROM member_card WHERE member_id = ? ORDER BY issued_at, card_number')
      .all(memberId)
      .map((c) => c.card_number);
    const consents = db
      .prepare<[string], { purpose: string; granted: number; wording_version: string; recorded_at: number; source: string }>(
        'SELECT purpose, granted, wording_version, recorded_at, source FROM member_consent WHERE member_id = ? ORDER BY recorded_at, rowid',
      )
      .all(memberId)
      .map((c) => ({ purpose: c.purpose, granted: c.granted === 1, wordingVersion: c.wording_version, recordedAt: c.recorded_at, source: c.source }));
    // Names sealed, contact kept sealed only until HQ acknowledges it (issue 17: members/member-store.ts).
    const identity = memberIdentity(db, memberId)!;
    candidate = {
      provisional: false,
      memberId: row.id,
      firstName: identity.firstName,
      lastName: identity.lastName,
      email: identity.email,
      phone: identity.phone,
      locale: row.locale,
      cards,
      createdAt: row.created_at,
      consents,
    };
  }
  const parsed = MemberIntakeRecord.safeParse(candidate);
  if (!parsed.success) {
    return { ok: false, reason: parsed.error.issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`).join('; ').slice(0, 300) };
  }
  return { ok: true, record: parsed.data };
}

export class MemberOutbox {
  private readonly flight = new SingleFlight(() => this.flushAll());
  private batchSize: number;

  constructor(private readonly o: MemberOutboxOptions) {
    this.batchSize = Math.max(1, Math.min(o.batchSize ?? MAX_INTAKE_MEMBERS, MAX_INTAKE_MEMBERS));
  }

  /** Records waiting for HQ (refused ones excluded). */
  pending(): number {
    return this.o.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM member_outbox WHERE rejected IS NULL').get()!.n;
  }

  /** Records HQ refused as invalid, with its reason: for the diagnostics view. */
  rejected(): Array<{ memberId: string; reason: string }> {
    return this.o.db
      .prepare<[], { member_id: string; rejected: string }>('SELECT member_id, rejected FROM member_outbox WHERE rejected IS NOT NULL ORDER BY queued_at, member_id')
      .all()
      .map((r) => ({ memberId: r.member_id, reason: r.rejected }));
  }

  flush(): Promise<MemberFlushOutcome> {
    return this.flight.join();
  }

  private async flushAll(): Promise<MemberFlushOutcome> {
    const totals = { sent: 0, stored: 0, unchanged: 0, conflicts: 0, rejected: 0 };
    // Bounded: every round either empties a batch from the outbox or returns.
    for (;;) {
      const batch = this.nextBatch();
      if (batch.length === 0) return { ok: true, ...totals, pending: this.pending() };
      const outcome = await this.send(batch);
      if (!outcome.ok) return { ...outcome, sent: totals.sent, pending: this.pending() };
      totals.sent += batch.length;
      totals.stored += outcome.stored;
      totals.unchanged += outcome.unchanged;
      totals.conflicts += outcome.conflicts;
      totals.rejected += outcome.rejected;
    }
  }

  /** The oldest waiting records; one that cannot even be built here is marked and skipped. */
  private nextBatch(): Array<{ memberId: string; record: MemberIntakeRecord }> {
    const { db } = this.o;
    const ids = db
      .prepare<[number], { member_id: string }>('SELECT member_id FROM member_outbox WHERE rejected IS NULL ORDER BY queued_at, member_id LIMIT ?')
      .all(this.batchSize);
    const batch: Array<{ memberId: string; record: MemberIntakeRecord }> = [];
    for (const { member_id } of ids) {
      const built = memberIntakeRecord(db, member_id);
      if (built.ok) batch.push({ memberId: member_id, record: built.record });
      else {
        db.prepare('UPDATE member_outbox SET rejected = ? WHERE member_id = ?').run(`local: ${built.reason}`, member_id);
        this.o.logger.error('member record cannot be sent to HQ', { memberId: member_id, reason: built.reason });
      }
    }
    return batch;
  }

  private async send(
    batch: Array<{ memberId: string; record: MemberIntakeRecord }>,
  ): Promise<
    | { ok: true; stored: number; unchanged: number; conflicts: number; rejected: number }
    | { ok: false; code: 'unreachable' | 'timeout' | 'garbage' | 'refused' | 'bad_receipt'; message: string; retryAfterMs: number | null }
  > {
    const { db, enrolment, key, logger } = this.o;
    const members = batch.map((b) => b.record);
    const bump = db.prepare('UPDATE member_outbox SET attempts = attempts + 1 WHERE member_id = ?');
    db.transaction(() => {
      for (const b of batch) bump.run(b.memberId);
    })();
    const { result } = await postSigned(this.o, '/v1/members', (stamp: Stamp): MemberIntake => {
      const unsigned: Omit<MemberIntake, 'signature'> = { protocolVersion: PROTOCOL_VERSION, terminalId: enrolment.terminalId, members, ...stamp, keyId: key.keyId };
      return { ...unsigned, signature: key.sign(unsigned) };
    });
    if (result.kind === 'timeout') return { ok: false, code: 'timeout', message: 'HQ did not answer in time', retryAfterMs: null };
    if (result.kind === 'unreachable') return { ok: false, code: 'unreachable', message: result.detail, retryAfterMs: null };
    if (result.kind === 'garbage') return { ok: false, code: 'garbage', message: result.detail, retryAfterMs: result.retryAfterMs };
    if (result.status !== 200) {
      // Too large for HQ's body limit: smaller requests from now on.
      if (result.status === 413 && this.batchSize > 1) this.batchSize = Math.max(1, Math.floor(this.batchSize / 2));
      return { ok: false, code: 'refused', message: `HQ answered ${result.status}: ${JSON.stringify(result.body).slice(0, 200)}`, retryAfterMs: result.retryAfterMs };
    }
    const parsed = MemberIntakeReceipt.safeParse(result.body);
    const problem = !parsed.success
      ? `not a member intake receipt: ${parsed.error.issues[0]?.message ?? ''}`
      : parsed.data.keyId !== enrolment.hqKeyId || !verifySigned(enrolment.hqPublicKey, parsed.data)
        ? 'receipt is not signed by the enrolled HQ key'
        : parsed.data.terminalId !== enrolment.terminalId
          ? `receipt names terminal ${parsed.data.terminalId}`
          : parsed.data.results.length !== batch.length || parsed.data.results.some((r, i) => r.index !== i || r.memberId !== batch[i]!.memberId)
            ? 'receipt does not account for exactly the records sent'
            : null;
    if (problem !== null || !parsed.success) {
      logger.error('member intake receipt refused; the records stay queued', { problem });
      return { ok: false, code: 'bad_receipt', message: problem ?? 'invalid receipt', retryAfterMs: null };
    }
    this.o.hqClock.observe(parsed.data.hqTime);
    const counts = { stored: 0, unchanged: 0, conflicts: 0, rejected: 0 };
    const done = db.prepare('DELETE FROM member_outbox WHERE member_id = ?');
    const refuse = db.prepare('UPDATE member_outbox SET rejected = ? WHERE member_id = ?');
    db.transaction(() => {
      for (const r of parsed.data.results) {
        const memberId = batch[r.index]!.memberId;
        if (r.status === 'rejected') {
          refuse.run(`hq: ${r.detail}`.slice(0, 300), memberId);
          counts.rejected++;
        } else {
          done.run(memberId);
          if (r.status === 'stored') counts.stored++;
          else if (r.status === 'unchanged') counts.unchanged++;
          else counts.conflicts++;
        }
      }
    }).immediate();
    for (const r of parsed.data.results) {
      if (r.status === 'rejected' || r.status === 'conflict') logger.warn('HQ did not take a member record as sent', { memberId: r.memberId, status: r.status, detail: r.detail });
    }
    return { ok: true, ...counts };
  }
}
