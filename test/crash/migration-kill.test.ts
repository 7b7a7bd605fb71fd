import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, schemaVersion } from '../../src/main/core/db/database';
import { createLedger } from '../../src/main/core/ledger/ledger';
import { verifyChain } from '../../src/main/core/ledger/verify';
import { MemberStore } from '../../src/main/core/members/member-store';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import { insertKnownMembers } from '../fakes/known-members';
import { line, sale, WEDNESDAY_10H } from '../integration/ledger-fixture';
import { FILLER_ROWS, NEW_VERSION, OLD_VERSION, slowMigrations } from './slow-migrations';

/**
 * Section 3, item 22 of the sync-ledger reference: a local migration
 * interrupted by kill -9. A child opens a database of the previous build and
 * is SIGKILLed while its pending migrations run (pages already spilled to the
 * WAL). After each kill the schema is the old one or the new one, never half;
 * the journal is row for row what it was; the chain verifies; and the next
 * start runs the migration to its end.
 *
 * A kill that lands after the COMMIT (a loaded machine can delay it) leaves
 * the new schema, which is as right; the test asks that most kills land
 * inside the migration, and proves they did by the WAL it had written.
 */
const dir = mkdtempSync(join(tmpdir(), 'fidele-migration-kill-'));
const path = join(dir, 'terminal.sqlite');
/** The previous build's database, closed cleanly: each kill starts again from it. */
const pristine = join(dir, 'previous-build.sqlite');
const KILL_AFTER_MS = [80, 250, 500];

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the child; kills it `killAfterMs` after it says MIGRATING (never, if null). Reports the WAL's size at the kill. */
function runChild(killAfterMs: number | null): Promise<{ done: number | null; signal: string | null; walAtKill: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/crash/migration-child.ts', path], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let done: number | null = null;
    let walAtKill = 0;
    let timer: NodeJS.Timeout | null = null;
    // Whatever happens, the child does not outlive the test.
    const guard = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (killAfterMs !== null && !timer && stdout.includes('MIGRATING\n')) {
        timer = setTimeout(() => {
          walAtKill = existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0;
          child.kill('SIGKILL');
        }, killAfterMs);
      }
      const match = /DONE (\d+)/.exec(stdout);
      if (match) done = Number(match[1]);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      if (timer) clearTimeout(timer);
      clearTimeout(guard);
      resolve({ done, signal, walAtKill, stderr });
    });
  });
}

const journalOf = (db: Database.Database) =>
  JSON.stringify(['ledger_stream', 'ledger_entry', 'ledger_posting', 'ledger_balance', 'ledger_lot'].map((t) => db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2, 3`).all()));

const columns = (db: Database.Database, table: string) => db.prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('${table}')`).all().map((c) => c.name);
const tableExists = (db: Database.Database, name: string) => db.prepare("SELECT 1 FROM sqlite_master WHERE name = ?").get(name) !== undefined;

/** The schema after a kill, read without migrating: all of the new version, or none of it. */
function schemaState(db: Database.Database): 'old' | 'new' {
  const version = db.pragma('user_version', { simple: true }) as number;
  const note = columns(db, 'ledger_sale').includes('note');
  const filler = tableExists(db, 'migration_filler');
  const done = tableExists(db, 'migration_done');
  if (version === OLD_VERSION && !note && !filler && !done) return 'old';
  if (version === NEW_VERSION && note && filler && done) {
    expect(db.prepare('SELECT count(*) AS n FROM migration_filler').get()).toEqual({ n: FILLER_ROWS });
    expect(db.prepare("SELECT count(*) AS n FROM ledger_sale WHERE note <> 'before the note'").get()).toEqual({ n: 0 });
    return 'new';
  }
  throw new Error(`half a migration: user_version ${version}, note column ${note}, filler table ${filler}, done table ${done}`);
}

describe('a migration killed with SIGKILL', () => {
  it('leaves the old schema or the new one, the journal intact and verifying, and resumes at the next start', async () => {
    // The previous build's terminal: its schema, members, a day of sales.
    const old = openDatabase(path);
    const members = insertKnownMembers(new MemberStore(old));
    const ledger = createLedger({ db: old, clock: { now: () => WEDNESDAY_10H }, random: seededRandom(21), monotonic: { now: () => 1_000 }, terminalId: 'test-t1', logger: silentLogger });
    for (let i = 1; i <= 30; i++) ledger.commit(sale(i % 2 ? members.claire.id : members.zoe.id, `R-${i}`, [line(1500 * i)], i >= 10 && i % 5 === 0 ? 100 : 0));
    expect(schemaVersion(old)).toBe(OLD_VERSION);
    const journal = journalOf(old);
    old.close();
    copyFileSync(path, pristine);
    const restorePreviousBuild = () => {
      for (const suffix of ['-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
      copyFileSync(pristine, path);
    };

    const killedMidway: number[] = [];
    for (const killAfterMs of KILL_AFTER_MS) {
      restorePreviousBuild();
      const run = await runChild(killAfterMs);
      expect(run.signal, run.stderr).toBe('SIGKILL');
      const db = new Database(path);
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        const state = schemaState(db);
        if (run.done !== null) expect(state).toBe('new');
        // Killed before the migration committed: the pages it had already written to the WAL are not the schema.
        if (state === 'old') killedMidway.push(run.walAtKill);
        expect(journalOf(db)).toBe(journal);
        expect(verifyChain(db)).toMatchObject({ ok: true, problems: [] });
      } finally {
        db.close();
      }
    }
    // The kills landed inside the migration, after it had written to the WAL (a few MB of it).
    expect(killedMidway.length).toBeGreaterThanOrEqual(2);
    expect(Math.max(...killedMidway)).toBeGreaterThan(1_000_000);

    // The next start migrates to the end.
    restorePreviousBuild();
    const finished = await runChild(null);
    expect(finished.done, finished.stderr).toBe(NEW_VERSION);
    const db = openDatabase(path, { migrations: slowMigrations });
    try {
      expect(schemaState(db)).toBe('new');
      expect(journalOf(db)).toBe(journal);
      const after = createLedger({ db, clock: { now: () => WEDNESDAY_10H }, random: seededRandom(22), monotonic: { now: () => 1_000 }, terminalId: 'test-t1', logger: silentLogger });
      expect((await after.start()).ok).toBe(true);
      expect(after.commit(sale(members.claire.id, 'R-after', [line(1200)])).pointsEarned).toBe(10);
      expect(verifyChain(db)).toMatchObject({ ok: true, problems: [] });
    } finally {
      db.close();
    }
  }, 30_000);
});
