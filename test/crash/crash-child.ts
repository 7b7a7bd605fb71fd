// The process the crash test kills. It opens a real SQLite file, commits
// sales through the ledger as fast as it can, and after each commit returns
// writes one line to stdout: what was acknowledged to its caller.
//
//   node --import tsx test/crash/crash-child.ts <db path> <run number>
//
// stdout lines: READY | ACK <receipt> <sale id> <last entry hash> | REPLAY <receipt> <sale id>
import { writeSync } from 'node:fs';
import { openDatabase } from '../../src/main/core/db/database';
import { createLedger, systemMonotonic } from '../../src/main/core/ledger/ledger';
import { MemberStore } from '../../src/main/core/members/member-store';
import { cryptoRandom } from '../../src/main/core/crypto-random';
import { systemClock, silentLogger } from '../../src/main/core/ports';
import { insertKnownMembers } from '../fakes/known-members';

const [path, runText] = process.argv.slice(2);
const run = Number(runText);
if (!path || !Number.isInteger(run)) {
  console.error('usage: crash-child.ts <db path> <run number>');
  process.exit(2);
}

/** Synchronous: a line is acknowledged once it is handed to the pipe, not when a buffer flushes. */
const say = (line: string) => writeSync(1, `${line}\n`);

const db = openDatabase(path);
const store = new MemberStore(db);
// insertKnownMembers is deterministic, so every run finds the same members, in the same order.
if (store.count() === 0) insertKnownMembers(store);
const members = db.prepare<[], { id: string }>('SELECT id FROM member ORDER BY id').all().map((m) => m.id);
const ledger = createLedger({ db, clock: systemClock, random: cryptoRandom, monotonic: systemMonotonic, terminalId: 'crash-t1', logger: silentLogger });

/** The sale number `i` of run `r`, the same body every time it is built. */
function body(r: number, i: number, redeemPoints = 0) {
  const price = 500 + ((r * 7919 + i * 104_729) % 9500);
  const lines = [
    { lineId: 'A', sku: 'SKU-A', label: 'Pain de campagne', category: 'epicerie', quantity: 1 + (i % 3), unitPriceCents: price, discountCents: 0, taxRateBp: 550, rewardId: null },
    { lineId: 'B', sku: 'SKU-B', label: 'Café', category: i % 4 === 0 ? 'bio' : 'epicerie', quantity: 1, unitPriceCents: 450, discountCents: 0, taxRateBp: 2000, rewardId: null },
  ];
  const net = lines.reduce((s, l) => s + l.quantity * l.unitPriceCents, 0);
  return {
    tillId: 'till-1',
    receipt: `K${r}-${i}`,
    memberId: members[(r + i) % members.length]!,
    lines,
    payments: [{ method: 'card' as const, amountCents: net - redeemPoints * 5 }],
    redeemPoints,
  };
}

say('READY');

// After a crash, the till retries what it may not have seen acknowledged: the same receipts, the same bodies.
if (run > 0) {
  for (let i = 0; i < 3; i++) {
    const result = ledger.commit(body(run - 1, i));
    say(`REPLAY ${result.receipt} ${result.saleId}`);
  }
}

for (let i = 0; ; i++) {
  const memberId = members[(run + i) % members.length]!;
  // Every fifth sale (never one of the first three, which are replayed) spends points when it can.
  const redeem = i % 5 === 4 && ledger.points(memberId).available >= 100 ? 100 : 0;
  const result = ledger.commit(body(run, i, redeem));
  say(`ACK ${result.receipt} ${result.saleId} ${result.entries.at(-1)!.entryHash}`);
}
