/**
 * The points ledger of a terminal that has been selling for a year:
 * - a journal of 2,000,000 entries (bulk-journal.ts writes them with the
 *   ledger's own entry, hash-chain and posting code), which the terminal
 *   verifies in full at start, as it does on every start;
 * - a committed sale through the same dispatch the cashier screen calls
 *   (`ledger.manualCommit`: priced, held with HQ if enrolled, committed in
 *   one fsync'd transaction), against the bare single-row INSERT transaction
 *   into a table of the same database, same connection, same pragmas, the
 *   two taking turns block by block;
 * - a member's balance as the cashier screen reads it (`ledger.account`);
 * - a sale through the till API over loopback HTTP, with a till token;
 * - untimed, at the end: the write-ahead log pages a sale and a bare INSERT
 *   commit, by b-tree (what the fsync'd commit writes);
 * - the CPU time of the sales and of the bare INSERTs, per sample: on a
 *   machine shared with other work the wall clock of an fsync says more about
 *   the neighbours than about the ledger, its CPU time less so.
 * Between blocks of samples, untimed, the event loop runs what fell due, as
 * between a till's sales: the terminal copies its write-ahead log back there
 * (db/wal-checkpoints.ts), never inside a commit.
 * Options: --entries N (default 2000000), --members N (default 20000),
 * --sales N (default 2000), --seed S.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createCore, type Core } from '../src/main/core/core';
import { openDatabase } from '../src/main/core/db/database';
import { createLedger } from '../src/main/core/ledger/ledger';
import { DEFAULT_PROGRAM } from '../src/main/core/ledger/program.default';
import type { SaleResult } from '../src/main/core/ledger/sale';
import { MemberStore } from '../src/main/core/members/member-store';
import { seededRandom, silentLogger, systemClock } from '../src/main/core/ports';
import { seedDemoMembers } from '../src/main/core/seed/demo-members';
import { startTillApi } from '../src/main/till-api/till-api';
import { newTillToken, sha256Hex } from '../src/main/till-api/tokens';
import { testConfig } from '../test/fakes/known-members';
import { writeBulkJournal } from './bulk-journal';
import { fmt, round, summarise } from './stats';

const TARGETS = { saleVsBareRatio: 1.5, balanceP99Ms: 1, apiCommitP99Ms: 10 };
const TERMINAL_ID = 'bench-t1';
const TILL_ID = 'caisse-1';
const DAY_MS = 86_400_000;
/** Samples per turn: sales and bare INSERTs alternate in blocks this long. */
const BLOCK = 50;
const WARM_UP = 100;
const BALANCE_SAMPLES = 5_000;
const API_SAMPLES = 1_000;
const PAGE_SAMPLES = 100;
const REDEEM_POINTS = 100;

const verdict = (ok: boolean) => (ok ? 'ok' : 'MISSED');

