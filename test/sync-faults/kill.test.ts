import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHq } from '../../src/hq/server';
import { readOperatorToken } from '../../src/hq/staff/operator-token';
import { verifyChain } from '../../src/main/core/ledger/verify';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import { freePort, postgresUnavailable, startPostgresCluster, type PostgresCluster } from '../fakes/postgres-cluster';
import { between, bundleChildren, elapsed, inFlight, KillChild, linesOf, sleep, terminalActivity, type ChildScripts } from './kill-children';
import type { HqChildOptions, StreamState } from './kill-hq-child';
import type { TerminalChildOptions } from './kill-terminal-child';
import { expectOracle } from './oracle';

/**
 * sync-ledger.md §3, items 1 and 4: kill -9 of the terminal process, and of
 * the HQ process, at seeded random instants while the real sync client pushes
 * and pulls over loopback HTTP; restart on the same files; converge; oracle.
 *
 * - HQ (kill-hq-child.ts: server.ts's database and API) on PGlite in a data
 *   folder, and on a throwaway PostgreSQL server, is killed while a terminal
 *   child sells and syncs, each time once the terminal holds a receipt from
 *   that HQ run; now and then the restarted HQ is killed again while it opens
 *   its database. Before a restarted HQ serves, its stream cursor and journal
 *   must cover every receipt the terminal stored (item e).
 * - The terminal (kill-terminal-child.ts: the ledger on a SQLite file and the
 *   sync client) is killed and restarted on the same file against HQ on
 *   PGlite; every sale it printed as committed must still be there.
 * Both end with the terminal drained (all pushed, then pulled) and the oracle.
 *
 * The seed fixes when the kills fall (delays after a line the child printed),
 * not what the processes were doing at that instant: real timers and several
 * processes decide that. Each kill is classified afterwards from what the
 * child printed and what the two sides hold; the classification is in the
 * failure message with the seed, and the tally is printed.
 */
const STORE = 'paris-11';
const TERMINAL_SEED = 20261201;
const TERMINAL_KILLS = 8;
const HQ_SEED = 20261202;
const HQ_KILLS = 5;

interface Acked {
  receipt: string;
  saleId: string;
  seq: number;
  hash: string;
  run: number;
}

/** What a terminal file holds right now, read through a second connection (the child may still be writing: WAL). */
function terminalState(path: string, terminalId: string) {
  const db = new Database(path);
  try {
    const integrity = db.pragma('integrity_check', { simple: true });
    const hasLedger = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'ledger_entry'").get() !== undefined;
    if (!hasLedger) return { integrity, head: 0, acked: 0, receipts: [] as Array<{ through: number; hash: string }>, chainProblems: [] as string[], sales: new Map<string, string>(), hashes: new Map<number, string>() };
    const hasAcks = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'ledger_sync_ack'").get() !== undefined;
    const receipts = hasAcks
      ? db
          .prepare<[string], { through: number; hash: string }>('SELECT acked_through_seq AS through, acked_hash AS hash FROM ledger_sync_ack WHERE terminal_id = ? ORDER BY acked_through_seq')
          .all(terminalId)
      : [];
    const entries = db.prepare<[string], { seq: number; entry_hash: string }>('SELECT seq, entry_hash FROM ledger_entry WHERE terminal_id = ? ORDER BY seq').all(terminalId);
    const sales = new Map(db.prepare<[], { receipt: string; sale_id: string }>("SELECT receipt, sale_id FROM ledger_sale WHERE till_id = 'till-1'").all().map((r) => [r.receipt, r.sale_id]));
    const report = verifyChain(db);
    return {
      integrity,
      head: entries.at(-1)?.seq ?? 0,
      acked: receipts.at(-1)?.through ?? 0,
      receipts,
      chainProblems: report.problems.map((p) => `${p.kind}@${p.seq ?? '-'}: ${p.detail}`),
      sales,
      hashes: new Map(entries.map((e) => [e.seq, e.entry_hash])),
    };
  } finally {
    db.close();
  }
}

