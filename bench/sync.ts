/**
 * HQ sync throughput.
 * - ingest: signed push batches from a real terminal journal handed to HQ's
 *   ingest (verify, cursor rules, insert, project, countersign), timed against
 *   a bare multi-row INSERT of the very rows ingest wrote (journal_entry,
 *   posting, push_receipt) into a fresh database of the same schema, same run.
 *   On PGlite, and on a throwaway PostgreSQL cluster when Debian's binaries exist.
 * - catch-up: 21,000 entries queued on an enrolled terminal, pushed by the real
 *   sync client over loopback HTTP to HQ on PGlite until every receipt is verified.
 * - cross-store freshness: two terminals (real cores, real timers, default
 *   pull cadence) of two stores on one HQ (PGlite), the customer on store A's
 *   screens; from a redemption committed in store B to A's screens showing B's
 *   new balance, nobody touching A.
 * - till answers with HQ paused: HQ as its own process, SIGSTOPped while the
 *   till API is asked to identify and to sell (redemptions included); the
 *   slowest answer, against the till's documented bound.
 * Options: --entries N (ingest, default 5000), --catchup N (default 21000),
 *   --cross N (cross-store samples, default 12), --paused N (rounds with HQ paused, default 3).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openPostgres, type Sql } from '../src/hq/db';
import { createEnrolCode } from '../src/hq/enrolment';
import { ingestPush } from '../src/hq/ingest';
import { ephemeralHqKey } from '../src/hq/keys';
import { openHq, startHq, type Hq } from '../src/hq/server';
import type { Timers } from '../src/main/core/devices/reconnect';
import { MemberStore } from '../src/main/core/members/member-store';
import { seededRandom, silentLogger } from '../src/main/core/ports';
import { buildPushBatch, fitBatch } from '../src/main/core/sync/batcher';
import { HqClock, stamp } from '../src/main/core/sync/hq-clock';
import { DEFAULT_PUSH_ENTRIES } from '../src/main/core/sync/push-loop';
import { createSync, type Sync } from '../src/main/core/sync/sync-service';
import type { FetchLike } from '../src/main/core/sync/transport';
import type { PushBatch } from '../src/shared/sync/protocol';
import { postgresUnavailable, startPostgresCluster, type PostgresCluster } from '../test/fakes/postgres-cluster';
import { line, openHarness, sale, WEDNESDAY_10H, type Harness } from '../test/integration/ledger-fixture';
import { basket } from '../test/integration/till-api-harness';
import { openPausableHq, timed } from '../test/sync-hq/paused-hq';
import { crossStoreDelay, fund, openTwoStores } from '../test/sync-hq/two-stores';
import { percentile } from './stats';

const TARGETS = { ingestVsBareRatioPostgres: 0.5, catchup21000S: 10, crossStoreVisibleP99S: 10, tillAnswerHqPausedMaxS: 5 };
/** The client's default batch size: what a terminal actually sends. */
const BATCH = DEFAULT_PUSH_ENTRIES;
const inert: Timers = { setTimeout: () => null, clearTimeout: () => {} };
const verdict = (ok: boolean) => (ok ? 'OK' : 'MISSED');

interface Terminal {
  h: Harness;
  sync: Sync;
}

/** A terminal enrolled with `hq` through the real client, holding `entries` journal entries. */
async function enrolledTerminal(hq: Hq, terminalId: string, entries: number, fetch: FetchLike = globalThis.fetch): Promise<Terminal> {
  const h = openHarness({ terminalId });
  const sync = createSync({
    db: h.db,
    ledger: h.ledger,
    members: new MemberStore(h.db),
    clock: { now: () => h.clock.value },
    random: seededRandom(11),
    logger: silentLogger,
    fetch,
    timers: inert,
    hqUrl: hq.url,
    timeoutMs: 120_000,
  });
  await sync.enrol({ code: (await createEnrolCode(hq.ctx, 'bench-store', terminalId)).code, storeId: 'bench-store' });
  const people = [h.members.claire.id, h.members.helene.id, h.members.jeanPierre.id, h.members.zoe.id];
  for (let i = 0; h.ledger.head().seq < entries; i++) {
    h.ledger.commit(sale(people[i % people.length]!, `R${i}`, [line(1_200 + (i % 50) * 100)]));
    h.clock.value += 1_000;
    h.mono.value += 1_000;
  }
  return { h, sync };
}