export function options(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      entries: { type: 'string', default: '2000000' },
      members: { type: 'string', default: '20000' },
      sales: { type: 'string', default: '2000' },
      seed: { type: 'string', default: '20261207' },
    },
    strict: true,
  });
  const int = (name: keyof typeof values, min: number, max: number) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be ${min}..${max}, not ${values[name]}`);
    return n;
  };
  return { entries: int('entries', 1, 20_000_000), members: int('members', 1, 999_999), sales: int('sales', 10, 100_000), seed: int('seed', 0, 2 ** 31) };
}

/** Members with their points, so sales can redeem what their member has. */
class Customers {
  private readonly ids: string[];
  private next: number;
  constructor(
    readonly balances: Map<string, number>,
    seed: number,
  ) {
    this.ids = [...balances.keys()];
    this.next = seed % this.ids.length;
  }
  pick(): string {
    // A stride coprime with most member counts: every sale meets another member, spread over the file.
    this.next = (this.next + 7_919) % this.ids.length;
    return this.ids[this.next]!;
  }
  /** Every fourth sale spends 100 points when the member has them. */
  redeemFor(memberId: string, i: number): number {
    return i % 4 === 0 && (this.balances.get(memberId) ?? 0) >= REDEEM_POINTS ? REDEEM_POINTS : 0;
  }
  after(sale: Pick<SaleResult, 'memberId' | 'balanceAfter'>): void {
    this.balances.set(sale.memberId, sale.balanceAfter);
  }
}

/** The terminal's database as a year of selling leaves it: members, then the journal. */
export function buildDatabase(dbPath: string, o: ReturnType<typeof options>) {
  const db = openDatabase(dbPath, { checkpoints: 'auto' });
  try {
    // Nothing here has to survive a crash (a failed build is thrown away): the load writes each page once,
    // straight to the file, with neither a write-ahead log to copy back nor fsyncs. The terminal opens it in WAL.
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    // The indexes a load updates at random (by member) stay in memory.
    db.pragma('cache_size = -524288');
    const now = systemClock.now();
    const members = seedDemoMembers(new MemberStore(db), { count: o.members, seed: o.seed, now });
    // Opens the stream exactly as a new terminal does.
    createLedger({ db, clock: systemClock, random: seededRandom(o.seed), terminalId: TERMINAL_ID, logger: silentLogger });
    const memberIds = db.prepare('SELECT id FROM member ORDER BY id').pluck().all() as string[];
    const journal = writeBulkJournal({
      db,
      terminalId: TERMINAL_ID,
      epoch: 1,
      rules: DEFAULT_PROGRAM,
      memberIds,
      entries: o.entries,
      // The last 330 days: no lot has expired yet, so start() finds nothing to expire.
      from: now - 330 * DAY_MS,
      to: now - DAY_MS,
      random: seededRandom(o.seed + 1),
      tillId: TILL_ID,
    });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    return { members, ...journal };
  } finally {
    db.close();
  }
}

function manualSale(memberId: string, i: number, redeemPoints: number) {
  const lines = [{ category: 'grocery', amountCents: 1_500 + ((i * 389) % 6_000), taxRateBp: 550 }];
  if (i % 3 === 0) lines.push({ category: 'bio', amountCents: 800 + ((i * 97) % 2_000), taxRateBp: 550 });
  return { memberId, lines, redeemPoints };
}

function tillSale(memberId: string, i: number, redeemPoints: number) {
  const cents = 2_000 + ((i * 613) % 9_000);
  const due = cents - redeemPoints * DEFAULT_PROGRAM.redemption.value.cents;
  return {
    tillId: TILL_ID,
    receipt: `API-${i}`,
    memberId,
    lines: [{ lineId: '1', sku: '3017620422003', label: 'Pâte à tartiner 750 g', category: 'grocery', quantity: 1, unitPriceCents: cents, taxRateBp: 550 }],
    payments: [{ method: 'card', amountCents: due }],
    redeemPoints,
  };
}

async function measureSales(core: Core, customers: Customers, samples: number) {
  core.db.exec('CREATE TABLE bench_bare_insert (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, body TEXT NOT NULL) STRICT');
  const insert = core.db.prepare<[number, string]>('INSERT INTO bench_bare_insert (at, body) VALUES (?, ?)');
  // The shape of the ledger's own writes: one IMMEDIATE transaction, committed with synchronous=FULL.
  const bare = core.db.transaction((at: number, body: string) => insert.run(at, body));
  const body = 'x'.repeat(600);
  const saleNs: number[] = [];
  const bareNs: number[] = [];
  let redeemed = 0;
  let i = 0;
  // CPU time (user + system, µs) of the kept samples: what a loaded machine's wall clock hides.
  const cpu = { sale: 0, bare: 0 };
  const cpuSince = (start: NodeJS.CpuUsage) => {
    const used = process.cpuUsage(start);
    return used.user + used.system;
  };
  const sales = async (count: number, keep: boolean) => {
    const start = process.cpuUsage();
    for (let k = 0; k < count; k++, i++) {
      const memberId = customers.pick();
      const redeem = customers.redeemFor(memberId, i);
      const t = process.hrtime.bigint();
      const result = await core.dispatch('cashier', 'ledger.manualCommit', manualSale(memberId, i, redeem));
      const elapsed = Number(process.hrtime.bigint() - t);
      if (!result.ok) throw new Error(`sale ${i} refused: ${result.error.code} ${result.error.message}`);
      customers.after(result.value as SaleResult);
      if (redeem > 0) redeemed++;
      if (keep) saleNs.push(elapsed);
    }
    if (keep) cpu.sale += cpuSince(start);
  };
  const bares = (count: number, keep: boolean) => {
    const start = process.cpuUsage();
    for (let k = 0; k < count; k++) {
      const t = process.hrtime.bigint();
      bare.immediate(Date.now(), body);
      const elapsed = Number(process.hrtime.bigint() - t);
      if (keep) bareNs.push(elapsed);
    }
    if (keep) cpu.bare += cpuSince(start);
  };
  // Between blocks, untimed, the event loop runs what fell due, as between a till's sales: the terminal's
  // timers (its write-ahead log checkpoints, wal-checkpoints.ts) run there, not inside a measured commit.
  const pause = () => new Promise<void>((resolve) => setImmediate(resolve));
  await sales(WARM_UP, false);
  bares(WARM_UP, false);
  for (let block = 0; saleNs.length < samples; block++) {
    await pause();
    const n = Math.min(BLOCK, samples - saleNs.length);
    if (block % 2 === 0) {
      await sales(n, true);
      bares(n, true);
    } else {
      bares(n, true);
      await sales(n, true);
    }
  }
  return { saleNs, bareNs, redeemed, saleCpuMs: cpu.sale / 1000 / saleNs.length, bareCpuMs: cpu.bare / 1000 / bareNs.length };
}

/**
 * Where a sale's cost goes, outside the timed runs: the pages a committed
 * sale and a bare INSERT add to the write-ahead log (each one written, and
 * fsync'd, at commit), and the b-trees they belong to (dbstat). The log is
 * emptied first and not checkpointed meanwhile, so every frame is counted.
 */
async function measurePages(core: Core, customers: Customers, first: number) {
  const db = core.db;
  const walPath = `${db.name}-wal`;
  const frames = (): number[] => {
    const wal = readFileSync(walPath);
    if (wal.length < 32) return [];
    const pageSize = wal.readUInt32BE(8);
    const pages: number[] = [];
    for (let at = 32; at + 24 + pageSize <= wal.length; at += 24 + pageSize) pages.push(wal.readUInt32BE(at));
    return pages;
  };
  const before = db.pragma('wal_autocheckpoint', { simple: true }) as number;
  db.pragma('wal_autocheckpoint = 0');
  try {
    const owner = new Map((db.prepare('SELECT pageno, name FROM dbstat').all() as Array<{ pageno: number; name: string }>).map((r) => [r.pageno, r.name]));
    const count = async (n: number, op: (i: number) => Promise<void> | void) => {
      db.pragma('wal_checkpoint(TRUNCATE)');
      for (let i = 0; i < n; i++) await op(i);
      const pages = frames();
      const byTree = new Map<string, number>();
      for (const page of pages) {
        const tree = owner.get(page) ?? '(new pages)';
        byTree.set(tree, (byTree.get(tree) ?? 0) + 1);
      }
      return { perOp: pages.length / n, byTree: [...byTree].sort((a, b) => b[1] - a[1]).map(([tree, k]) => `${tree} ${(k / n).toFixed(1)}`) };
    };
    const sale = await count(PAGE_SAMPLES, async (k) => {
      const i = first + k;
      const memberId = customers.pick();
      const result = await core.dispatch('cashier', 'ledger.manualCommit', manualSale(memberId, i, customers.redeemFor(memberId, i)));
      if (!result.ok) throw new Error(`sale ${i} refused: ${result.error.code}`);
      customers.after(result.value as SaleResult);
    });
    const insert = db.prepare<[number, string]>('INSERT INTO bench_bare_insert (at, body) VALUES (?, ?)');
    const bare = await count(PAGE_SAMPLES, () => {
      db.transaction(() => insert.run(Date.now(), 'x'.repeat(600))).immediate();
    });
    return { sale, bare };
  } finally {
    db.pragma(`wal_autocheckpoint = ${before}`);
  }
}

async function measureBalances(core: Core, customers: Customers) {
  const ns: number[] = [];
  for (let i = 0; i < WARM_UP + BALANCE_SAMPLES; i++) {
    const memberId = customers.pick();
    const t = process.hrtime.bigint();
    const result = await core.dispatch('cashier', 'ledger.account', { memberId });
    const elapsed = Number(process.hrtime.bigint() - t);
    if (!result.ok) throw new Error(`balance of ${memberId} refused: ${result.error.code}`);
    if ((result.value as { balance: number }).balance !== customers.balances.get(memberId)) throw new Error(`balance of ${memberId} is not what its sales left`);
    if (i >= WARM_UP) ns.push(elapsed);
  }
  return ns;
}

async function measureApi(core: Core, customers: Customers, token: string, config: Parameters<typeof startTillApi>[0]['config']) {
  const api = await startTillApi({ core, config, clock: systemClock, random: seededRandom(9), logger: silentLogger });
  const ns: number[] = [];
  try {
    for (let i = 0; i < WARM_UP + API_SAMPLES; i++) {
      const memberId = customers.pick();
      const body = JSON.stringify(tillSale(memberId, i, customers.redeemFor(memberId, i)));
      const t = process.hrtime.bigint();
      const response = await fetch(`${api.origin}/v1/sales`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': `bench-${i}` },
        body,
      });
      const text = await response.text();
      const elapsed = Number(process.hrtime.bigint() - t);
      if (response.status !== 200) throw new Error(`till API sale ${i}: ${response.status} ${text.slice(0, 300)}`);
      customers.after((JSON.parse(text) as { sale: SaleResult }).sale);
      if (i >= WARM_UP) ns.push(elapsed);
    }
  } finally {
    await api.close();
  }
  return ns;
}

export async function runLedgerBench(argv: string[]): Promise<void> {
  const o = options(argv);
  const dir = mkdtempSync(join(tmpdir(), 'fidele-bench-ledger-'));
  const dbPath = join(dir, 'terminal.sqlite');
  try {
    const buildStart = performance.now();
    const built = buildDatabase(dbPath, o);
    const buildS = (performance.now() - buildStart) / 1000;
    const dbMb = statSync(dbPath).size / 1e6;
    console.log(`built ${built.entries} journal entries (${built.sales} sales, ${built.members} members) in ${buildS.toFixed(1)} s: ${dbMb.toFixed(0)} MB (${dbPath})`);

    const token = newTillToken(seededRandom(o.seed + 2));
    const config = testConfig({
      terminalId: TERMINAL_ID,
      tillApi: { enabled: true, host: '127.0.0.1', port: 0, lan: false, tills: [{ id: TILL_ID, tokenSha256: sha256Hex(token) }] },
    });
    const openStart = performance.now();
    const core = createCore({ dbPath, config, shell: 'browser', clock: systemClock, random: seededRandom(o.seed + 3), logger: silentLogger });
    const openS = (performance.now() - openStart) / 1000;
    let events = 0;
    core.bus.subscribe(() => {
      events++;
    });
    const startStart = performance.now();
    await core.start();
    const startS = (performance.now() - startStart) / 1000;
    const integrity = core.ledger.integrity();
    if (integrity.state !== 'verified') throw new Error(`the journal did not verify at start: ${integrity.state} ${JSON.stringify(integrity.problems)}`);
    const entries = core.ledger.head().seq;
    console.log(`opened in ${openS.toFixed(1)} s (quick_check); start() verified ${entries} entries in ${startS.toFixed(1)} s`);

    let saleRun, balanceNs, apiNs, pages;
    const customers = new Customers(built.balances, o.seed);
    try {
      saleRun = await measureSales(core, customers, o.sales);
      balanceNs = await measureBalances(core, customers);
      apiNs = await measureApi(core, customers, token, config);
      pages = await measurePages(core, customers, WARM_UP + o.sales + API_SAMPLES + WARM_UP);
    } finally {
      await core.close();
    }

    const sale = summarise(saleRun.saleNs);
    const bare = summarise(saleRun.bareNs);
    const balance = summarise(balanceNs);
    const apiCommit = summarise(apiNs);
    const ratio = sale.p50 / bare.p50;
    const ms = (x: number) => `${x.toFixed(2)} ms`;
    console.log(
      `sale (ledger.manualCommit via dispatch), ${saleRun.saleNs.length} sales, ${saleRun.redeemed} redeeming: p50 ${ms(sale.p50)}, p90 ${ms(sale.p90)}, p99 ${ms(sale.p99)}, max ${ms(sale.max)}`,
    );
    console.log(`bare single-row INSERT transaction, fsync'd, same database: p50 ${ms(bare.p50)}, p90 ${ms(bare.p90)}, p99 ${ms(bare.p99)}`);
    console.log(`CPU time (user + system) per sample: sale ${ms(saleRun.saleCpuMs)}, bare INSERT ${ms(saleRun.bareCpuMs)}`);
    console.log(`sale ÷ bare (medians): ${ratio.toFixed(2)} [target ≤ ${TARGETS.saleVsBareRatio}: ${verdict(ratio <= TARGETS.saleVsBareRatio)}]`);
    console.log(
      `balance (ledger.account via dispatch), ${balanceNs.length} reads: p50 ${fmt(balance.p50)}, p99 ${fmt(balance.p99)}, max ${fmt(balance.max)}` +
        ` [p99 target ≤ ${TARGETS.balanceP99Ms} ms: ${verdict(balance.p99 <= TARGETS.balanceP99Ms)}]`,
    );
    console.log(
      `till API POST /v1/sales over loopback, ${apiNs.length} sales: p50 ${ms(apiCommit.p50)}, p99 ${ms(apiCommit.p99)}, max ${ms(apiCommit.max)}` +
        ` [p99 target ≤ ${TARGETS.apiCommitP99Ms} ms: ${verdict(apiCommit.p99 <= TARGETS.apiCommitP99Ms)}]`,
    );
    console.log(`session events delivered: ${events}`);
    console.log(`write-ahead log pages per committed sale: ${pages.sale.perOp.toFixed(1)} (${pages.sale.byTree.join(', ')})`);
    console.log(`write-ahead log pages per bare INSERT: ${pages.bare.perOp.toFixed(1)} (${pages.bare.byTree.join(', ')})`);

    const targetsMet = ratio <= TARGETS.saleVsBareRatio && balance.p99 <= TARGETS.balanceP99Ms && apiCommit.p99 <= TARGETS.apiCommitP99Ms;
    console.log(
      JSON.stringify({
        suite: 'ledger',
        entries,
        members: built.members,
        build: 'bulk',
        build_s: Math.round(buildS * 10) / 10,
        db_mb: Math.round(dbMb),
        open_s: Math.round(openS * 10) / 10,
        start_verify_s: Math.round(startS * 10) / 10,
        sale_samples: saleRun.saleNs.length,
        sale_p50_ms: round(sale.p50),
        sale_p99_ms: round(sale.p99),
        bare_insert_p50_ms: round(bare.p50),
        bare_insert_p99_ms: round(bare.p99),
        sale_vs_bare_ratio: Math.round(ratio * 100) / 100,
        sale_cpu_ms: round(saleRun.saleCpuMs),
        bare_insert_cpu_ms: round(saleRun.bareCpuMs),
        balance_p50_ms: round(balance.p50),
        balance_p99_ms: round(balance.p99),
        api_commit_p50_ms: round(apiCommit.p50),
        api_commit_p99_ms: round(apiCommit.p99),
        sale_wal_pages: Math.round(pages.sale.perOp * 10) / 10,
        bare_wal_pages: Math.round(pages.bare.perOp * 10) / 10,
        targets_met: targetsMet,
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
