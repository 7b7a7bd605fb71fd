import type { z } from 'zod';
import { canonicalJson, sha256Hex } from '../main/core/ledger/canonical';
import {
  MemberIntakeRecord,
  signingPayload,
  type MemberIntake,
  type MemberIntakeReceipt,
  type MemberIntakeResult,
  type MemberRecord,
} from '../shared/sync/protocol';
import { authenticateTerminal, type TerminalRow } from './auth';
import { claimCards } from './card-claims';
import { linkProvisional, lockCustomers, sweepProvisional } from './card-link';
import { audit, nextChangeVersion, type HqContext } from './context';
import type { Sql } from './db';
import { raiseSyncAnomaly } from './sync-anomalies';

/**
 * POST /v1/members: member records from the terminal that created them
 * (src/main/core/sync/member-outbox.ts). Authenticated like every terminal
 * request, then each record validated on its own at this edge and applied in
 * its own transaction, idempotently:
 *
 * - an enrolled member is upserted into `member` (the MemberRecord pulls
 *   carry: no consents, no origin), its consent history appended, its cards
 *   claimed, and the member linked to the sending terminal's store, so that
 *   store's other terminals receive it in their next pull. A resend of what
 *   HQ holds is `unchanged` and bumps nothing; the same id with other content
 *   from another terminal is a `conflict` (kept as it was, an incident raised);
 * - a provisional member (a card earned on offline) is recorded and, if HQ
 *   knows the card's holder, linked to them and its points swept there
 *   (card-link.ts). Its `member.record` stays NULL: a card with no person
 *   behind it is never pulled as a member.
 *
 * Either kind may complete a link the other started: an enrolled record
 * carrying a card that provisional members earned on takes their points.
 */
type IntakeRecord = z.infer<typeof MemberIntakeRecord>;
type Enrolled = Extract<IntakeRecord, { provisional: false }>;
type Provisional = Extract<IntakeRecord, { provisional: true }>;
type Outcome = Omit<MemberIntakeResult, 'index' | 'memberId'>;

function idOf(raw: unknown): string | null {
  const id = (raw as { memberId?: unknown } | null)?.memberId;
  return typeof id === 'string' ? id.slice(0, 64) : null;
}

async function intakeEnrolled(ctx: HqContext, tx: Sql, terminal: TerminalRow, m: Enrolled): Promise<Outcome> {
  const record: z.infer<typeof MemberRecord> = {
    memberId: m.memberId,
    firstName: m.firstName,
    lastName: m.lastName,
    email: m.email,
    phone: m.phone,
    locale: m.locale,
    cards: m.cards,
    createdAt: m.createdAt,
  };
  const hash = sha256Hex(canonicalJson({ record, consents: m.consents }));
  const waiting = await tx.query<{ provisional_id: string }>(
    'SELECT provisional_id FROM provisional_card WHERE card_number = ANY($1::text[]) AND linked_to IS NULL ORDER BY provisional_id',
    [m.cards],
  );
  // Every lock this record can need, before any write: the projector takes them in the same order.
  await lockCustomers(tx, [m.memberId, ...waiting.map((w) => w.provisional_id)]);

  const now = ctx.clock.now();
  const known = await tx.query<{ terminal_id: string; record_hash: string }>('SELECT terminal_id, record_hash FROM member_intake WHERE customer_id = $1 FOR UPDATE', [m.memberId]);
  if (known[0]?.record_hash === hash) return { status: 'unchanged', linkedTo: null, detail: '' };
  if (known[0] && known[0].terminal_id !== terminal.terminal_id) {
    await raiseSyncAnomaly(tx, {
      customerId: m.memberId,
      anomalyId: `member_conflict:${terminal.terminal_id}:${hash.slice(0, 16)}`,
      terminalId: terminal.terminal_id,
      kind: 'member_conflict',
      detail: { origin: known[0].terminal_id, record_hash: hash },
      at: now,
    });
    return { status: 'conflict', linkedTo: null, detail: `member ${m.memberId} was sent first by another terminal; HQ kept that record` };
  }

  const owned = await claimCards(ctx, tx, m.memberId, m.cards, terminal.terminal_id, { record_hash: hash });

  const version = await nextChangeVersion(tx);
  // A record whose every card is someone else's cannot be pulled (a terminal needs a card); the person is still kept below.
  if (owned.length > 0) {
    await tx.query(
      `INSERT INTO member (customer_id, record, change_version) VALUES ($1, $2, $3)
       ON CONFLICT (customer_id) DO UPDATE SET record = EXCLUDED.record, change_version = EXCLUDED.change_version`,
      [m.memberId, JSON.stringify({ ...record, cards: owned }), version],
    );
  }
  await tx.query(
    `INSERT INTO member_store (customer_id, store_id, linked_version) VALUES ($1, $2, $3)
     ON CONFLICT (customer_id, store_id) DO UPDATE SET linked_version = EXCLUDED.linked_version`,
    [m.memberId, terminal.store_id, version],
  );
  for (const c of m.consents) {
    await tx.query(
      `INSERT INTO member_consent (customer_id, purpose, recorded_at, granted, wording_version, source, terminal_id) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (customer_id, purpose, recorded_at) DO NOTHING`,
      [m.memberId, c.purpose, c.recordedAt, c.granted, c.wordingVersion, c.source, terminal.terminal_id],
    );
  }
  await tx.query(
    `INSERT INTO member_intake (customer_id, terminal_id, store_id, record_hash, received_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)
     ON CONFLICT (customer_id) DO UPDATE SET record_hash = EXCLUDED.record_hash, updated_at = EXCLUDED.updated_at`,
    [m.memberId, terminal.terminal_id, terminal.store_id, hash, now],
  );

  for (const w of waiting) {
    const card = await tx.query<{ card_number: string }>('SELECT card_number FROM provisional_card WHERE provisional_id = $1', [w.provisional_id]);
    if (!owned.includes(card[0]!.card_number)) continue;
    await linkProvisional(ctx, tx, w.provisional_id, m.memberId);
    await sweepProvisional(ctx, tx, w.provisional_id);
  }
  const disputed = m.cards.filter((card) => !owned.includes(card));
  if (disputed.length > 0) {
    return { status: 'conflict', linkedTo: null, detail: `card ${disputed.join(', ')} already belongs to another customer; an incident was raised` };
  }
  return { status: 'stored', linkedTo: null, detail: '' };
}

