import { expect } from 'vitest';
import type { Db } from '../../src/main/core/db/database';
import { verifyChain } from '../../src/main/core/ledger/verify';
import type { HqContext } from '../../src/hq/context';
import { verifyTerminal } from '../../src/hq/fleet';
import { HOLD_NOT_PENDING } from '../../src/hq/projector';
import { factOfEntry } from '../../src/hq/customer-incidents';
import { ENTRY_COLUMNS, rowToEntry, type EntryRow } from '../../src/main/core/ledger/journal';
import { foldIncidents, type IncidentState } from '../../src/shared/domain/relationship-health';
import { relationshipKey, type IncidentFactWire, type MemberRelationshipItem } from '../../src/shared/sync/relationship-item';
import type { WireEntry } from '../../src/shared/sync/protocol';

/**
 * The oracle of sync-ledger.md §3, checked after every fault scenario:
 * (a) nothing lost, nothing twice; (b) every chain verifies; (c) postings
 * balance; (d) balances recompute, and HQ's per-member books agree with what
 * the terminals journaled; (f) the offline overdraft stays within its bound;
 * (g) holds end once, on time, and the points they reserve stay reserved;
 * (h) customers' incidents: each incident entry is one fact at HQ, none lost,
 * none doubled; each incident stands the same at HQ as the terminals' facts
 * fold to; and each terminal sees its members' incidents as HQ does.
 *
 * It only reads. Call it once every terminal has pushed everything and then
 * pulled (so the HQ balances a terminal holds are the final ones), or pass
 * `pulledViews: false` to skip that part.
 */
export interface OracleInput {
  hq: HqContext;
  terminals: Array<{ db: Db; terminalId: string }>;
  /** Most points allowed in offline_overdraft accounts in total (K × cap). */
  overdraftBound?: number;
  /** Compare the HQ balances each terminal pulled with HQ's own (default true). */
  pulledViews?: boolean;
  /** ε of (g): how long past its timeout (HQ clock) a hold may still be pending, i.e. wait for the next sweep (default HQ's maintenance interval). */
  holdSlackMs?: number;
}

const OVERDRAFT = /^member:(.+):offline_overdraft$/;

/** The overdraft receivable is the other half of a member's points: folded together, HQ's corrections net out. */
function fold(account: string): string {
  const m = OVERDRAFT.exec(account);
  return m ? `member:${m[1]!}:points` : account;
}

const key = (r: { terminal_id: string; epoch: number; seq: number; entry_hash: string }) => `${r.terminal_id}/${r.epoch}/${r.seq}/${r.entry_hash}`;

function add(map: Map<string, number>, k: string, v: number): void {
  map.set(k, (map.get(k) ?? 0) + v);
}

function diff(label: string, expected: Map<string, number>, actual: Map<string, number>, limit = 20): string[] {
  const out: string[] = [];
  for (const k of new Set([...expected.keys(), ...actual.keys()])) {
    const e = expected.get(k) ?? 0;
    const a = actual.get(k) ?? 0;
    if (e !== a) out.push(`${label} ${k}: expected ${e}, found ${a}`);
  }
  if (out.length > limit) return [...out.slice(0, limit), `${label}: ${out.length - limit} more differences`];
  return out;
}

