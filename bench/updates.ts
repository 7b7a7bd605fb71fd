/**
 * The terminal's side of fleet updates (issue 13):
 * - verify_mb_per_s: the check before any install (Ed25519 over the release
 *   manifest, then size and sha512 of the file, read once) on a 150 MB
 *   artifact; target ≥ 300 MB/s;
 * - backup_s: SQLite's online backup of a terminal database holding
 *   2,000,000 journal entries (written by bulk-journal.ts, through the ledger
 *   benchmark's buildDatabase), checked as before
 *   an install (opens, page count and journal heads as the source's); target ≤ 10 s;
 * - feed_p99_ms: HQ answering 1,000 terminals polling their feed over
 *   loopback, measured by the HQ engineer's benchFeed() (bench/updates-feed.ts);
 *   target ≤ 20 ms.
 * Options: --entries N (default 2000000), --members N (default 20000),
 * --artifact-mb N (default 150), --terminals N (default 1000), --seed S.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../src/main/core/db/database';
import { seededRandom, systemClock } from '../src/main/core/ports';
import { rawPublicKey } from '../src/main/core/sync/signing';
import { backupDatabase } from '../src/main/core/updates/backup';
import { sha512Base64, verifyDownload, type TrustedReleaseKey } from '../src/main/core/updates/verify';
import { buildDatabase } from './ledger';
import { benchFeed } from './updates-feed';
import { releaseSigningText, type ReleaseManifest, type SignedRelease } from '../src/shared/updates/release';

const TARGETS = { verifyMbPerS: 300, backupS: 10, feedP99Ms: 20 };

export function updatesOptions(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      entries: { type: 'string', default: '2000000' },
      members: { type: 'string', default: '20000' },
      'artifact-mb': { type: 'string', default: '150' },
      terminals: { type: 'string', default: '1000' },
      seed: { type: 'string', default: '20261207' },
    },
  });
  return {
    entries: Number(values.entries),
    members: Number(values.members),
    artifactMb: Number(values['artifact-mb']),
    terminals: Number(values.terminals),
    seed: Number(values.seed),
  };
}

/** A terminal database after a year of selling, built as the ledger benchmark builds it (bulk-journal.ts). */
export function buildJournalDatabase(dbPath: string, o: { entries: number; members: number; seed: number }): void {
  buildDatabase(dbPath, { ...o, sales: 10 });
}

export async function runUpdatesBench(argv: string[]): Promise<void> {
  const o = updatesOptions(argv);
  const dir = mkdtempSync(join(tmpdir(), 'fidele-bench-updates-'));
  try {
    // ── verification of a downloaded artifact ──
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const keys: TrustedReleaseKey[] = [{ keyId: 'bench-release', publicKey: rawPublicKey(publicKey) }];
    const artifact = join(dir, 'fidele-9.9.9.AppImage');
    const bytes = Math.round(o.artifactMb * 1024 * 1024);
    writeArtifact(artifact, bytes);
    const manifest: ReleaseManifest = {
      version: '9.9.9',
      channel: 'stable',
      fileName: 'fidele-9.9.9.AppImage',
      sha512: await sha512Base64(artifact),
      size: bytes,
      allowDowngrade: false,
      publishedAt: systemClock.now(),
    };
    const release: SignedRelease = { manifest, keyId: 'bench-release', signature: sign(null, Buffer.from(releaseSigningText(manifest), 'utf8'), privateKey).toString('base64url') };
    const runs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = process.hrtime.bigint();
      const outcome = await verifyDownload(artifact, release, keys);
      runs.push(Number(process.hrtime.bigint() - t0) / 1e9);
      if (!outcome.ok) throw new Error(`the bench artifact did not verify: ${outcome.message}`);
    }
    const bestS = Math.min(...runs);
    const verifyMbPerS = bytes / (1024 * 1024) / bestS;
    console.log(`verify: ${o.artifactMb} MB signed artifact checked in ${(bestS * 1000).toFixed(0)} ms (best of 3) → ${verifyMbPerS.toFixed(0)} MB/s (target ≥ ${TARGETS.verifyMbPerS})`);
    rmSync(artifact, { force: true });

    // ── online backup before an install ──
    const dbPath = join(dir, 'terminal.sqlite');
    const t0 = process.hrtime.bigint();
    buildJournalDatabase(dbPath, o);
    console.log(`database: ${o.entries} journal entries built in ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1)} s (${(statSync(dbPath).size / 1024 / 1024).toFixed(0)} MB)`);
    const db = openDatabase(dbPath);
    let backupS: number;
    try {
      const t1 = process.hrtime.bigint();
      const backup = await backupDatabase(db, dir, 'bench', systemClock.now());
      backupS = Number(process.hrtime.bigint() - t1) / 1e9;
      console.log(`backup: ${(backup.bytes / 1024 / 1024).toFixed(0)} MB copied and checked in ${backupS.toFixed(2)} s (target ≤ ${TARGETS.backupS})`);
    } finally {
      db.close();
    }

    // ── HQ's feed under 1,000 terminals (the HQ releases engineer's benchFeed) ──
    const feed = await benchFeed({ terminals: o.terminals });
    const feedP99Ms = feed.feed_p99_ms;
    console.log(
      `feed: ${feed.feed_terminals} terminals, ${feed.feed_requests} polls, ${feed.feed_concurrency} in flight: p50 ${feed.feed_p50_ms} ms, p99 ${feedP99Ms} ms (target ≤ ${TARGETS.feedP99Ms})`,
    );

    const targetsMet = verifyMbPerS >= TARGETS.verifyMbPerS && backupS <= TARGETS.backupS && feedP99Ms <= TARGETS.feedP99Ms;
    console.log(
      JSON.stringify({
        suite: 'updates',
        entries: o.entries,
        artifact_mb: o.artifactMb,
        verify_mb_per_s: Math.round(verifyMbPerS),
        backup_s: Math.round(backupS * 100) / 100,
        feed_p99_ms: feedP99Ms,
        feed_p50_ms: feed.feed_p50_ms,
        feed_terminals: feed.feed_terminals,
        targets: { verify_mb_per_s: TARGETS.verifyMbPerS, backup_s: TARGETS.backupS, feed_p99_ms: TARGETS.feedP99Ms },
        targets_met: targetsMet,
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `bytes` of pseudo-random content (1 MB blocks, each made different), the shape of a compressed AppImage. */
export function writeArtifact(file: string, bytes: number): void {
  const block = Buffer.from(seededRandom(bytes).bytes(1 << 20));
  const fd = openSync(file, 'w');
  try {
    for (let written = 0; written < bytes; ) {
      const n = Math.min(block.length, bytes - written);
      block.writeUInt32LE(written >>> 0, 0);
      writeSync(fd, block, 0, n);
      written += n;
    }
  } finally {
    closeSync(fd);
  }
}