function batchesOf(t: Terminal): PushBatch[] {
  const batches: PushBatch[] = [];
  const hqTime = new HqClock({ now: () => WEDNESDAY_10H }, { now: () => 0 });
  const random = seededRandom(12);
  const head = t.h.ledger.head().seq;
  for (let after = 0; ; ) {
    const read = t.h.ledger.outbox(BATCH, after);
    if (!read) return batches;
    const outbox = fitBatch(read);
    // Dated in HQ's time (its clock stands still here), each with its own nonce, as the sync client sends them.
    batches.push(buildPushBatch(outbox, { key: t.sync.key, appVersion: '0.1.0', ...stamp(hqTime, random), terminalTime: t.h.clock.value, headSeq: head }));
    after = outbox.toSeq;
  }
}

type Row = Record<string, unknown>;

/** One multi-row INSERT of `rows` (all with the same columns) into `table`. */
async function insertRows(tx: Sql, table: string, rows: Row[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  const params: unknown[] = [];
  const tuples = rows.map((r) => `(${columns.map((c) => `$${params.push(c === 'entry' || c === 'receipt' ? JSON.stringify(r[c]) : r[c])}`).join(', ')})`);
  await tx.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples.join(', ')}`, params);
}

interface IngestResult {
  entries: number;
  ingestS: number;
  bareS: number;
}

/** Ingest `batches` into HQ, then the same rows bare into `bare` (fresh, migrated), batch for batch. */
async function measureIngest(hq: Hq, t: Terminal, bare: Sql): Promise<IngestResult> {
  const batches = batchesOf(t);
  const terminalId = t.h.ledger.terminalId;
  const started = performance.now();
  for (const batch of batches) {
    const outcome = await ingestPush(hq.ctx, batch);
    if (!outcome.answer.ok) throw new Error(`ingest refused: ${JSON.stringify(outcome.answer.refusal)}`);
  }
  const ingestS = (performance.now() - started) / 1000;

  const sql = hq.ctx.sql;
  const perBatch: Array<{ entries: Row[]; postings: Row[]; receipts: Row[] }> = [];
  for (const b of batches) {
    const range = [terminalId, b.header.fromSeq, b.header.toSeq];
    perBatch.push({
      entries: await sql.query('SELECT * FROM journal_entry WHERE terminal_id = $1 AND seq BETWEEN $2 AND $3 ORDER BY seq', range),
      postings: await sql.query('SELECT * FROM posting WHERE terminal_id = $1 AND seq BETWEEN $2 AND $3 ORDER BY seq, leg', range),
      receipts: await sql.query('SELECT * FROM push_receipt WHERE terminal_id = $1 AND through_seq = $2', [terminalId, b.header.toSeq]),
    });
  }
  const bareStarted = performance.now();
  for (const b of perBatch) {
    await bare.transaction(async (tx) => {
      await insertRows(tx, 'journal_entry', b.entries);
      await insertRows(tx, 'posting', b.postings);
      await insertRows(tx, 'push_receipt', b.receipts);
    });
  }
  const bareS = (performance.now() - bareStarted) / 1000;
  const copied = (await bare.query<{ n: number }>('SELECT count(*)::int AS n FROM journal_entry'))[0]!.n;
  const entries = batches.reduce((n, b) => n + b.entries.length, 0);
  if (copied !== entries) throw new Error(`bare copy holds ${copied} entries, ingest took ${entries}`);
  return { entries, ingestS, bareS };
}

async function startBenchHq(dir: string, databaseUrl?: string): Promise<Hq> {
  return startHq({
    dataDir: dir,
    inMemory: databaseUrl ? undefined : true,
    databaseUrl,
    port: 0,
    clock: { now: () => WEDNESDAY_10H },
    random: seededRandom(5),
    logger: silentLogger,
    key: ephemeralHqKey(),
    maintenanceIntervalMs: 0,
  });
}

/** A throwaway cluster, or why there is none. */
async function startPostgres(): Promise<PostgresCluster | string> {
  return postgresUnavailable() ?? (await startPostgresCluster('fidele-bench-pg-'));
}

/** Seconds from a redemption committed in store B to store A's screens showing it, `samples` times. */
async function measureCrossStore(samples: number): Promise<{ p50S: number; p99S: number }> {
  const stores = await openTwoStores();
  try {
    // Enough points for every redemption (100 each) and then some.
    await fund(stores, Math.ceil(samples / 4) + 1);
    const delays: number[] = [];
    for (let i = 0; i < samples; i++) delays.push((await crossStoreDelay(stores, `X-${i}`)) / 1000);
    const sorted = Float64Array.from(delays).sort();
    return { p50S: percentile(sorted, 50), p99S: percentile(sorted, 99) };
  } finally {
    await stores.close();
  }
}

/**
 * The till API asked, HQ paused each round after the terminal heard it: a redemption (a hold HQ cannot answer),
 * a sale, identifications by card and by phone; rounds alternate which comes first, the redemption or a card scan.
 */
async function measureTillWithHqPaused(rounds: number): Promise<{ answers: number; maxS: number }> {
  const t = await openPausableHq();
  try {
    const { h } = t;
    const claire = h.known.claire;
    let answers = 0;
    let maxMs = 0;
    for (let round = 0; round < rounds; round++) {
      await t.online();
      const redeem = () => h.call('POST', '/v1/sales', { body: basket(claire.id, `P${round}-R`, { redeemPoints: 100 }) });
      const scan = () => h.call('POST', '/v1/identify', { body: { code: claire.cardNumber } });
      const calls = [
        ...(round % 2 === 0 ? [redeem, scan] : [scan, redeem]),
        () => h.call('POST', '/v1/sales', { body: basket(claire.id, `P${round}-S`) }),
        () => h.call('POST', '/v1/identify', { body: { phone: claire.phone } }),
      ];
      t.pause();
      try {
        for (const call of calls) {
          const { reply, ms } = await timed(call);
          if (reply.status !== 200) throw new Error(`till API answered ${reply.status} with HQ paused: ${reply.text}`);
          answers++;
          maxMs = Math.max(maxMs, ms);
        }
      } finally {
        t.resume();
      }
    }
    return { answers, maxS: maxMs / 1000 };
  } finally {
    await t.close();
  }
}

const rate = (r: IngestResult) => r.entries / r.ingestS;
const bareRate = (r: IngestResult) => r.entries / r.bareS;

export async function runSyncBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      entries: { type: 'string', default: '5000' },
      catchup: { type: 'string', default: '21000' },
      cross: { type: 'string', default: '12' },
      paused: { type: 'string', default: '3' },
    },
    strict: true,
  });
  const entries = Number(values.entries);
  const catchup = Number(values.catchup);
  const crossSamples = Number(values.cross);
  const pausedRounds = Number(values.paused);
  if (!Number.isInteger(crossSamples) || crossSamples < 1) throw new Error(`--cross must be a positive integer, not ${values.cross}`);
  if (!Number.isInteger(pausedRounds) || pausedRounds < 1) throw new Error(`--paused must be a positive integer, not ${values.paused}`);
  if (!Number.isInteger(entries) || entries < BATCH) throw new Error(`--entries must be an integer ≥ ${BATCH}, not ${values.entries}`);
  if (!Number.isInteger(catchup) || catchup < 1) throw new Error(`--catchup must be a positive integer, not ${values.catchup}`);
  const dir = mkdtempSync(join(tmpdir(), 'fidele-bench-sync-'));
  const cleanups: Array<() => Promise<void> | void> = [() => rmSync(dir, { recursive: true, force: true })];
  try {
    // PGlite ingest.
    const hq = await startBenchHq(join(dir, 'pglite'));
    cleanups.unshift(() => hq.close());
    const t1 = await enrolledTerminal(hq, 'bench-ingest-pglite', entries);
    cleanups.unshift(() => t1.h.close());
    const bareLite = await openHq({ dataDir: join(dir, 'bare-pglite'), inMemory: true, logger: silentLogger, key: ephemeralHqKey() });
    cleanups.unshift(() => bareLite.sql.close());
    const lite = await measureIngest(hq, t1, bareLite.sql);
    console.log(
      `PGlite ingest: ${lite.entries} entries in ${lite.ingestS.toFixed(2)} s = ${rate(lite).toFixed(0)} entries/s; bare INSERT ${bareRate(lite).toFixed(0)} entries/s; ratio ${(rate(lite) / bareRate(lite)).toFixed(2)}`,
    );

    // PostgreSQL ingest.
    let pgResult: IngestResult | null = null;
    const pg = await startPostgres().catch((error: unknown) => `could not start PostgreSQL: ${String(error)}`);
    if (typeof pg === 'string') {
      console.log(`PostgreSQL ingest: skipped (${pg})`);
    } else {
      cleanups.unshift(() => pg.stop());
      const admin = await openPostgres(pg.url('postgres'));
      await admin.exec('CREATE DATABASE bare');
      await admin.close();
      const hqPg = await startBenchHq(join(dir, 'pg'), pg.url('postgres'));
      cleanups.unshift(() => hqPg.close());
      const t2 = await enrolledTerminal(hqPg, 'bench-ingest-pg', entries);
      cleanups.unshift(() => t2.h.close());
      const barePg = await openHq({ dataDir: join(dir, 'bare-pg'), databaseUrl: pg.url('bare'), logger: silentLogger, key: ephemeralHqKey() });
      cleanups.unshift(() => barePg.sql.close());
      pgResult = await measureIngest(hqPg, t2, barePg.sql);
      const ratio = rate(pgResult) / bareRate(pgResult);
      console.log(
        `PostgreSQL ingest: ${pgResult.entries} entries in ${pgResult.ingestS.toFixed(2)} s = ${rate(pgResult).toFixed(0)} entries/s; bare INSERT ${bareRate(pgResult).toFixed(0)} entries/s; ratio ${ratio.toFixed(2)} [target ≥ ${TARGETS.ingestVsBareRatioPostgres}: ${verdict(ratio >= TARGETS.ingestVsBareRatioPostgres)}]`,
      );
    }

    // Catch-up on PGlite over HTTP with the real client.
    // Time spent waiting on HQ (request out, HQ's work, answer back) against the client's own work.
    const waits = { ms: 0, requests: 0 };
    const timedFetch: FetchLike = async (url, init) => {
      const at = performance.now();
      try {
        return await globalThis.fetch(url, init);
      } finally {
        waits.ms += performance.now() - at;
        waits.requests++;
      }
    };
    const t3 = await enrolledTerminal(hq, 'bench-catchup', catchup, timedFetch);
    Object.assign(waits, { ms: 0, requests: 0 });
    cleanups.unshift(() => t3.h.close());
    t3.sync.start();
    const started = performance.now();
    await t3.sync.syncNow();
    const catchupS = (performance.now() - started) / 1000;
    const status = t3.sync.status();
    if (status.backlog !== 0 || status.ackedSeq !== t3.h.ledger.head().seq) throw new Error(`catch-up stopped short: ${JSON.stringify(status)}`);
    console.log(
      `catch-up: ${t3.h.ledger.head().seq} queued entries pushed in batches of ${BATCH} over HTTP to HQ on PGlite, every receipt verified, then one pull: ${catchupS.toFixed(2)} s [target ≤ ${TARGETS.catchup21000S}: ${verdict(catchupS <= TARGETS.catchup21000S)}]`,
    );
    console.log(`  of which waiting on HQ: ${(waits.ms / 1000).toFixed(2)} s over ${waits.requests} requests; the client's own work (outbox, signing, receipt checks, acks, pull apply): ${(catchupS - waits.ms / 1000).toFixed(2)} s`);

    const cross = await measureCrossStore(crossSamples);
    console.log(
      `cross-store: ${crossSamples} redemptions in store B, each on store A's screens after p50 ${cross.p50S.toFixed(2)} s, p99 ${cross.p99S.toFixed(2)} s [target ≤ ${TARGETS.crossStoreVisibleP99S}: ${verdict(cross.p99S <= TARGETS.crossStoreVisibleP99S)}]`,
    );
    const paused = await measureTillWithHqPaused(pausedRounds);
    console.log(
      `till API with HQ paused (SIGSTOP): ${paused.answers} answers over ${pausedRounds} pauses, all 200, slowest ${paused.maxS.toFixed(2)} s [target ≤ ${TARGETS.tillAnswerHqPausedMaxS}: ${verdict(paused.maxS <= TARGETS.tillAnswerHqPausedMaxS)}]`,
    );
    console.log(
      JSON.stringify({
        ingest_entries: entries,
        ingest_entries_per_s_pglite: Math.round(rate(lite)),
        bare_entries_per_s_pglite: Math.round(bareRate(lite)),
        ingest_vs_bare_ratio_pglite: Math.round((rate(lite) / bareRate(lite)) * 1000) / 1000,
        ingest_entries_per_s_postgres: pgResult ? Math.round(rate(pgResult)) : null,
        bare_entries_per_s_postgres: pgResult ? Math.round(bareRate(pgResult)) : null,
        ingest_vs_bare_ratio_postgres: pgResult ? Math.round((rate(pgResult) / bareRate(pgResult)) * 1000) / 1000 : null,
        postgres_skipped: typeof pg === 'string' ? pg : null,
        [`catchup_${catchup}_s`]: Math.round(catchupS * 1000) / 1000,
        catchup_waiting_on_hq_s: Math.round(waits.ms) / 1000,
        cross_store_samples: crossSamples,
        cross_store_visible_p99_s: Math.round(cross.p99S * 1000) / 1000,
        till_answers_hq_paused: paused.answers,
        till_answer_hq_paused_max_s: Math.round(paused.maxS * 1000) / 1000,
        targets: {
          ingest_vs_bare_ratio_postgres: `>= ${TARGETS.ingestVsBareRatioPostgres}`,
          catchup_21000_s: `<= ${TARGETS.catchup21000S}`,
          cross_store_visible_p99_s: `<= ${TARGETS.crossStoreVisibleP99S}`,
          till_answer_hq_paused_max_s: `<= ${TARGETS.tillAnswerHqPausedMaxS}`,
        },
      }),
    );
  } finally {
    for (const cleanup of cleanups) await cleanup();
  }
}