export async function checkOracle(input: OracleInput): Promise<string[]> {
  const { hq, terminals } = input;
  const violations: string[] = [];
  const ids = terminals.map((t) => t.terminalId);
  if (new Set(ids).size !== ids.length) violations.push(`terminal listed twice: ${ids.join(', ')}`);

  // (a) the multiset of (terminal, epoch, seq, hash) at HQ equals the union of the journals.
  const local = new Map<string, number>();
  for (const t of terminals) {
    const rows = t.db
      .prepare<[string], { terminal_id: string; epoch: number; seq: number; entry_hash: string }>(
        'SELECT terminal_id, epoch, seq, entry_hash FROM ledger_entry WHERE terminal_id = ?',
      )
      .all(t.terminalId);
    for (const r of rows) add(local, key(r), 1);
    const foreign = t.db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM ledger_entry WHERE terminal_id <> ?').get(t.terminalId)?.n ?? 0;
    if (foreign > 0) violations.push(`(a) terminal ${t.terminalId} journal holds ${foreign} entries of another terminal`);
  }
  const remoteRows = await hq.sql.query<{ terminal_id: string; epoch: number; seq: number; entry_hash: string }>(
    'SELECT terminal_id, epoch, seq, entry_hash FROM journal_entry WHERE terminal_id = ANY($1::text[])',
    [ids],
  );
  const remote = new Map<string, number>();
  for (const r of remoteRows) add(remote, key(r), 1);
  let missing = 0;
  let doubled = 0;
  let extra = 0;
  const samples: string[] = [];
  for (const [k, n] of local) {
    const m = remote.get(k) ?? 0;
    if (n > 1) {
      doubled += n - 1;
      if (samples.length < 5) samples.push(`${k} twice in a terminal journal`);
    }
    if (m === 0) {
      missing += 1;
      if (samples.length < 5) samples.push(`${k} missing at HQ`);
    } else if (m > 1) {
      doubled += m - 1;
      if (samples.length < 5) samples.push(`${k} ${m}× at HQ`);
    }
  }
  for (const k of remote.keys()) {
    if (!local.has(k)) {
      extra += 1;
      if (samples.length < 5) samples.push(`${k} at HQ but in no terminal journal`);
    }
  }
  if (missing + doubled + extra > 0) {
    violations.push(`(a) journals differ: ${missing} missing at HQ, ${doubled} doubled, ${extra} unknown to the terminals (${samples.join('; ')})`);
  }

  // (b) every chain verifies end to end, on each terminal and at HQ.
  for (const t of terminals) {
    const report = verifyChain(t.db);
    if (!report.ok) {
      const listed = report.problems.slice(0, 5).map((p) => `${p.kind}${p.seq === undefined ? '' : `@${p.seq}`}: ${p.detail}`);
      violations.push(`(b) terminal ${t.terminalId} chain: ${report.problems.length + report.moreProblems} problems (${listed.join('; ')})`);
    }
    const atHq = await verifyTerminal(hq, t.terminalId);
    if (!atHq.ok) {
      const listed = atHq.streams.flatMap((s) => s.problems.map((p) => `epoch ${s.epoch}: ${p}`)).slice(0, 5);
      violations.push(`(b) HQ chain of ${t.terminalId}: ${listed.join('; ')}`);
    }
    if (atHq.streams.length === 0 && t.db.prepare<[string], { one: number }>('SELECT 1 AS one FROM ledger_entry WHERE terminal_id = ? LIMIT 1').get(t.terminalId)) {
      violations.push(`(b) HQ has no stream for ${t.terminalId}`);
    }
  }

  // (c) postings sum to zero per entry and overall, at HQ and on each terminal.
  const unbalanced = await hq.sql.query<{ customer_id: string; entry_id: string; total: number }>(
    'SELECT customer_id, entry_id, sum(delta)::bigint AS total FROM posting GROUP BY customer_id, entry_id HAVING sum(delta) <> 0 LIMIT 10',
  );
  for (const u of unbalanced) violations.push(`(c) HQ entry ${u.entry_id} (customer ${u.customer_id}) postings sum to ${u.total}`);
  const hqTotal = (await hq.sql.query<{ total: number | null }>('SELECT sum(delta)::bigint AS total FROM posting'))[0]?.total ?? 0;
  if (hqTotal !== 0) violations.push(`(c) all HQ postings sum to ${hqTotal}`);
  for (const t of terminals) {
    const bad = t.db
      .prepare<[], { seq: number; total: number }>('SELECT seq, sum(delta) AS total FROM ledger_posting GROUP BY terminal_id, epoch, seq HAVING sum(delta) <> 0 LIMIT 10')
      .all();
    for (const b of bad) violations.push(`(c) terminal ${t.terminalId} entry seq ${b.seq} postings sum to ${b.total}`);
    const total = t.db.prepare<[], { total: number | null }>('SELECT sum(delta) AS total FROM ledger_posting').get()?.total ?? 0;
    if (total !== 0) violations.push(`(c) terminal ${t.terminalId} postings sum to ${total}`);
  }

  // (d) HQ balances recompute from HQ postings, row for row.
  const drift = await hq.sql.query<{ customer_id: string; account: string; stored: number | null; summed: number | null }>(
    `SELECT coalesce(b.customer_id, p.customer_id) AS customer_id, coalesce(b.account, p.account) AS account, b.balance AS stored, p.summed
     FROM account_balance b FULL JOIN (SELECT customer_id, account, sum(delta)::bigint AS summed FROM posting GROUP BY customer_id, account) p
       ON p.customer_id = b.customer_id AND p.account = b.account
     WHERE coalesce(b.balance, 0) <> coalesce(p.summed, 0)
     LIMIT 20`,
  );
  for (const d of drift) violations.push(`(d) HQ balance ${d.customer_id} ${d.account} is ${d.stored ?? 'absent'}, postings sum to ${d.summed ?? 0}`);

  // (d) HQ's books per account (overdraft folded into points) = what the terminals journaled + what HQ or other terminals posted.
  const expected = new Map<string, number>();
  for (const t of terminals) {
    for (const r of t.db.prepare<[], { account: string; total: number }>('SELECT account, sum(delta) AS total FROM ledger_posting GROUP BY account').all()) {
      add(expected, fold(r.account), r.total);
    }
  }
  const others = await hq.sql.query<{ account: string; total: number }>(
    `SELECT account, sum(delta)::bigint AS total FROM posting
     WHERE NOT (origin = 'terminal' AND terminal_id = ANY($1::text[])) GROUP BY account`,
    [ids],
  );
  for (const o of others) add(expected, fold(o.account), o.total);
  const held = new Map<string, number>();
  for (const b of await hq.sql.query<{ account: string; balance: number }>('SELECT account, sum(balance)::bigint AS balance FROM account_balance GROUP BY account')) {
    add(held, fold(b.account), b.balance);
  }
  violations.push(...diff('(d) HQ balance vs terminal journals, account', expected, held));

  // A member's spendable points never go negative at HQ; the overdraft receivable never positive.
  const negative = await hq.sql.query<{ customer_id: string; account: string; balance: number }>(
    `SELECT customer_id, account, balance FROM account_balance
     WHERE (account LIKE 'member:%:points' AND balance < 0) OR (account LIKE 'member:%:offline_overdraft' AND balance > 0) LIMIT 10`,
  );
  for (const n of negative) violations.push(`(d) HQ ${n.account} holds ${n.balance}`);

  // (d) the HQ balance each terminal pulled is HQ's balance, as of the terminal's whole journal.
  if (input.pulledViews !== false) {
    const hqPoints = new Map(
      (
        await hq.sql.query<{ customer_id: string; balance: number }>(
          "SELECT customer_id, balance FROM account_balance WHERE account = 'member:' || customer_id || ':points'",
        )
      ).map((r) => [r.customer_id, r.balance]),
    );
    for (const t of terminals) {
      // What the till shows: HQ's balance as of the seq HQ had applied, plus this terminal's postings since.
      const rows = t.db
        .prepare<[string], { member_id: string; balance: number; since: number | null }>(
          `SELECT b.member_id, b.balance,
             (SELECT sum(p.delta) FROM ledger_posting p WHERE p.terminal_id = ? AND p.seq > b.as_of_seq AND p.account = 'member:' || b.member_id || ':points') AS since
           FROM sync_member_balance b`,
        )
        .all(t.terminalId);
      for (const r of rows) {
        const atHq = hqPoints.get(r.member_id) ?? 0;
        const shown = r.balance + (r.since ?? 0);
        if (shown !== atHq) violations.push(`(d) terminal ${t.terminalId} shows ${shown} points for ${r.member_id} (HQ said ${r.balance}, plus ${r.since ?? 0} since); HQ has ${atHq}`);
      }
    }
  }

  // (f) the overdraft total stays within the policy bound.
  if (input.overdraftBound !== undefined) {
    const total = await overdraftTotal(hq);
    if (total > input.overdraftBound) violations.push(`(f) ${total} points in offline_overdraft accounts, bound is ${input.overdraftBound}`);
  }

  violations.push(...(await checkHolds(hq, input.holdSlackMs ?? DEFAULT_HOLD_SLACK_MS)));
  violations.push(...(await checkIncidents(input)));
  return violations;
}

