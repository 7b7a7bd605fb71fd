// HQ as a separate process for the kill tests: server.ts's database, context
// and HTTP API on a data folder (PGlite) or DATABASE_URL (PostgreSQL), on a
// fixed port so terminals find it again after a restart. The parent SIGKILLs
// it at random instants and starts it again on the same data.
//
//   node --import tsx test/sync-faults/kill-hq-child.ts '<json options>'
// (the test runs it bundled: see bundleChildren in kill-children.ts)
//
// stdout:
//   OPENING                 about to open the database (recovery after a kill happens here)
//   OPENED <json streams>   the database is open and migrated; nothing served yet
//   SERVING <url>
// What OPENED lists is read before the first request of this run, so every
// stream cursor in it was committed by an earlier run: the parent compares it
// with the receipts the terminals stored (nothing acknowledged may be lost).
import { writeSync } from 'node:fs';
import { buildApp, openHq } from '../../src/hq/server';
import { prepareWeb } from '../../src/hq/staff/setup';
import { releaseExpiredHolds } from '../../src/hq/holds';
import { runHqExpiry } from '../../src/hq/expiry';
import type { Logger } from '../../src/main/core/ports';

export interface HqChildOptions {
  dataDir: string;
  /** PostgreSQL instead of PGlite in dataDir. */
  databaseUrl?: string;
  port: number;
  /** How often holds are released and lots expired, as startHq does (0: never). */
  maintenanceMs: number;
}

export interface StreamState {
  terminalId: string;
  epoch: number;
  lastSeq: number;
  lastHash: string;
  /** journal_entry rows of the stream, and the highest seq among them. */
  entries: number;
  maxSeq: number;
  /** The stored hash at each seq a caller may want to check: here, every one. */
  hashes: Record<number, string>;
}

const o = JSON.parse(process.argv[2] ?? '{}') as HqChildOptions;
// Without a data folder, openHq would fall back to data/hq in the working copy.
if (typeof o.dataDir !== 'string' || !Number.isInteger(o.port)) {
  process.stderr.write('usage: kill-hq-child \'{"dataDir": …, "port": …, "maintenanceMs": …}\'\n');
  process.exit(2);
}
const say = (line: string) => writeSync(1, `${line}\n`);

const logger: Logger = {
  info() {},
  warn: (message, fields) => process.stderr.write(`warn ${message} ${JSON.stringify(fields ?? {})}\n`),
  error: (message, fields) => process.stderr.write(`error ${message} ${JSON.stringify(fields ?? {})}\n`),
};

async function main(): Promise<void> {
  say('OPENING');
  const ctx = await openHq({ dataDir: o.dataDir, databaseUrl: o.databaseUrl, logger });
  const streams = await ctx.sql.query<{ terminal_id: string; epoch: number; last_seq: number; last_hash: string }>(
    'SELECT terminal_id, epoch, last_seq, last_hash FROM terminal_stream ORDER BY terminal_id, epoch',
  );
  const state: StreamState[] = [];
  for (const s of streams) {
    const rows = await ctx.sql.query<{ seq: number; entry_hash: string }>('SELECT seq, entry_hash FROM journal_entry WHERE terminal_id = $1 AND epoch = $2 ORDER BY seq', [
      s.terminal_id,
      s.epoch,
    ]);
    state.push({
      terminalId: s.terminal_id,
      epoch: s.epoch,
      lastSeq: s.last_seq,
      lastHash: s.last_hash,
      entries: rows.length,
      maxSeq: rows.at(-1)?.seq ?? 0,
      hashes: Object.fromEntries(rows.map((r) => [r.seq, r.entry_hash])),
    });
  }
  say(`OPENED ${JSON.stringify(state)}`);

  const app = buildApp(ctx, prepareWeb(ctx, { dataDir: o.dataDir, host: '127.0.0.1' }));
  await app.listen({ port: o.port, host: '127.0.0.1' });
  say(`SERVING http://127.0.0.1:${o.port}`);

  let running = Promise.resolve();
  const timer =
    o.maintenanceMs > 0
      ? setInterval(() => {
          running = running
            .then(async () => {
              await releaseExpiredHolds(ctx);
              await runHqExpiry(ctx);
            })
            .catch((error: unknown) => logger.error('hq maintenance failed', { error: String(error) }));
        }, o.maintenanceMs)
      : null;

  // The test process is gone (a timeout, a crash): do not serve on forever.
  process.stdin.resume().on('end', () => process.exit(3));
  process.once('SIGTERM', () => {
    if (timer) clearInterval(timer);
    void running
      .then(() => app.close())
      .then(() => ctx.sql.close())
      .then(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`fatal ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
