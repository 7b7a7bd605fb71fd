import type { HqMemberData } from '../../shared/contract/privacy-self';
import type { HqContext } from '../context';
import type { Sql } from '../db';
import { erasurePreview } from '../privacy/erasure';
import { memberRecord, PrivacySelfError } from './challenge';

/** A member's points account at HQ, as the projector names it. */
const pointsAccount = (customerId: string) => `member:${customerId}:points`;

export interface ConsentRow {
  purpose: 'marketing' | 'personalisedOffers' | 'profiling';
  granted: boolean;
  wordingVersion: string;
  recordedAt: number;
  source: string;
}

export async function consentHistory(sql: Sql, customerId: string): Promise<ConsentRow[]> {
  const rows = await sql.query<{ purpose: ConsentRow['purpose']; granted: boolean; wording_version: string; recorded_at: number; source: string }>(
    'SELECT purpose, granted, wording_version, recorded_at, source FROM member_consent WHERE customer_id = $1 ORDER BY recorded_at, purpose',
    [customerId],
  );
  return rows.map((r) => ({ purpose: r.purpose, granted: r.granted, wordingVersion: r.wording_version, recordedAt: Number(r.recorded_at), source: r.source }));
}

/**
 * Everything HQ holds about a member that the access view shows (issue 17
 * item 2): identity, consents in force, chain-wide balance, visits,
 * incidents, tier and segment. Referrals: none are kept by this programme
 * (null), so the view says so rather than showing an empty list.
 */
export async function memberData(ctx: HqContext, customerId: string): Promise<HqMemberData> {
  const sql = ctx.sql;
  const record = await memberRecord(sql, customerId);
  if (!record) throw new PrivacySelfError('unknown_member', 404, 'HQ holds no record of this member');
  const history = await consentHistory(sql, customerId);
  const latest = new Map<string, ConsentRow>();
  for (const c of history) latest.set(c.purpose, c);
  const balance = await sql.query<{ balance: number }>('SELECT balance FROM account_balance WHERE customer_id = $1 AND account = $2', [customerId, pointsAccount(customerId)]);
  const visits = await sql.query<{ n: number; last: number | null }>(
    "SELECT count(*)::int AS n, max(wall_time) AS last FROM journal_entry WHERE member_id = $1 AND kind = 'earn'",
    [customerId],
  );
  const incidents = await sql.query<{ kind: string; status: string; opened_at: number; store_id: string }>(
    'SELECT kind, status, opened_at, store_id FROM customer_incident WHERE customer_id = $1 ORDER BY opened_at',
    [customerId],
  );
  const tier = await sql.query<{ tier: string }>('SELECT tier FROM member_tier WHERE customer_id = $1', [customerId]);
  const segment = await sql.query<{ segment: string }>('SELECT segment FROM member_value WHERE customer_id = $1', [customerId]);
  return {
    identity: { firstName: record.firstName, lastName: record.lastName, email: record.email, phone: record.phone, locale: record.locale, cards: record.cards, createdAt: record.createdAt },
    consents: [...latest.values()].map(({ purpose, granted, wordingVersion, recordedAt }) => ({ purpose, granted, wordingVersion, recordedAt })),
    balance: Number(balance[0]?.balance ?? 0),
    forfeit: (await erasurePreview(ctx, customerId)).pointsForfeited,
    visits: { count: visits[0]?.n ?? 0, last: visits[0]?.last === null || visits[0]?.last === undefined ? null : Number(visits[0].last) },
    incidents: incidents.map((i) => ({ kind: i.kind, status: i.status, openedAt: Number(i.opened_at), storeId: i.store_id })),
    tier: tier[0]?.tier ?? null,
    segment: segment[0]?.segment ?? null,
    referrals: null,
  };
}

/** The member's points movements at HQ, oldest first: what the export adds to the access view. */
export async function pointsMovements(sql: Sql, customerId: string): Promise<Array<{ at: number; kind: string; points: number; store: string | null }>> {
  const rows = await sql.query<{ posted_at: number; kind: string; delta: number; terminal_id: string | null }>(
    'SELECT posted_at, kind, delta, terminal_id FROM posting WHERE customer_id = $1 AND account = $2 ORDER BY posted_at, entry_id, leg',
    [customerId, pointsAccount(customerId)],
  );
  return rows.map((r) => ({ at: Number(r.posted_at), kind: r.kind, points: Number(r.delta), store: r.terminal_id }));
}