const NEVER = Number.MAX_SAFE_INTEGER;
const stateKey = (s: IncidentState) => `${s.kind}/${s.severity}/${s.outcome ?? 'open'}/${s.openedAt}/${s.resolvedAt ?? '-'}`;

/** (h): the incident entries of every journal against HQ's facts and incidents, and each terminal's view against HQ's. */
export async function checkIncidents(input: OracleInput): Promise<string[]> {
  const { hq, terminals } = input;
  const ids = terminals.map((t) => t.terminalId);
  const violations: string[] = [];
  const journaled = new Map<string, { customer: string; fact: IncidentFactWire }>();
  for (const t of terminals) {
    const rows = t.db.prepare<[string], EntryRow>(`SELECT ${ENTRY_COLUMNS} FROM ledger_entry WHERE terminal_id = ? AND kind LIKE 'incident_%'`).all(t.terminalId);
    for (const row of rows) {
      const entry = rowToEntry(row) as unknown as WireEntry;
      const fact = factOfEntry(entry);
      if (!fact) violations.push(`(h) terminal ${t.terminalId} entry ${row.seq} is not an incident fact`);
      else journaled.set(fact.entryId, { customer: entry.member_id ?? `terminal:${entry.terminal_id}`, fact });
    }
  }
  const atHq = await hq.sql.query<{ customer_id: string; entry_id: string }>('SELECT customer_id, entry_id FROM customer_incident_fact WHERE terminal_id = ANY($1::text[])', [ids]);
  const seen = new Map<string, number>();
  for (const r of atHq) add(seen, r.entry_id, 1);
  for (const [entryId, j] of journaled) {
    const n = seen.get(entryId) ?? 0;
    if (n !== 1) violations.push(`(h) incident entry ${entryId} (${j.fact.type} of ${j.fact.incidentId}) is at HQ ${n} times`);
  }
  for (const r of atHq) if (!journaled.has(r.entry_id)) violations.push(`(h) HQ holds incident fact ${r.entry_id} no terminal journaled`);

  // Each incident as HQ projected it = the fold of every journal's facts.
  const byCustomer = new Map<string, IncidentFactWire[]>();
  for (const { customer, fact } of journaled.values()) byCustomer.set(customer, [...(byCustomer.get(customer) ?? []), fact]);
  const expected = new Map<string, string>();
  for (const [customer, facts] of byCustomer) for (const s of foldIncidents(facts, NEVER)) expected.set(`${customer}/${s.incidentId}`, stateKey(s));
  const projected = await hq.sql.query<{ customer_id: string; incident_id: string; kind: string; severity: number; outcome: string | null; opened_at: number; resolved_at: number | null }>(
    'SELECT customer_id, incident_id, kind, severity, outcome, opened_at, resolved_at FROM customer_incident WHERE terminal_id = ANY($1::text[])',
    [ids],
  );
  const held = new Map(
    projected.map((p) => [`${p.customer_id}/${p.incident_id}`, `${p.kind}/${p.severity}/${p.outcome ?? 'open'}/${Number(p.opened_at)}/${p.resolved_at === null ? '-' : Number(p.resolved_at)}`]),
  );
  for (const [k, state] of expected) if (held.get(k) !== state) violations.push(`(h) HQ incident ${k} is ${held.get(k) ?? 'absent'}, the journals say ${state}`);
  for (const k of held.keys()) if (!expected.has(k)) violations.push(`(h) HQ incident ${k} is in no journal`);

  // What each terminal sees of a member it pulled: its own facts and HQ's, folded, equal HQ's fold.
  if (input.pulledViews !== false) {
    for (const t of terminals) {
      const items = t.db.prepare<[], { key: string; value: string }>("SELECT key, value FROM sync_bucket_item WHERE bucket = 'store' AND key LIKE 'relationship:%'").all();
      for (const item of items) {
        const pulled = JSON.parse(item.value) as MemberRelationshipItem;
        if (item.key !== relationshipKey(pulled.memberId)) violations.push(`(h) terminal ${t.terminalId} keeps ${item.key} for ${pulled.memberId}`);
        const own = t.db.prepare<[string], { fact: string }>('SELECT fact FROM incident_fact WHERE member_id = ?').all(pulled.memberId).map((r) => JSON.parse(r.fact) as IncidentFactWire);
        const seenHere = foldIncidents([...own, ...pulled.facts], NEVER).map((s) => `${s.incidentId}:${stateKey(s)}`).join(' ');
        const atHqFold = foldIncidents(byCustomer.get(pulled.memberId) ?? [], NEVER).map((s) => `${s.incidentId}:${stateKey(s)}`).join(' ');
        if (seenHere !== atHqFold) violations.push(`(h) terminal ${t.terminalId} sees ${pulled.memberId}'s incidents as [${seenHere}], HQ as [${atHqFold}]`);
      }
    }
  }
  return violations;
}

