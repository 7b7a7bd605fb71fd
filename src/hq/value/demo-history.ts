import { nextChangeVersion, type HqContext } from '../context';
import { makeCardNumber } from '../../shared/domain/card-number';
import { INCIDENT_KINDS, INCIDENT_OUTCOMES } from '../../shared/domain/relationship-health';
import type { BgNbdParams } from '../../shared/value/bgnbd';
import type { GammaGammaParams } from '../../shared/value/gamma-gamma';
import { gammaVariate, seededUniform, simulateBgNbd, type Uniform } from '../../shared/value/simulate';
import { localDay } from './nightly';
import { valueScheduler } from './value-scheduler';
import { startDemoTiers } from '../demo-tiers';

/**
 * A chain's past for the demo HQ (`npm start`): a few hundred members over
 * about two years, their visits drawn from known BG/NBD and Gamma-Gamma
 * parameters (a seeded random, so every first start looks the same), with
 * points earned, redeemed and expired, incidents, and about half of them
 * agreeing to profiling. Written straight into HQ's tables as the journal of
 * one archive stream — what a real chain's terminals would have pushed — in a
 * few statements, so a first start stays quick. Nothing is written when the
 * archive is already there.
 */

export const DEMO_ARCHIVE_TERMINAL = 'hq-demo-archive';
/** Card numbers of the archive's members: terminal code 9998, apart from the kiosk's demo cards (9999). */
const CARD_TERMINAL_CODE = 9998;
const DAY_MS = 86_400_000;
const WEEK_DAYS = 7;

/** Weeks as the unit. About one visit in five weeks, most customers leaving within a few dozen visits. */
export const DEMO_BGNBD: BgNbdParams = { r: 0.9, alpha: 4.5, a: 0.6, b: 3.5 };
/** Mean spend about 28 € a visit. */
export const DEMO_GG: GammaGammaParams = { p: 6, q: 4, gamma: 14 };

const FIRST = ['Camille', 'Léa', 'Hugo', 'Manon', 'Lucas', 'Chloé', 'Louis', 'Inès', 'Jules', 'Sarah', 'Nathan', 'Jade', 'Gabriel', 'Emma', 'Arthur', 'Louise', 'Paul', 'Zoé', 'Raphaël', 'Alice'];
const LAST = ['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand', 'Leroy', 'Moreau', 'Simon', 'Laurent', 'Lefebvre', 'Michel', 'Garcia', 'David', 'Bertrand', 'Roux', 'Vincent', 'Fournier'];

export interface DemoHistoryOptions {
  /** The store the kiosk enrols in gets most members; two more stores share the rest. */
  storeId: string;
  members?: number;
  days?: number;
  seed?: number;
}

export interface DemoHistorySeeded {
  members: number;
  visits: number;
  incidents: number;
  ms: number;
}

interface Row {
  [column: string]: unknown;
}