/** Every sale a child printed as committed is in the file, as the sale it was, with the entry it ended on. */
function missingAcknowledged(state: ReturnType<typeof terminalState>, acked: Iterable<Acked>): string[] {
  const problems: string[] = [];
  for (const a of acked) {
    const saleId = state.sales.get(a.receipt);
    if (saleId === undefined) problems.push(`sale ${a.receipt} (run ${a.run}) acknowledged but missing`);
    else if (saleId !== a.saleId) problems.push(`sale ${a.receipt} is ${saleId}, was acknowledged as ${a.saleId}`);
    else if (state.hashes.get(a.seq) !== a.hash) problems.push(`sale ${a.receipt}: entry ${a.seq} is ${state.hashes.get(a.seq)}, was acknowledged as ${a.hash}`);
  }
  return problems;
}

function collectSales(child: KillChild, run: number, into: Map<string, Acked>): void {
  for (const [receipt, saleId, seq, hash] of linesOf(child, 'SALE')) {
    expect(into.has(receipt!), `${receipt} acknowledged twice`).toBe(false);
    into.set(receipt!, { receipt: receipt!, saleId: saleId!, seq: Number(seq), hash: hash!, run });
  }
}

const lastPhase = (child: KillChild) => linesOf(child, 'PHASE').at(-1)?.[0] ?? 'none';

/** Elapsed times of the steps of a scenario, printed at the end: where its time went, on this machine. */
function stopwatch() {
  const t0 = Date.now();
  const steps: string[] = [];
  return { mark: (what: string) => { steps.push(`${what} ${((Date.now() - t0) / 1000).toFixed(1)}s`); if (process.env.KILL_DEBUG) process.stderr.write(`${steps.at(-1)}\n`); }, toString: () => steps.join(', ') };
}

