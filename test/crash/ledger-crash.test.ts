import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/main/core/ledger/verify';
import { seededRandom } from '../../src/main/core/ports';

/**
 * A child process commits sales through the ledger on a real SQLite file
 * (WAL, synchronous=FULL) and is killed with SIGKILL at random moments, 50
 * times. After each kill: the file passes integrity_check, the chain
 * verifies, and every sale the child acknowledged is there exactly once.
 */
const RUNS = 50;
const SEED = 20261118;
const dir = mkdtempSync(join(tmpdir(), 'fidele-crash-'));
const dbPath = join(dir, 'terminal.sqlite');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Ack {
  receipt: string;
  saleId: string;
  hash: string;
}

/** Runs the child until `killAfterMs` past READY (or past spawn, if `early`), then SIGKILLs it. */
function runChild(run: number, killAfterMs: number, early: boolean): Promise<{ acks: Ack[]; replays: Array<[string, string]>; signal: string | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/crash/crash-child.ts', dbPath, String(run)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acks: Ack[] = [];
    const replays: Array<[string, string]> = [];
    let stdout = '';
    let stderr = '';
    let timer: NodeJS.Timeout | null = null;
    const kill = () => child.kill('SIGKILL');
    if (early) timer = setTimeout(kill, killAfterMs);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      let newline: number;
      while ((newline = stdout.indexOf('\n')) >= 0) {
        const [kind, ...rest] = stdout.slice(0, newline).split(' ');
        stdout = stdout.slice(newline + 1);
        if (kind === 'READY' && !timer) timer = setTimeout(kill, killAfterMs);
        if (kind === 'ACK') acks.push({ receipt: rest[0]!, saleId: rest[1]!, hash: rest[2]! });
        if (kind === 'REPLAY') replays.push([rest[0]!, rest[1]!]);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ acks, replays, signal, stderr });
    });
  });
}

describe('crash safety', () => {
  it(`keeps every acknowledged sale exactly once across ${RUNS} SIGKILLs`, async () => {
    const random = seededRandom(SEED);
    const acked = new Map<string, Ack>();
    let totalAcks = 0;

    for (let run = 0; run < RUNS; run++) {
      const [a, b] = random.bytes(2);
      const early = run > 0 && a! % 10 === 0; // now and then, kill while it is still opening the database
      const killAfterMs = early ? (b! * 400) / 255 : (b! * 120) / 255;
      const outcome = await runChild(run, killAfterMs, early);
      expect(outcome.signal, outcome.stderr).toBe('SIGKILL');
      for (const ack of outcome.acks) {
        expect(acked.has(ack.receipt), `${ack.receipt} acknowledged twice`).toBe(false);
        acked.set(ack.receipt, ack);
      }
      // A retried receipt comes back with the sale it was first committed as.
      for (const [receipt, saleId] of outcome.replays) {
        const first = acked.get(receipt);
        if (first) expect(saleId).toBe(first.saleId);
        else acked.set(receipt, { receipt, saleId, hash: '' });
      }
      totalAcks += outcome.acks.length;

      const db = new Database(dbPath);
      try {
        expect(db.pragma('integrity_check', { simple: true }), `run ${run}`).toBe('ok');
        const hasLedger = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'ledger_entry'").get();
        if (!hasLedger) {
          expect(acked.size, 'sales acknowledged before the ledger existed').toBe(0);
          continue;
        }
        const report = verifyChain(db);
        expect(report.problems, `run ${run}`).toEqual([]);
        const saleRows = new Map(
          db
            .prepare<[], { receipt: string; sale_id: string; n: number }>("SELECT receipt, sale_id, count(*) OVER (PARTITION BY till_id, receipt) AS n FROM ledger_sale WHERE till_id = 'till-1'")
            .all()
            .map((r) => [r.receipt, r]),
        );
        const byGroup = db.prepare<[string], { entry_hash: string }>('SELECT entry_hash FROM ledger_entry WHERE group_id = ? ORDER BY seq');
        for (const ack of acked.values()) {
          const row = saleRows.get(ack.receipt);
          expect(row, `acknowledged sale ${ack.receipt} is missing after run ${run}`).toBeDefined();
          expect(row!.n).toBe(1);
          expect(row!.sale_id).toBe(ack.saleId);
          const entries = byGroup.all(ack.saleId);
          expect(entries.length).toBeGreaterThanOrEqual(1);
          if (ack.hash) expect(entries.at(-1)!.entry_hash).toBe(ack.hash);
        }
      } finally {
        db.close();
      }
    }
    // The test is only worth something if the child got real work done between kills.
    expect(totalAcks).toBeGreaterThan(RUNS * 2);
  }, 120_000);
});
