/**
 * HQ's side of fleet updates (issue 13): how fast HQ answers terminals
 * polling their electron-updater feed (latest-linux.yml) over loopback.
 * 1,000 enrolled terminals in 100 stores (10 of them the pilot cohort), two
 * releases, a pilot rollout at 100 % and a stable one at 50 %: each answer
 * is that terminal's own (token checked, terminal looked up, its rollout
 * worked out). Each terminal polls once to warm up (its offer recorded, as
 * its first real poll would), then `rounds` times, `concurrency` requests in
 * flight; feed_p99_ms is the 99th percentile of the request latencies
 * (send to last byte). Target ≤ 20 ms.
 *
 * `benchFeed()` is called by bench/updates.ts; standalone:
 *   npx tsx bench/updates-feed.ts [--terminals N] [--rounds N] [--concurrency N]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateKeyPairSync } from 'node:crypto';
import { Agent, request } from 'node:http';
import { seededRandom, silentLogger, systemClock } from '../src/main/core/ports';
import { rawPublicKey } from '../src/hq/keys';
import { startHq } from '../src/hq/server';
import { issueFeedToken } from '../src/hq/updates/feed-token';
import { ensureReleaseKey, publishRelease } from '../src/hq/updates/releases';
import { createRollout, setStoreCohort } from '../src/hq/updates/rollout';
import { updateService } from '../src/hq/updates/service';
import { round, summarise } from './stats';

export interface FeedBenchOptions {
  terminals?: number;
  rounds?: number;
  concurrency?: number;
}

export interface FeedBenchResult {
  feed_p99_ms: number;
  feed_p50_ms: number;
  feed_max_ms: number;
  feed_terminals: number;
  feed_requests: number;
  feed_concurrency: number;
  feed_per_s: number;
  /** Terminals whose feed named a release (the rest got their own version back). */
  feed_with_target: number;
}

const TERMINALS_PER_STORE = 10;

function get(agent: Agent, port: number, path: string, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

export async function benchFeed(o: FeedBenchOptions = {}): Promise<FeedBenchResult> {
  const terminals = o.terminals ?? 1000;
  const rounds = o.rounds ?? 3;
  const concurrency = o.concurrency ?? 4;
  const dir = mkdtempSync(join(tmpdir(), 'fidele-bench-feed-'));
  const hq = await startHq({ dataDir: dir, inMemory: true, port: 0, logger: silentLogger, random: seededRandom(13), maintenanceIntervalMs: 0, valueCheckIntervalMs: 0 });
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  try {
    const ctx = hq.ctx;
    // Terminals as enrolment leaves them (the feed reads the terminal row; their keys are never used here).
    const ids = Array.from({ length: terminals }, (_, i) => `bench-${String(Math.floor(i / TERMINALS_PER_STORE)).padStart(3, '0')}-t${i % TERMINALS_PER_STORE}`);
    const publicKey = rawPublicKey(generateKeyPairSync('ed25519').publicKey);
    const now = systemClock.now();
    for (let i = 0; i < ids.length; i += 500) {
      const batch = ids.slice(i, i + 500);
      await ctx.sql.query(
        `INSERT INTO terminal (terminal_id, store_id, public_key, key_id, app_version, status, epoch, enrolled_at, last_contact_at)
         SELECT id, split_part(id, '-t', 1), $2, id || '-k1', '1.0.0', 'active', 1, $3, $3 FROM unnest($1::text[]) AS id`,
        [batch, publicKey, now],
      );
    }
    const stores = [...new Set(ids.map((id) => id.split('-t')[0]!))];
    for (const store of stores.slice(0, 10)) await setStoreCohort(ctx, store, 'pilot', 'bench');
    await ensureReleaseKey(ctx, 'bench');
    for (const version of ['1.1.0', '1.2.0-rc.1']) {
      const file = join(dir, `Fidele-${version}.AppImage`);
      writeFileSync(file, Buffer.alloc(1024 * 1024, version));
      await publishRelease(ctx, { file, version, channel: version.includes('rc') ? 'pilot' : 'stable' }, 'bench');
    }
    await createRollout(ctx, { version: '1.1.0', stores, percent: 50 }, 'bench');
    await createRollout(ctx, { version: '1.2.0-rc.1', cohorts: ['pilot'], percent: 100 }, 'bench');

    const secret = updateService(ctx)!.feedSecret;
    const tokens = ids.map((id) => issueFeedToken(secret, id, now + 3_600_000));
    const channel = (i: number) => (i < 10 * TERMINALS_PER_STORE ? 'pilot' : 'stable');
    const poll = async (i: number) => get(agent, hq.port, `/v1/updates/feed/${channel(i)}/latest-linux.yml`, tokens[i]!);

    let withTarget = 0;
    for (let i = 0; i < ids.length; i += concurrency) {
      const answers = await Promise.all(ids.slice(i, i + concurrency).map((_, j) => poll(i + j)));
      for (const a of answers) {
        if (a.status !== 200) throw new Error(`feed answered ${a.status}: ${a.body}`);
        if (a.body.includes('files:\n')) withTarget += 1;
      }
    }

    const samples: number[] = [];
    const t0 = process.hrtime.bigint();
    for (let r = 0; r < rounds; r += 1) {
      let next = 0;
      const worker = async () => {
        for (let i = next++; i < ids.length; i = next++) {
          const start = process.hrtime.bigint();
          const answer = await poll(i);
          samples.push(Number(process.hrtime.bigint() - start));
          if (answer.status !== 200) throw new Error(`feed answered ${answer.status}`);
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
    }
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const s = summarise(samples);
    return {
      feed_p99_ms: round(s.p99),
      feed_p50_ms: round(s.p50),
      feed_max_ms: round(s.max),
      feed_terminals: terminals,
      feed_requests: samples.length,
      feed_concurrency: concurrency,
      feed_per_s: Math.round(samples.length / seconds),
      feed_with_target: withTarget,
    };
  } finally {
    agent.destroy();
    await hq.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// Standalone: prints the readable line and the JSON object last.
if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { terminals: { type: 'string', default: '1000' }, rounds: { type: 'string', default: '3' }, concurrency: { type: 'string', default: '4' } } });
  const result = await benchFeed({ terminals: Number(values.terminals), rounds: Number(values.rounds), concurrency: Number(values.concurrency) });
  console.log(
    `feed: ${result.feed_terminals} terminals, ${result.feed_requests} polls, ${result.feed_concurrency} in flight: p50 ${result.feed_p50_ms} ms, p99 ${result.feed_p99_ms} ms (target ≤ 20), ${result.feed_per_s}/s; ${result.feed_with_target} offered a release`,
  );
  console.log(JSON.stringify(result));
}
