// The terminal the kill tests run as a separate process: the real ledger on a
// real SQLite file and the real sync client pushing to and pulling from HQ
// over HTTP, on real timers, selling all the time. The parent SIGKILLs it (or
// HQ) at random instants and restarts it on the same file.
//
//   node --import tsx test/sync-faults/kill-terminal-child.ts '<json options>'
// (the test runs it bundled: see bundleChildren in kill-children.ts)
//
// stdout, one line per event, written synchronously so that a line the parent
// reads was handed over before the kill:
//   READY <head seq> <acked seq> <enrolled 0|1> <chain ok 0|1>
//   ENROLLED <epoch>
//   BEGIN <receipt>                       a sale is about to be committed
//   SALE <receipt> <sale id> <seq> <hash> committed: the till may print it
//   REFUND <refund id> <seq>
//   PHASE <idle|pushing|pulling|offline|frozen> <acked seq> <head seq>
//   RECEIPT <acked seq>                   a verified HQ receipt was stored
//   HTTP> <n> <path>                      request n to HQ leaves
//   HTTP< <n> <path> <status>             its whole answer is in (the client verifies and applies it next)
//   HTTP! <n> <path>                      it failed (HQ unreachable, timeout)
//   DRAINED <head seq> <acked seq>        after DRAIN on stdin: all pushed, pulled since
// stdin: DRAIN stops selling and syncs until nothing is left, then exits 0; stdin closed: exits.
import { writeSync } from 'node:fs';
import { openDatabase } from '../../src/main/core/db/database';
import { systemTimers } from '../../src/main/core/devices/reconnect';
import { createLedger, systemMonotonic } from '../../src/main/core/ledger/ledger';
import { MemberStore } from '../../src/main/core/members/member-store';
import { cryptoRandom } from '../../src/main/core/crypto-random';
import { systemClock, type Logger } from '../../src/main/core/ports';
import { createSync } from '../../src/main/core/sync/sync-service';
import type { FetchLike } from '../../src/main/core/sync/transport';
import { AppFailure } from '../../src/shared/contract';
import { insertKnownMembers } from '../fakes/known-members';

export interface TerminalChildOptions {
  dbPath: string;
  hqUrl: string;
  terminalId: string;
  storeId: string;
  /** Distinguishes receipt numbers between runs on the same file. */
  run: number;
  /** A one-time enrolment code, used only if the terminal is not enrolled yet. */
  enrolCode?: string;
  /** Pause between sales, so the sync client gets the event loop too. */
  saleEveryMs: number;
  maxEntries: number;
}

