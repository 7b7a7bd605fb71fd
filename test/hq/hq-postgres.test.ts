import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/main/core/ledger/canonical';
import { migrate } from '../../src/hq/migrations';
import { verifyTerminal } from '../../src/hq/fleet';
import { verifySignature } from '../../src/hq/keys';
import { signingPayload } from '../../src/shared/sync/protocol';
import { balanceDrift, hqPoints, startTestHq, TestTerminal, type TestHq } from './hq-fixture';

/**
 * The same migrations and the push path on a real PostgreSQL server (Debian's
 * package): a throwaway cluster in a temp folder on a free port, run as the
 * postgres user when the tests run as root (initdb refuses root).
 */
const BIN = '/usr/lib/postgresql/15/bin';
const available = existsSync(join(BIN, 'initdb')) && existsSync(join(BIN, 'pg_ctl'));
const asRoot = process.getuid?.() === 0;

function run(command: string, args: string[]): void {
  if (asRoot) execFileSync('runuser', ['-u', 'postgres', '--', join(BIN, command), ...args], { stdio: 'pipe' });
  else execFileSync(join(BIN, command), args, { stdio: 'pipe' });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

describe.skipIf(!available)(`HQ on a PostgreSQL server (needs ${BIN}/initdb and pg_ctl)`, () => {
  let dir = '';
  let hq: TestHq | null = null;
  let terminal: TestTerminal | null = null;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fidele-pg-'));
    if (asRoot) {
      const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
      chownSync(dir, uid, gid);
    }
    const port = await freePort();
    run('initdb', ['-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
    run('pg_ctl', ['-D', join(dir, 'data'), '-l', join(dir, 'log'), '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start']);
    hq = await startTestHq({ databaseUrl: `postgres://postgres@127.0.0.1:${port}/postgres` });
  }, 60_000);

  afterAll(async () => {
    terminal?.close();
    await hq?.stop();
    if (dir) {
      try {
        run('pg_ctl', ['-D', join(dir, 'data'), '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }, 30_000);

  it('runs the same migrations (again: a no-op) and the push happy path', async () => {
    const h = hq!;
    expect(h.ctx.sql.kind).toBe('postgres');
    expect(await migrate(h.ctx.sql, h.clock.value)).toBe(0);
    terminal = new TestTerminal('t-pg', 'paris-11');
    await terminal.enrol(h);
    terminal.sell(terminal.members.claire.id, 24);
    terminal.sell(terminal.members.claire.id, 120);
    terminal.sell(terminal.members.claire.id, 12, 100);
    const batch = terminal.batch(1, terminal.wire.length);
    const answer = await h.post('/v1/push', batch);
    expect(answer.status).toBe(200);
    expect(answer.json.receipt.ackedThroughSeq).toBe(terminal.wire.length);
    expect(verifySignature(h.ctx.key.publicKey, signingPayload(answer.json.receipt), answer.json.receipt.signature)).toBe(true);
    const replay = await h.post('/v1/push', batch);
    expect(canonicalJson(replay.json.receipt)).toBe(canonicalJson(answer.json.receipt));
    expect(await h.count('journal_entry')).toBe(terminal.wire.length);
    expect(await hqPoints(h, terminal.members.claire.id)).toBe(terminal.harness.ledger.points(terminal.members.claire.id).balance);
    expect(await balanceDrift(h)).toEqual([]);
    expect((await verifyTerminal(h.ctx, 't-pg')).ok).toBe(true);
  });
});