function columns(rows: readonly Row[], names: readonly string[]): unknown[][] {
  return names.map((n) => rows.map((r) => r[n]));
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
const memberIdOf = (i: number) => `00000000-0000-7000-8000-${hex(0xde0000 + i, 12)}`;
const pick = <T>(u: Uniform, list: readonly T[]): T => list[Math.floor(u() * list.length)]!;

export async function seedDemoValueHistory(ctx: HqContext, o: DemoHistoryOptions): Promise<DemoHistorySeeded | null> {
  const started = performance.now();
  const already = await ctx.sql.query('SELECT 1 FROM journal_entry WHERE terminal_id = $1 LIMIT 1', [DEMO_ARCHIVE_TERMINAL]);
  if (already.length > 0) return null;
  const u = seededUniform(o.seed ?? 20_260_101);
  const n = o.members ?? 400;
  const days = o.days ?? 730;
  const now = ctx.clock.now();
  const today = Math.floor(now / DAY_MS);
  const start = today - days;
  const stores = [o.storeId, 'lyon-2', 'lille-centre'];

  const members: Row[] = [];
  const links: Row[] = [];
  const consents: Row[] = [];
  const cards: Row[] = [];
  const entries: Row[] = [];
  const postings: Row[] = [];
  const incidents: Row[] = [];
  const balances = new Map<string, number>();
  let seq = 0;
  const post = (customer: string, entryId: string, kind: string, at: number, legs: [string, number][]) => {
    legs.forEach(([account, delta], leg) => {
      postings.push({ customer, entryId, leg, account, delta, kind, at, seq });
      const key = `${customer} ${account}`;
      balances.set(key, (balances.get(key) ?? 0) + delta);
    });
  };
  const entry = (customer: string, kind: string, at: number, detail: object) => {
    seq += 1;
    const entryId = `demo-archive-${hex(seq, 8)}`;
    entries.push({ seq, entryId, kind, customer, at, entry: JSON.stringify({ kind, member_id: customer, wall_time: at, detail }) });
    return entryId;
  };

  for (let i = 0; i < n; i++) {
    const id = memberIdOf(i);
    const store = u() < 0.6 ? stores[0]! : pick(u, stores.slice(1));
    // Customers join over the first 21 months, a few more at the start (the chain's opening).
    const birth = start + Math.floor(u() < 0.2 ? u() * 30 : u() * (days - 90));
    const openFor = (today - birth) / WEEK_DAYS;
    const sim = simulateBgNbd(u, DEMO_BGNBD, openFor);
    const nu = gammaVariate(u, DEMO_GG.q, DEMO_GG.gamma);
    const visitDays = [birth, ...sim.times.map((t) => birth + Math.floor(t * WEEK_DAYS))];
    const first = pick(u, FIRST);
    const last = pick(u, LAST);
    const card = makeCardNumber(CARD_TERMINAL_CODE, i + 1);
    const createdAt = birth * DAY_MS + 9 * 3_600_000;
    members.push({ id, record: JSON.stringify({ memberId: id, firstName: first, lastName: last, email: null, phone: null, locale: 'fr', cards: [card], createdAt }) });
    links.push({ id, store });
    cards.push({ card, id, at: createdAt });
    consents.push({ id, at: createdAt, granted: u() < 0.55 });
    let points = 0;
    let lastAt = createdAt;
    for (const day of visitDays) {
      const at = day * DAY_MS + Math.floor((8 + u() * 10) * 3_600_000);
      lastAt = at;
      const cents = Math.max(150, Math.round(gammaVariate(u, DEMO_GG.p, nu) * 100));
      if (points >= 200 && u() < 0.3) {
        const redeemId = entry(id, 'redeem', at - 1000, { points: 200, discount_cents: 400 });
        post(id, redeemId, 'redeem', at - 1000, [
          [`member:${id}:points`, -200],
          ['program:redemption', 200],
        ]);
        points -= 200;
      }
      const earned = Math.floor(cents / 100);
      const earnId = entry(id, 'earn', at, { net_cents: cents, points: earned });
      post(id, earnId, 'earn', at, [
        [`member:${id}:points`, earned],
        ['program:issuance', -earned],
      ]);
      points += earned;
      if (u() < 0.025) {
        const resolved = u() < 0.85;
        incidents.push({
          id,
          incident: `demo-incident-${hex(seq, 8)}`,
          store,
          kind: pick(u, INCIDENT_KINDS),
          severity: 1 + Math.floor(u() * 3),
          at,
          status: resolved ? 'resolved' : 'open',
          outcome: resolved ? pick(u, INCIDENT_OUTCOMES) : null,
          resolvedAt: resolved ? at + Math.floor((0.2 + u() * 4) * DAY_MS) : null,
        });
      }
    }
    // Points expire a year after the last visit.
    if (points > 0 && lastAt + 365 * DAY_MS < now) {
      const at = lastAt + 365 * DAY_MS;
      const expireId = entry(id, 'expire', at, { points });
      post(id, expireId, 'expire', at, [
        [`member:${id}:points`, -points],
        ['program:expired', points],
      ]);
    }
  }

  await ctx.sql.transaction(async (tx) => {
    const version = await nextChangeVersion(tx);
    await tx.query(
      `INSERT INTO store (store_id, name, created_at) SELECT s, s, $2 FROM unnest($1::text[]) AS s ON CONFLICT (store_id) DO NOTHING`,
      [stores, start * DAY_MS],
    );
    await tx.query(`INSERT INTO member (customer_id, record, change_version) SELECT id, r::jsonb, $3 FROM unnest($1::text[], $2::text[]) AS u(id, r)`, [
      ...columns(members, ['id', 'record']),
      version,
    ]);
    await tx.query(`INSERT INTO member_store (customer_id, store_id, linked_version) SELECT id, s, $3 FROM unnest($1::text[], $2::text[]) AS u(id, s)`, [
      ...columns(links, ['id', 'store']),
      version,
    ]);
    await tx.query(
      `INSERT INTO member_card (card_number, customer_id, terminal_id, claimed_at) SELECT c, id, $4, at FROM unnest($1::text[], $2::text[], $3::bigint[]) AS u(c, id, at)`,
      [...columns(cards, ['card', 'id', 'at']), DEMO_ARCHIVE_TERMINAL],
    );
    await tx.query(
      `INSERT INTO member_consent (customer_id, purpose, recorded_at, granted, wording_version, source, terminal_id)
       SELECT id, 'profiling', at, g, 'demo', 'demo', $4 FROM unnest($1::text[], $2::bigint[], $3::boolean[]) AS u(id, at, g)`,
      [...columns(consents, ['id', 'at', 'granted']), DEMO_ARCHIVE_TERMINAL],
    );
    await tx.query(
      `INSERT INTO journal_entry (terminal_id, epoch, seq, entry_id, group_id, kind, schema_version, member_id, wall_time, offline, entry, prev_hash, entry_hash, ingested_at)
       SELECT $6, 1, seq, id, id, kind, 1, m, at, false, e::jsonb, 'demo', 'demo', at FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[], $7::text[]) AS u(seq, id, kind, m, at, e)`,
      [...columns(entries, ['seq', 'entryId', 'kind', 'customer', 'at']), DEMO_ARCHIVE_TERMINAL, entries.map((e) => e.entry)],
    );
    await tx.query(
      `INSERT INTO posting (customer_id, entry_id, leg, account, delta, kind, origin, terminal_id, epoch, seq, posted_at)
       SELECT c, e, leg, a, d, k, 'terminal', $8, 1, s, at FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::bigint[], $6::text[], $7::bigint[], $9::bigint[]) AS u(c, e, leg, a, d, k, at, s)`,
      [...columns(postings, ['customer', 'entryId', 'leg', 'account', 'delta', 'kind', 'at']), DEMO_ARCHIVE_TERMINAL, postings.map((p) => p.seq)],
    );
    const keys = [...balances.keys()];
    await tx.query(
      `INSERT INTO account_balance (customer_id, account, balance) SELECT c, a, b FROM unnest($1::text[], $2::text[], $3::bigint[]) AS u(c, a, b)
       ON CONFLICT (customer_id, account) DO UPDATE SET balance = account_balance.balance + EXCLUDED.balance`,
      [keys.map((k) => k.split(' ')[0]), keys.map((k) => k.split(' ')[1]), [...balances.values()]],
    );
    await tx.query(
      `INSERT INTO customer_incident (customer_id, incident_id, store_id, terminal_id, kind, severity, channel, opened_at, status, outcome, resolved_at)
       SELECT id, inc, s, $10, k, sev, 'till', at, st, o, r FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::bigint[], $7::text[], $8::text[], $9::bigint[])
         AS u(id, inc, s, k, sev, at, st, o, r)`,
      [...columns(incidents, ['id', 'incident', 'store', 'kind', 'severity', 'at', 'status', 'outcome', 'resolvedAt']), DEMO_ARCHIVE_TERMINAL],
    );
  });
  const visits = entries.filter((e) => e.kind === 'earn').length;
  return { members: n, visits, incidents: incidents.length, ms: Math.round(performance.now() - started) };
}

/**
 * The demo HQ's customer value (`npm start`): the archive seeded on first
 * start with runs as of every other month of the past year (so segment sizes
 * and flows have a history), then one run, in the background so HQ answers at
 * once. Stores' terminals get the hints with a later pull. The tiers are
 * ranked as the archive and the kiosk's demo store come in (demo-tiers.ts).
 */
export function startDemoValue(ctx: HqContext, storeId: string): Promise<void> {
  const scheduler = valueScheduler(ctx);
  return seedDemoValueHistory(ctx, { storeId })
    .then(async (seeded) => {
      const tiers = startDemoTiers(ctx);
      await tiers.check();
      if (seeded) {
        ctx.logger.info('demo customer history seeded', { ...seeded });
        for (let months = 12; months >= 2; months -= 2) {
          await scheduler.run('startup', localDay(ctx.clock.now() - months * 30 * DAY_MS, scheduler.config.timeZone));
        }
      }
      await scheduler.run('startup');
    })
    .catch((error: unknown) => ctx.logger.error('demo customer value failed', { error: String(error) }));
}