/** HQ's maintenance run sweeps expired holds this often by default (server.ts); a pull or a hold request sweeps sooner. */
export const DEFAULT_HOLD_SLACK_MS = 60_000;

/**
 * (g) Every hold at HQ, against the journal and the books:
 * - one state: pending (unresolved, and not past its timeout + ε on HQ's
 *   clock), or posted, voided or released (resolved, once); posted before its
 *   timeout, released not before it;
 * - a posted hold is posted by exactly one redeem entry of its own terminal,
 *   spending exactly the held points, each leg at HQ once; a voided or released
 *   hold by none: a redeem entry naming it is one HQ took as an offline
 *   redemption, said so in its receipt, after the hold ended;
 * - the points of pending holds stay reserved: a member's points cover them,
 *   or whatever spent them was flagged (exception and incident) on arrival.
 */
export async function checkHolds(hq: HqContext, slackMs = DEFAULT_HOLD_SLACK_MS): Promise<string[]> {
  const out: string[] = [];
  const now = hq.clock.now();
  const holds = await hq.sql.query<{
    customer_id: string;
    hold_id: string;
    terminal_id: string;
    points: number;
    status: string;
    expires_at: number;
    resolved_at: number | null;
  }>('SELECT customer_id, hold_id, terminal_id, points, status, expires_at, resolved_at FROM hold ORDER BY customer_id, hold_id');
  const naming = await hq.sql.query<{ terminal_id: string; seq: number; entry_id: string; member_id: string | null; hold_id: string; legs: number; ingested_at: number }>(
    `SELECT terminal_id, seq, entry_id, member_id, entry->'detail'->>'hold_id' AS hold_id, jsonb_array_length(entry->'postings') AS legs, ingested_at FROM journal_entry
     WHERE kind = 'redeem' AND entry->'detail'->>'hold_id' IS NOT NULL`,
  );
  const flagged = new Set(
    (
      await hq.sql.query<{ terminal_id: string; entry_id: string }>(
        `SELECT DISTINCT r.terminal_id, x->>'entryId' AS entry_id FROM push_receipt r, jsonb_array_elements(r.receipt->'exceptions') AS x WHERE x->>'kind' = $1`,
        [HOLD_NOT_PENDING],
      )
    ).map((f) => `${f.terminal_id}\u0000${f.entry_id}`),
  );
  const debits = new Map(
    (
      await hq.sql.query<{ customer_id: string; entry_id: string; legs: number; debited: number }>(
        `SELECT customer_id, entry_id, count(*)::int AS legs, -sum(delta) FILTER (WHERE account = 'member:' || customer_id || ':points')::bigint AS debited
         FROM posting WHERE kind = 'redeem' AND origin = 'terminal' GROUP BY customer_id, entry_id`,
      )
    ).map((d) => [`${d.customer_id}\u0000${d.entry_id}`, d]),
  );
  const byHold = new Map<string, typeof naming>();
  for (const n of naming) {
    const k = `${n.member_id ?? ''}\u0000${n.hold_id}`;
    byHold.set(k, [...(byHold.get(k) ?? []), n]);
  }
  const known = new Set(holds.map((h) => `${h.customer_id}\u0000${h.hold_id}`));
  for (const [k, entries] of byHold) {
    if (known.has(k)) continue;
    for (const e of entries) {
      if (!flagged.has(`${e.terminal_id}\u0000${e.entry_id}`)) out.push(`(g) entry ${e.terminal_id}/${e.seq} names hold ${e.hold_id}, which HQ never granted, and its receipt does not say so`);
    }
  }

  for (const h of holds) {
    const label = `(g) hold ${h.hold_id} (${h.terminal_id}, ${h.points} points, ${h.status})`;
    const entries = byHold.get(`${h.customer_id}\u0000${h.hold_id}`) ?? [];
    const posts = entries.filter((e) => !flagged.has(`${e.terminal_id}\u0000${e.entry_id}`));
    if (h.status === 'pending') {
      if (h.resolved_at !== null) out.push(`${label} is pending but resolved at ${h.resolved_at}`);
      if (h.expires_at + slackMs < now) out.push(`${label} is still pending ${now - h.expires_at} ms past its timeout (ε ${slackMs} ms)`);
    } else if (h.resolved_at === null) {
      out.push(`${label} has no resolution time`);
    }
    if (h.status === 'released' && h.resolved_at !== null && h.resolved_at < h.expires_at) out.push(`${label} released ${h.expires_at - h.resolved_at} ms before its timeout`);
    if (h.status === 'posted') {
      if (h.resolved_at !== null && h.resolved_at > h.expires_at) out.push(`${label} posted ${h.resolved_at - h.expires_at} ms after its timeout`);
      if (posts.length !== 1) out.push(`${label} is posted by ${posts.length} redeem entries (${posts.map((e) => `${e.terminal_id}/${e.seq}`).join(', ') || 'none'})`);
      for (const e of posts) {
        if (e.terminal_id !== h.terminal_id) out.push(`${label} posted by ${e.terminal_id}/${e.seq}, another terminal`);
        const d = debits.get(`${h.customer_id}\u0000${e.entry_id}`);
        if (!d || d.legs !== e.legs) out.push(`${label}: its entry ${e.terminal_id}/${e.seq} has ${d?.legs ?? 0} of its ${e.legs} legs posted at HQ`);
        else if (Number(d.debited) !== Number(h.points)) out.push(`${label}: its entry ${e.terminal_id}/${e.seq} spends ${d.debited ?? 0} points`);
      }
    } else if (h.status !== 'pending') {
      for (const e of posts) out.push(`${label} has redeem entry ${e.terminal_id}/${e.seq} naming it, not flagged ${HOLD_NOT_PENDING} in its receipt`);
      for (const e of entries) {
        if (h.resolved_at !== null && e.ingested_at < h.resolved_at) out.push(`${label}: entry ${e.terminal_id}/${e.seq} naming it reached HQ before the hold ended`);
      }
    } else if (posts.length > 0) {
      out.push(`${label} is still pending although redeem entries name it: ${posts.map((e) => `${e.terminal_id}/${e.seq}`).join(', ')}`);
    }
  }

  // Pending holds keep their points: where a member's points fall short of them, debits that took reserved points
  // (an offline redemption, a late post) were flagged for at least that much when they reached HQ.
  const short = await hq.sql.query<{ customer_id: string; pending: number; balance: number | null; flagged: number | null }>(
    `SELECT h.customer_id, h.pending, b.balance,
       (SELECT sum((i.detail->>'reserved')::bigint) FROM sync_anomaly i WHERE i.customer_id = h.customer_id AND i.detail ? 'reserved') AS flagged
     FROM (SELECT customer_id, sum(points)::bigint AS pending FROM hold WHERE status = 'pending' GROUP BY customer_id) h
     LEFT JOIN account_balance b ON b.customer_id = h.customer_id AND b.account = 'member:' || h.customer_id || ':points'
     WHERE coalesce(b.balance, 0) < h.pending`,
  );
  for (const s of short) {
    const lacking = Number(s.pending) - Number(s.balance ?? 0);
    if (Number(s.flagged ?? 0) < lacking) out.push(`(g) member ${s.customer_id} has ${s.balance ?? 0} points for ${s.pending} held; only ${s.flagged ?? 0} flagged as spent from holds`);
  }
  return out;
}

/** Points owed through offline_overdraft accounts, all members together (a positive number). */
export async function overdraftTotal(hq: HqContext): Promise<number> {
  const rows = await hq.sql.query<{ total: number | null }>("SELECT -sum(delta)::bigint AS total FROM posting WHERE account LIKE 'member:%:offline_overdraft'");
  return rows[0]?.total ?? 0;
}

/** Fails the test with every violation listed; `context` (e.g. the seed) goes in the message. */
export async function expectOracle(input: OracleInput, context = ''): Promise<void> {
  const violations = await checkOracle(input);
  expect(violations, `oracle violations${context ? ` (${context})` : ''}:\n${violations.join('\n')}`).toEqual([]);
}
