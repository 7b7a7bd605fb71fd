import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_REFUSED_EXIT, DatabaseCorruptError, openDatabase, startupRefusal, type Db } from '../../src/main/core/db/database';
import { createLedger } from '../../src/main/core/ledger/ledger';
import { verifyChain } from '../../src/main/core/ledger/verify';
import { MemberStore } from '../../src/main/core/members/member-store';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import { insertKnownMembers } from '../fakes/known-members';
import { line, sale, WEDNESDAY_10H } from './ledger-fixture';

/**
 * Section 3, item 3 of the sync-ledger reference, at start: a damaged
 * database or write-ahead log is refused, never opened with acknowledged
 * entries silently dropped, and the kiosk says so in words.
 */
const SALES = 10;
const dir = mkdtempSync(join(tmpdir(), 'fidele-open-'));
/** The files as a kill -9 right after the tenth acknowledged sale leaves them: every sale is still in the WAL. */
const crashed = join(dir, 'crashed.sqlite');
let live: Db;

beforeAll(() => {
  const path = join(dir, 'live.sqlite');
  live = openDatabase(path);
  const members = insertKnownMembers(new MemberStore(live));
  const ledger = createLedger({ db: live, clock: { now: () => WEDNESDAY_10H }, random: seededRandom(3), monotonic: { now: () => 1_000 }, terminalId: 'test-t1', logger: silentLogger });
  // The schema and the members go to the main file; only the sales stay in the WAL.
  live.pragma('wal_checkpoint(TRUNCATE)');
  for (let i = 1; i <= SALES; i++) ledger.commit(sale(members.claire.id, `R-${i}`, [line(1200 * i)]));
  // Copied while the connection is open: no checkpoint on close, exactly as after a SIGKILL.
  copyFileSync(path, crashed);
  copyFileSync(`${path}-wal`, `${crashed}-wal`);
});

