import { expect } from 'vitest';
import type { Db } from '../../src/main/core/db/database';
import { verifyChain } from '../../src/main/core/ledger/verify';
import type { HqContext } from '../../src/hq/context';
import { verifyTerminal } from '../../src/hq/fleet';

/**
 * The oracle of sync-ledger.md §3, checked after every fault scenario:
 * (a) nothing lost, nothing twice; (b) every chain verifies; (c) postings
 * balance; (d) balances recompute, and HQ's per-member books agree with what
 * the terminals journaled; (f) the offline overdraft stays within its bound.
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
  return violations;
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