async function intakeProvisional(ctx: HqContext, tx: Sql, terminal: TerminalRow, p: Provisional): Promise<Outcome> {
  const card = p.cards[0];
  const holder = await tx.query<{ customer_id: string }>('SELECT customer_id FROM member_card WHERE card_number = $1', [card]);
  const owner = holder[0]?.customer_id ?? null;
  await lockCustomers(tx, owner === null ? [p.memberId] : [p.memberId, owner]);

  const existing = await tx.query<{ card_number: string; linked_to: string | null }>('SELECT card_number, linked_to FROM provisional_card WHERE provisional_id = $1 FOR UPDATE', [
    p.memberId,
  ]);
  if (existing[0] && existing[0].card_number !== card) {
    const detail = { card, held: existing[0].card_number };
    await raiseSyncAnomaly(tx, { customerId: p.memberId, anomalyId: `provisional_conflict:${card}`, terminalId: terminal.terminal_id, kind: 'provisional_conflict', detail, at: ctx.clock.now() });
    return { status: 'conflict', linkedTo: existing[0].linked_to, detail: `provisional member ${p.memberId} is recorded with another card` };
  }
  const enrolled = await tx.query<{ one: number }>('SELECT 1 AS one FROM member_intake WHERE customer_id = $1', [p.memberId]);
  if (enrolled[0]) return { status: 'conflict', linkedTo: null, detail: `${p.memberId} is an enrolled member, not a provisional one` };

  if (!existing[0]) {
    await tx.query(
      `INSERT INTO provisional_card (provisional_id, card_number, terminal_id, store_id, created_at, received_at) VALUES ($1, $2, $3, $4, $5, $6)`,
      [p.memberId, card, terminal.terminal_id, terminal.store_id, p.createdAt, ctx.clock.now()],
    );
    const version = await nextChangeVersion(tx);
    await tx.query(
      `INSERT INTO member (customer_id, record, change_version) VALUES ($1, NULL, $2) ON CONFLICT (customer_id) DO UPDATE SET change_version = EXCLUDED.change_version`,
      [p.memberId, version],
    );
    await tx.query(`INSERT INTO member_store (customer_id, store_id, linked_version) VALUES ($1, $2, $3) ON CONFLICT (customer_id, store_id) DO NOTHING`, [
      p.memberId,
      terminal.store_id,
      version,
    ]);
  }
  const linkedTo = owner === null ? (existing[0]?.linked_to ?? null) : await linkProvisional(ctx, tx, p.memberId, owner);
  if (linkedTo !== null) await sweepProvisional(ctx, tx, p.memberId);
  return { status: existing[0] ? 'unchanged' : 'stored', linkedTo, detail: '' };
}

export async function intakeMembers(ctx: HqContext, request: MemberIntake): Promise<MemberIntakeReceipt> {
  const terminal = await authenticateTerminal(ctx, 'members', request, signingPayload(request));
  const results: MemberIntakeResult[] = [];
  for (const [index, raw] of request.members.entries()) {
    const parsed = MemberIntakeRecord.safeParse(raw);
    if (!parsed.success) {
      const detail = parsed.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.map(String).join('.') || '(record)'}: ${i.message}`)
        .join('; ')
        .slice(0, 300);
      await audit(ctx, ctx.sql, { terminalId: request.terminalId, action: 'members', code: 'malformed', message: `member record ${index} refused: ${detail}` });
      results.push({ index, memberId: idOf(raw), status: 'rejected', linkedTo: null, detail });
      continue;
    }
    const record = parsed.data;
    const outcome = await ctx.sql.transaction((tx) => (record.provisional ? intakeProvisional(ctx, tx, terminal, record) : intakeEnrolled(ctx, tx, terminal, record)));
    results.push({ index, memberId: record.memberId, ...outcome });
  }
  const unsigned = { terminalId: terminal.terminal_id, results, hqTime: ctx.clock.now(), keyId: ctx.key.keyId };
  return { ...unsigned, signature: ctx.key.sign(unsigned) };
}
