import { GoodwillPolicy } from '../shared/contract/incidents';
import { foldIncidents } from '../shared/domain/relationship-health';
import type { WireEntry } from '../shared/sync/protocol';
import { IncidentFactWire, MAX_RELATIONSHIP_FACTS, relationshipKey, type MemberRelationshipItem } from '../shared/sync/relationship-item';
import { HqError, nextChangeVersion, type HqContext } from './context';
import type { Sql } from './db';
import { customerOf } from './projector';
import { raiseSyncAnomaly } from './sync-anomalies';

/**
 * Customers' incidents at HQ (docs/relationship.md): every stream's
 * incident_* entries become facts (one row per entry, so a resend or a
 * re-projection changes nothing) and each incident's current state, folded
 * from all its facts whatever order they came in. Stores pull their members'
 * facts from every store: a customer who complained in Lyon is known in Paris.
 */
const INCIDENT_ENTRY = /^incident_(open|update|resolve)$/;

/** The health fact an incident entry carries, or null when its detail is not one (kept in the journal, flagged). */
export function factOfEntry(e: WireEntry): IncidentFactWire | null {
  const m = INCIDENT_ENTRY.exec(e.kind);
  if (!m) return null;
  const d = e.detail;
  const origin = { entryId: e.entry_id, incidentId: d.incident_id, at: e.wall_time, terminalId: e.terminal_id };
  const candidate =
    m[1] === 'open'
      ? { ...origin, type: 'open', kind: d.kind, severity: d.severity, channel: d.channel, tillId: e.till_id, receipt: e.receipt }
      : m[1] === 'update'
        ? { ...origin, type: 'update', kind: d.kind, severity: d.severity }
        : { ...origin, type: 'resolve', outcome: d.outcome };
  const parsed = IncidentFactWire.safeParse(candidate);
  return parsed.success ? parsed.data : null;
}

export async function projectCustomerIncidents(
  tx: Sql,
  stream: { terminalId: string; epoch: number; storeId: string },
  entries: readonly WireEntry[],
): Promise<void> {
  const touched = new Map<string, [string, string]>();
  for (const e of entries) {
    if (!INCIDENT_ENTRY.test(e.kind)) continue;
    const fact = factOfEntry(e);
    const customer = customerOf(e);
    if (!fact) {
      await raiseSyncAnomaly(tx, {
        customerId: customer,
        anomalyId: `incident_malformed:${e.terminal_id}:${e.epoch}:${e.seq}`,
        terminalId: e.terminal_id,
        kind: 'incident_malformed',
        detail: { entryId: e.entry_id, seq: e.seq },
        at: e.wall_time,
      });
      continue;
    }
    const gesture = fact.type === 'resolve' ? JSON.stringify(e.detail.gesture ?? null) : null;
    await tx.query(
      `INSERT INTO customer_incident_fact (customer_id, entry_id, incident_id, terminal_id, store_id, fact, gesture, at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (customer_id, entry_id) DO NOTHING`,
      [customer, fact.entryId, fact.incidentId, e.terminal_id, stream.storeId, JSON.stringify(fact), gesture, fact.at],
    );
    touched.set(`${customer}\n${fact.incidentId}`, [customer, fact.incidentId]);
  }
  for (const [customer, incidentId] of touched.values()) await refold(tx, customer, incidentId);
}

/** The incident as all its facts have it now; nothing until its opening has arrived. */
async function refold(tx: Sql, customer: string, incidentId: string): Promise<void> {
  const rows = await tx.query<{ fact: IncidentFactWire; store_id: string; gesture: unknown }>(
    'SELECT fact, store_id, gesture FROM customer_incident_fact WHERE customer_id = $1 AND incident_id = $2',
    [customer, incidentId],
  );
  const facts = rows.map((r) => r.fact);
  const state = foldIncidents(facts, Number.MAX_SAFE_INTEGER)[0];
  const opened = rows.find((r) => r.fact.type === 'open');
  if (!state || !opened || opened.fact.type !== 'open') return;
  const resolve = rows
    .filter((r) => r.fact.type === 'resolve' && r.fact.at === state.resolvedAt)
    .sort((a, b) => (a.fact.entryId < b.fact.entryId ? 1 : -1))[0];
  await tx.query(
    `INSERT INTO customer_incident (customer_id, incident_id, store_id, terminal_id, kind, severity, channel, receipt, opened_at, status, outcome, gesture, resolved_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
     ON CONFLICT (customer_id, incident_id) DO UPDATE SET kind = EXCLUDED.kind, severity = EXCLUDED.severity, status = EXCLUDED.status,
       outcome = EXCLUDED.outcome, gesture = EXCLUDED.gesture, resolved_at = EXCLUDED.resolved_at`,
    [
      customer,
      incidentId,
      opened.store_id,
      opened.fact.terminalId,
      state.kind,
      state.severity,
      opened.fact.channel,
      opened.fact.receipt,
      state.openedAt,
      state.outcome === null ? 'open' : 'resolved',
      state.outcome,
      resolve ? JSON.stringify(resolve.gesture) : null,
      state.resolvedAt,
    ],
  );
}