function tally(kinds: string[]): string {
  const counts = new Map<string, number>();
  for (const k of kinds) counts.set(k, (counts.get(k) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${k} ×${n}`).join(', ');
}

const unavailable = postgresUnavailable();
const BACKENDS: Array<{ name: 'pglite' | 'postgres'; skip: string | null }> = [
  { name: 'pglite', skip: null },
  // In CI a missing PostgreSQL is a failure (beforeAll throws); elsewhere the half is skipped with the reason in its title.
  { name: 'postgres', skip: unavailable !== null && !process.env.CI ? unavailable : null },
];

let scripts: ChildScripts | null = null;
beforeAll(async () => {
  scripts = await bundleChildren();
}, 30_000);
afterAll(async () => {
  await KillChild.killAll();
  scripts?.remove();
});

describe.each(BACKENDS)('process crashes around sync (sync-ledger.md §3, items 1 and 4), HQ on $name', ({ name, skip }) => {
  let cluster: PostgresCluster | null = null;
  let dir = '';
  let hqOptions: HqChildOptions | null = null;
  let url = '';

  beforeAll(async () => {
    if (skip) return;
    if (name === 'postgres' && unavailable) throw new Error(`PostgreSQL is required in CI: ${unavailable}`);
    if (name === 'postgres') cluster = await startPostgresCluster('fidele-kill-pg-');
    dir = mkdtempSync(join(tmpdir(), `fidele-kill-${name}-`));
    hqOptions = { dataDir: join(dir, 'hq'), databaseUrl: cluster?.url('postgres'), port: await freePort(), maintenanceMs: 200 };
    url = `http://127.0.0.1:${hqOptions.port}`;
  }, 60_000);

  afterAll(() => {
    cluster?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const startHqChild = (label: string) => new KillChild(label, scripts!.hq, hqOptions);
  /** The operator token the HQ child keeps in its data folder: the operator API answers nothing else. */
  const operator = () => ({ authorization: `Bearer ${readOperatorToken(hqOptions!.dataDir)}` });

  async function enrolCode(terminalId: string): Promise<string> {
    const response = await fetch(`${url}/v1/admin/enrol-codes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...operator() },
      body: JSON.stringify({ storeId: STORE, terminalId }),
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { code: string }).code;
  }

  /**
   * HQ is stopped: open its data here and check the oracle for `terminal`. An
   * earlier test's terminal also pushed to this HQ: its entries count among
   * HQ's other postings, and its pulled balances are stale by now (the same
   * members bought since), so it is not listed again.
   */
  async function oracle(terminal: { terminalId: string; dbPath: string }, note: string): Promise<void> {
    const ctx = await openHq({ dataDir: hqOptions!.dataDir, databaseUrl: hqOptions!.databaseUrl, logger: silentLogger });
    const dbs = [{ db: new Database(terminal.dbPath), terminalId: terminal.terminalId }];
    try {
      await expectOracle({ hq: ctx, terminals: dbs }, note);
    } finally {
      for (const t of dbs) t.db.close();
      await ctx.sql.close();
    }
  }

  it.skipIf(skip !== null)(
    `SIGKILL of HQ ${HQ_KILLS}× at seeded instants while a terminal pushes, now and then again while it restarts (seed ${HQ_SEED})${skip ? ` — skipped: ${skip}` : ''}: every acknowledged entry survives, converges, oracle holds`,
    async () => {
      const seedNote = `seed ${HQ_SEED}, HQ on ${name}`;
      const random = seededRandom(HQ_SEED);
      const terminalId = `caisse-kill-hq-${name}`;
      const dbPath = join(dir, `${terminalId}.sqlite`);
      const clock = stopwatch();
      let hq: KillChild | null = null;
      let terminal: KillChild | null = null;
      const kinds: string[] = [];
      const log: string[] = [];
      try {
        hq = startHqChild('hq run 0');
        // The first start creates the PGlite cluster (initdb): seconds, on a busy machine many.
        await hq.waitFor('SERVING', 60_000);
        clock.mark('HQ up');
        // Slower sales than in the terminal test: what piles up while HQ is down must drain in a few seconds.
        const options: TerminalChildOptions = { dbPath, hqUrl: `${url}/`, terminalId, storeId: STORE, run: 0, enrolCode: await enrolCode(terminalId), saleEveryMs: 60, maxEntries: 8 };
        terminal = new KillChild('terminal', scripts!.terminal, options);
        await terminal.waitFor('ENROLLED', 30_000);
        clock.mark('terminal enrolled');

        for (let k = 0; k < HQ_KILLS; k++) {
          // Killed once the terminal holds a receipt from this run, so that item (e) has something to lose.
          await hq.waitFor('SERVING', 30_000);
          await terminal.waitFor('RECEIPT', 30_000, terminal.lines.length);
          const delay = between(random, 0, 400);
          await sleep(delay);
          const phase = lastPhase(terminal);
          const requests = inFlight(terminal).map((path) => `${path} in flight`);
          await hq.kill();
          clock.mark(`kill ${k + 1}`);
          // No HQ runs now: every receipt the terminal holds was signed by a run that is dead.
          const before = terminalState(dbPath, terminalId);

          hq = startHqChild(`hq run ${k + 1}`);
          // Now and then the restarted HQ dies again while it opens its database: crash recovery, migrations.
          if (between(random, 0, 2) === 0) {
            await hq.waitFor('OPENING', 30_000);
            const again = between(random, 0, 1_500);
            await sleep(again);
            const stage = hq.lines.some((l) => l.startsWith('SERVING')) ? 'serving' : hq.lines.some((l) => l.startsWith('OPENED')) ? 'opened, not serving yet' : 'opening its database';
            await hq.kill();
            kinds.push(`HQ ${stage}`);
            log.push(`kill ${k + 1}b: ${again} ms after OPENING, HQ ${stage}`);
            hq = startHqChild(`hq run ${k + 1}b`);
          }
          const streams = JSON.parse((await hq.waitFor('OPENED', 30_000)).slice('OPENED '.length)) as StreamState[];
          clock.mark(`reopened ${k + 1}`);
          const stream = streams.find((s) => s.terminalId === terminalId);
          const parts = requests.length > 0 ? requests : [`terminal ${phase}`];
          if (stream && stream.lastSeq > before.acked) parts.push('HQ committed a batch whose receipt never arrived');
          const kind = parts.join(' + ');
          kinds.push(kind);
          const opening = elapsed(hq, 'OPENING', 'OPENED');
          log.push(`kill ${k + 1}: ${delay} ms after a receipt, ${kind}; next run opened in ${opening} ms, cursor ${stream?.lastSeq ?? 0} ≥ receipt ${before.acked}`);
          const where = `HQ kill ${k + 1}, ${delay} ms after a receipt, ${kind}; ${seedNote}`;
          // Item (e): every entry acknowledged in a receipt is at HQ after the crash, as acknowledged, with no hole below.
          if (before.receipts.length > 0) {
            expect(stream, `${where}: HQ has no stream for a terminal holding receipts`).toBeDefined();
            expect(stream!.lastSeq, `${where}: HQ's cursor after the restart is below the last receipt the terminal stored`).toBeGreaterThanOrEqual(before.acked);
            expect(stream!.entries, `${where}: journal rows vs cursor`).toBe(stream!.lastSeq);
            expect(stream!.maxSeq, `${where}: highest seq vs cursor`).toBe(stream!.lastSeq);
            expect(before.receipts.filter((r) => stream!.hashes[r.through] !== r.hash), `${where}: receipts whose entry HQ no longer holds as acknowledged`).toEqual([]);
          }
        }
        await hq.waitFor('SERVING', 30_000);
        terminal.send('DRAIN');
        await terminal.waitFor('DRAINED', 30_000);
        expect((await terminal.exited).code, terminal.stderr).toBe(0);
        clock.mark('drained');
        expect((await hq.terminate()).code, hq.stderr).toBe(0);

        const acked = new Map<string, Acked>();
        collectSales(terminal, 0, acked);
        const receipts = linesOf(terminal, 'RECEIPT').length;
        console.info(`HQ kills (${seedNote}): ${tally(kinds)}; ${acked.size} sales, ${receipts} receipts stored`);
        expect(acked.size).toBeGreaterThan(HQ_KILLS * 5);
        expect(receipts).toBeGreaterThan(HQ_KILLS);
        const state = terminalState(dbPath, terminalId);
        expect(missingAcknowledged(state, acked.values()), seedNote).toEqual([]);
        expect(state.acked).toBe(state.head);
        await oracle({ terminalId, dbPath }, `${seedNote}; kills: ${tally(kinds)}`);
        clock.mark('oracle');
      } finally {
        console.info(`HQ kills on ${name}, timeline: ${clock}\n${log.join('\n')}`);
        await terminal?.kill();
        await hq?.kill();
      }
    },
    120_000,
  );

  // The terminal's crashes do not depend on HQ's database: once, against HQ on PGlite.
  if (name === 'pglite') {
    it(`SIGKILL of the terminal ${TERMINAL_KILLS}× at seeded instants (seed ${TERMINAL_SEED}): nothing acknowledged lost, converges, oracle holds`, async () => {
      const seedNote = `seed ${TERMINAL_SEED}`;
      const random = seededRandom(TERMINAL_SEED);
      const terminalId = 'caisse-kill-t1';
      const dbPath = join(dir, `${terminalId}.sqlite`);
      const clock = stopwatch();
      const hq = startHqChild('hq (terminal kills)');
      const log: string[] = [];
      let child: KillChild | null = null;
      try {
        await hq.waitFor('SERVING', 60_000);
        clock.mark('HQ up');
        const code = await enrolCode(terminalId);
        const hqCursor = async () => {
          const fleet = (await (await fetch(`${url}/v1/fleet`, { headers: operator() })).json()) as { terminals: Array<{ terminalId: string; lastSeq: number | null }> };
          return fleet.terminals.find((t) => t.terminalId === terminalId)?.lastSeq ?? 0;
        };
        const acked = new Map<string, Acked>();
        const kinds: string[] = [];
        const soldIn = new Set<number>();
        let receipts = 0;

        for (let run = 0; ; run++) {
          const options: TerminalChildOptions = { dbPath, hqUrl: `${url}/`, terminalId, storeId: STORE, run, enrolCode: run === 0 ? code : undefined, saleEveryMs: 8, maxEntries: 4 };
          child = new KillChild(`terminal run ${run}`, scripts!.terminal, options);
          const ready = (await child.waitFor('READY', 30_000)).split(' ');
          clock.mark(`run ${run} ready`);
          expect(ready[4], `chain verifies at start of run ${run} (${seedNote}): ${child.stderr}`).toBe('1');
          // A kill between HQ spending the code and the terminal storing its receipt would strand the terminal: not this test.
          if (run === 0) await child.waitFor('ENROLLED', 30_000);

          if (run === TERMINAL_KILLS) {
            await sleep(200);
            child.send('DRAIN');
            await child.waitFor('DRAINED', 30_000);
            expect((await child.exited).code, `final run: ${child.stderr}`).toBe(0);
            collectSales(child, run, acked);
            receipts += linesOf(child, 'RECEIPT').length;
            break;
          }

          const delay = between(random, 30, 900);
          await sleep(delay);
          const exit = await child.kill();
          expect(exit.signal, `run ${run} ended on its own (${seedNote}): ${child.stderr}`).toBe('SIGKILL');
          collectSales(child, run, acked);
          receipts += linesOf(child, 'RECEIPT').length;
          if (linesOf(child, 'SALE').length > 0) soldIn.add(run);

          const state = terminalState(dbPath, terminalId);
          // Asked after the kill: a push HQ was still working on has committed (or rolled back) by now.
          const atHq = await hqCursor();
          const parts = terminalActivity(child, (receipt) => state.sales.has(receipt));
          if (atHq > state.acked) parts.push('HQ committed a batch whose receipt was never stored');
          if (parts.length === 0) parts.push(`between steps (sync ${lastPhase(child)})`);
          const kind = parts.join(' + ');
          kinds.push(kind);
          log.push(`run ${run}: killed ${delay} ms after READY, ${kind}; terminal acked ${state.acked}/${state.head}, HQ cursor ${atHq}`);
          const where = `run ${run}, killed ${delay} ms after READY, ${kind}; ${seedNote}`;
          expect(state.integrity, where).toBe('ok');
          expect(state.chainProblems, where).toEqual([]);
          expect(missingAcknowledged(state, acked.values()), where).toEqual([]);
          // A receipt the terminal stored names entries HQ holds (HQ did not crash here).
          expect(state.acked, where).toBeLessThanOrEqual(atHq);
        }
        clock.mark('drained');
        console.info(`terminal kills (${seedNote}): ${tally(kinds)}; ${acked.size} sales acknowledged, ${receipts} receipts stored`);
        // Worth something only if the child sold and synced between kills (how much depends on the machine's load).
        expect(soldIn.size, `runs that sold: ${[...soldIn].join(', ')}`).toBeGreaterThanOrEqual(TERMINAL_KILLS / 2);
        expect(receipts).toBeGreaterThanOrEqual(TERMINAL_KILLS / 2);

        const state = terminalState(dbPath, terminalId);
        expect(missingAcknowledged(state, acked.values()), seedNote).toEqual([]);
        expect(state.acked).toBe(state.head);
        expect((await hq.terminate()).code, hq.stderr).toBe(0);
        await oracle({ terminalId, dbPath }, `${seedNote}; kills: ${tally(kinds)}`);
        clock.mark('oracle');
      } finally {
        console.info(`terminal kills, timeline: ${clock}\n${log.join('\n')}`);
        await child?.kill();
        await hq.kill();
      }
    }, 90_000);
  }
});