const o = JSON.parse(process.argv[2] ?? '{}') as TerminalChildOptions;
if (typeof o.dbPath !== 'string' || typeof o.hqUrl !== 'string' || typeof o.terminalId !== 'string') {
  process.stderr.write('usage: kill-terminal-child \'{"dbPath": …, "hqUrl": …, "terminalId": …, …}\'\n');
  process.exit(2);
}
const say = (line: string) => writeSync(1, `${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Warnings and errors go to stderr, where the parent shows them if something fails. */
const logger: Logger = {
  info() {},
  warn: (message, fields) => process.stderr.write(`warn ${message} ${JSON.stringify(fields ?? {})}\n`),
  error: (message, fields) => process.stderr.write(`error ${message} ${JSON.stringify(fields ?? {})}\n`),
};

/** The real fetch, saying when each exchange with HQ starts and ends: what was in flight at a kill. */
let requests = 0;
const tracedFetch: FetchLike = async (url, init) => {
  const n = ++requests;
  const path = new URL(url).pathname;
  say(`HTTP> ${n} ${path}`);
  try {
    const response = await globalThis.fetch(url, init);
    const body = await response.text();
    say(`HTTP< ${n} ${path} ${response.status}`);
    return { status: response.status, headers: response.headers, text: async () => body };
  } catch (error) {
    say(`HTTP! ${n} ${path}`);
    throw error;
  }
};

async function main(): Promise<void> {
  const db = openDatabase(o.dbPath);
  const members = new MemberStore(db);
  if (members.count() === 0) insertKnownMembers(members);
  const memberIds = db.prepare<[], { id: string }>('SELECT id FROM member ORDER BY id').all().map((m) => m.id);
  const ledger = createLedger({ db, clock: systemClock, random: cryptoRandom, monotonic: systemMonotonic, terminalId: o.terminalId, logger });
  const chain = await ledger.start();

  let lastPhase = '';
  let lastAcked = ledger.ackCursor().seq;
  const sync = createSync({
    db,
    ledger,
    members,
    clock: systemClock,
    random: cryptoRandom,
    logger,
    fetch: tracedFetch,
    timers: systemTimers,
    hqUrl: o.hqUrl,
    maxEntries: o.maxEntries,
    // Short waits: the test kills and restarts within a second, and must not sit in a backoff.
    idleMs: 40,
    pullEveryMs: 120,
    backoff: { baseMs: 20, capMs: 150 },
    timeoutMs: 3_000,
    onChange: (s) => {
      if (s.ackedSeq > lastAcked) {
        lastAcked = s.ackedSeq;
        say(`RECEIPT ${s.ackedSeq}`);
      }
      const phase = `${s.state} ${s.ackedSeq} ${s.headSeq}`;
      if (phase !== lastPhase) {
        lastPhase = phase;
        say(`PHASE ${phase}`);
      }
    },
  });
  say(`READY ${ledger.head().seq} ${ledger.ackCursor().seq} ${sync.enrolment() ? 1 : 0} ${chain.ok ? 1 : 0}`);
  if (!chain.ok) process.stderr.write(`chain problems: ${JSON.stringify(chain.problems.slice(0, 5))}\n`);

  if (!sync.enrolment()) {
    if (!o.enrolCode) throw new Error('not enrolled and no enrolment code given');
    const outcome = await sync.enrol({ code: o.enrolCode, storeId: o.storeId });
    if (outcome.restartRequired) throw new Error('enrolment asks for a restart');
    say(`ENROLLED ${outcome.enrolment.epoch}`);
  }
  sync.start();

  let draining = false;
  process.stdin.setEncoding('utf8').on('data', (chunk: string) => {
    if (chunk.includes('DRAIN')) draining = true;
  });
  // The test process is gone (a timeout, a crash): do not sell on forever.
  process.stdin.on('end', () => process.exit(3));

  const sold: string[] = [];
  for (let i = 0; !draining; i++) {
    if (i % 9 === 8 && sold.length > 0) {
      // Now and then a refund of an earlier sale of this run: a second kind of entry, negative points.
      const receipt = sold.shift()!;
      const refundId = `F${o.run}-${i}`;
      const result = ledger.refund({ refundId, sale: { tillId: 'till-1', receipt }, lines: 'all' });
      say(`REFUND ${refundId} ${result.entries.at(-1)?.seq ?? ledger.head().seq}`);
    } else {
      const receipt = `K${o.run}-${i}`;
      const memberId = memberIds[(o.run * 7 + i) % memberIds.length]!;
      const price = 500 + ((o.run * 7919 + i * 104_729) % 9500);
      const lines = [{ lineId: 'A', sku: 'SKU-A', label: 'Pain', category: 'epicerie', quantity: 1 + (i % 3), unitPriceCents: price, discountCents: 0, taxRateBp: 550, rewardId: null }];
      const net = lines[0]!.quantity * price;
      const body = (redeemPoints: number) => ({
        tillId: 'till-1',
        receipt,
        memberId,
        lines,
        payments: [{ method: 'card' as const, amountCents: net - redeemPoints * 5 }],
        redeemPoints,
      });
      // Every fifth sale spends points when the member has them; offline, the allowance may refuse it.
      const wanted = i % 5 === 4 && ledger.points(memberId).available >= 100 ? 100 : 0;
      say(`BEGIN ${receipt}`);
      let result;
      try {
        result = ledger.commit(body(wanted));
      } catch (error) {
        if (!(error instanceof AppFailure) || wanted === 0) throw error;
        result = ledger.commit(body(0));
      }
      const last = result.entries.at(-1)!;
      say(`SALE ${receipt} ${result.saleId} ${last.seq} ${last.entryHash}`);
      sold.push(receipt);
    }
    sync.kick();
    await sleep(o.saleEveryMs);
  }

  // Drain: everything pushed, then one pull that started after the last receipt.
  for (let attempt = 0; ; attempt++) {
    await sync.syncNow();
    const s = sync.status();
    if (s.problem) throw new Error(`sync stopped: ${JSON.stringify(s.problem)}`);
    if (s.backlog === 0) {
      const pulled = await sync.pull();
      if (pulled?.ok && sync.status().backlog === 0) break;
    }
    if (attempt > 400) throw new Error(`could not drain: ${JSON.stringify(s)}`);
    await sleep(25);
  }
  sync.stop();
  say(`DRAINED ${ledger.head().seq} ${ledger.ackCursor().seq}`);
  db.close();
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`fatal ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