const YEAR_MS = 365 * 86_400_000;

/**
 * The store bucket's `relationship:<memberId>` items for these members: their
 * facts from every store and their visits of the last 12 months. Only members
 * with incidents get one; the newest facts are kept when there are too many.
 */
export async function relationshipPuts(tx: Sql, memberIds: readonly string[], now: number): Promise<Array<{ key: string; value: MemberRelationshipItem }>> {
  if (memberIds.length === 0) return [];
  const facts = await tx.query<{ customer_id: string; fact: IncidentFactWire }>(
    'SELECT customer_id, fact FROM customer_incident_fact WHERE customer_id = ANY($1::text[]) ORDER BY customer_id, at, entry_id',
    [memberIds],
  );
  if (facts.length === 0) return [];
  const byMember = new Map<string, IncidentFactWire[]>();
  for (const r of facts) {
    const list = byMember.get(r.customer_id) ?? [];
    list.push(r.fact);
    byMember.set(r.customer_id, list);
  }
  const visits = await tx.query<{ member_id: string; n: number }>(
    "SELECT member_id, count(*)::int AS n FROM journal_entry WHERE member_id = ANY($1::text[]) AND kind = 'earn' AND wall_time >= $2 GROUP BY member_id",
    [[...byMember.keys()], now - YEAR_MS],
  );
  const visitsOf = new Map(visits.map((v) => [v.member_id, Number(v.n)]));
  return [...byMember].map(([memberId, list]) => ({
    key: relationshipKey(memberId),
    value: { memberId, visits12m: visitsOf.get(memberId) ?? 0, facts: list.slice(-MAX_RELATIONSHIP_FACTS) },
  }));
}

/** The store bucket's `goodwill` item when HQ changed it since `since`. */
export async function goodwillPuts(tx: Sql, storeId: string, since: number): Promise<Array<{ key: string; value: GoodwillPolicy }>> {
  const rows = await tx.query<{ period: GoodwillPolicy['period']; budget_cents: number; cashier_limit_cents: number }>(
    'SELECT period, budget_cents, cashier_limit_cents FROM store_goodwill WHERE store_id = $1 AND change_version > $2',
    [storeId, since],
  );
  return rows.map((r) => ({ key: 'goodwill', value: { period: r.period, budgetCents: Number(r.budget_cents), cashierLimitCents: Number(r.cashier_limit_cents) } }));
}

/** HQ sets a store's goodwill budget; its terminals take it with their next pull. */
export async function setStoreGoodwill(ctx: HqContext, storeId: string, raw: unknown): Promise<GoodwillPolicy> {
  if (!/^[a-z0-9][a-z0-9-]{0,63}$/.test(storeId)) throw new HqError('malformed', 400, `invalid store id ${JSON.stringify(storeId.slice(0, 64))}`);
  const parsed = GoodwillPolicy.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
    throw new HqError('malformed', 400, `invalid goodwill budget: ${issues}`);
  }
  const policy = parsed.data;
  await ctx.sql.transaction(async (tx) => {
    const version = await nextChangeVersion(tx);
    await tx.query(
      `INSERT INTO store_goodwill (store_id, period, budget_cents, cashier_limit_cents, change_version) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (store_id) DO UPDATE SET period = EXCLUDED.period, budget_cents = EXCLUDED.budget_cents,
         cashier_limit_cents = EXCLUDED.cashier_limit_cents, change_version = EXCLUDED.change_version`,
      [storeId, policy.period, policy.budgetCents, policy.cashierLimitCents, version],
    );
  });
  return policy;
}