afterAll(() => {
  live.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A fresh copy of the crashed files to damage. */
function copy(name: string): string {
  const path = join(dir, `${name}.sqlite`);
  copyFileSync(crashed, path);
  copyFileSync(`${crashed}-wal`, `${path}-wal`);
  return path;
}

/** The WAL's frames, read with the format's own offsets: which ones end a transaction. */
function walFrames(walPath: string): { pageSize: number; commits: number[]; frames: number } {
  const wal = readFileSync(walPath);
  const pageSize = wal.readUInt32BE(8);
  const frames = Math.floor((wal.length - 32) / (24 + pageSize));
  const commits: number[] = [];
  for (let i = 0; i < frames; i++) if (wal.readUInt32BE(32 + i * (24 + pageSize) + 4) !== 0) commits.push(i);
  return { pageSize, commits, frames };
}

/** Flips bytes in the page data of one frame, as a bad sector would. */
function damageFrame(walPath: string, frame: number): void {
  const wal = readFileSync(walPath);
  const pageSize = wal.readUInt32BE(8);
  const at = 32 + frame * (24 + pageSize) + 24 + 100;
  for (let i = 0; i < 8; i++) wal[at + i] = wal[at + i]! ^ 0xa5;
  writeFileSync(walPath, wal);
}

const digest = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const saleCount = (db: Db) => (db.prepare('SELECT count(*) AS n FROM ledger_sale').get() as { n: number }).n;

describe('the write-ahead log at start', () => {
  it('holds every acknowledged sale after a kill, and opens with all of them', () => {
    expect(walFrames(`${crashed}-wal`).commits).toHaveLength(SALES);
    const db = openDatabase(copy('intact'));
    try {
      expect(saleCount(db)).toBe(SALES);
      expect(verifyChain(db).ok).toBe(true);
    } finally {
      db.close();
    }
  });

  it('damaged in the middle: SQLite alone would drop the later sales without a word, so the terminal refuses to open it', () => {
    const path = copy('damaged');
    const { commits } = walFrames(`${path}-wal`);
    // The first frame of the fourth sale's transaction: sales 4 to 10 come after it.
    damageFrame(`${path}-wal`, commits[2]! + 1);

    // What plain SQLite makes of it (on a copy: opening recovers and rewrites): three sales, and everything looks fine.
    const bare = join(dir, 'bare.sqlite');
    copyFileSync(path, bare);
    copyFileSync(`${path}-wal`, `${bare}-wal`);
    const raw = new Database(bare);
    expect(saleCount(raw)).toBe(3);
    expect(raw.pragma('quick_check', { simple: true })).toBe('ok');
    expect(verifyChain(raw).ok).toBe(true);
    raw.close();

    const before = [digest(path), digest(`${path}-wal`)];
    let refused: unknown = null;
    try {
      openDatabase(path).close();
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(DatabaseCorruptError);
    expect((refused as Error).message).toMatch(/write-ahead log is damaged at frame \d+: opening it would silently drop 7 committed transactions/);
    // Nothing was recovered, checkpointed or truncated: support gets the files as they were.
    expect([digest(path), digest(`${path}-wal`)]).toEqual(before);
    // And it stays refused on every start, until someone who knows looks at it.
    expect(() => openDatabase(path)).toThrow(DatabaseCorruptError);
  });

  it('torn in its last transaction only (a power cut before that commit returned): opens without it', () => {
    const path = copy('torn');
    const { commits } = walFrames(`${path}-wal`);
    damageFrame(`${path}-wal`, commits.at(-1)!);
    const db = openDatabase(path);
    try {
      // synchronous=FULL: the WAL is synced before each commit returns, so only the last one can be torn, and it was never acknowledged.
      expect(saleCount(db)).toBe(SALES - 1);
      expect(verifyChain(db).ok).toBe(true);
    } finally {
      db.close();
    }
  });
});

describe('the database file at start', () => {
  /** The crashed files with the WAL folded in and gone, as after a clean stop. */
  function checkpointed(name: string): string {
    const path = copy(name);
    const db = new Database(path);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    return path;
  }

  it('with a damaged page of the journal: refused by the integrity check', () => {
    const path = checkpointed('page');
    const db = new Database(path, { readonly: true });
    const root = (db.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'ledger_entry'").get() as { rootpage: number }).rootpage;
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    db.close();
    const file = readFileSync(path);
    // The cell pointers of the journal's root page, scrambled.
    file.fill(0x55, (root - 1) * pageSize + 12, (root - 1) * pageSize + 200);
    writeFileSync(path, file);
    expect(() => openDatabase(path)).toThrow(DatabaseCorruptError);
  });

  it('that is no longer a database at all: refused the same way', () => {
    const path = checkpointed('header');
    const file = readFileSync(path);
    file.fill(0x41, 0, 16);
    writeFileSync(path, file);
    expect(() => openDatabase(path)).toThrow(/failed its integrity check: file is not a database \(SQLITE_NOTADB\)/);
  });

  it('is explained in words by the shells, and any other error keeps its stack', () => {
    const text = startupRefusal(new DatabaseCorruptError('Tree 7 page 7 cell 0: invalid page number', '/var/lib/fidele/terminal.sqlite'));
    expect(text).toMatch(/^Fidèle cannot start: the local database \/var\/lib\/fidele\/terminal\.sqlite failed its integrity check/);
    expect(text).toMatch(/call support/);
    expect(startupRefusal(new Error('EADDRINUSE'))).toBeNull();
  });
});

describe('the browser-mode kiosk on a damaged WAL', () => {
  it('exits with a message saying what happened and what to do, not a stack trace', async () => {
    const data = join(dir, 'kiosk');
    mkdirSync(data);
    const path = join(data, 'terminal.sqlite');
    copyFileSync(crashed, path);
    copyFileSync(`${crashed}-wal`, `${path}-wal`);
    damageFrame(`${path}-wal`, walFrames(`${path}-wal`).commits[0]! + 1);
    const config = join(dir, 'kiosk.json');
    writeFileSync(config, JSON.stringify({ demoSeed: null, tillApi: { enabled: false } }));
    // One process (no tsx launcher in between), so the kill below leaves nothing behind.
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main/web-bridge/cli.ts', '--data', data, '--config', config, '--devices', 'simulated', '--hq', 'none', '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    // A kiosk that opened the file anyway would serve until stopped.
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    clearTimeout(timer);
    expect(code, stdout + stderr).toBe(DATABASE_REFUSED_EXIT);
    expect(stderr).toMatch(/^Fidèle cannot start: the local database .*terminal\.sqlite failed its integrity check: its write-ahead log is damaged/m);
    expect(stderr).toMatch(/copy it as it is .* and call support/);
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(stdout).not.toMatch(/Cashier screen/);
  }, 30_000);
});
