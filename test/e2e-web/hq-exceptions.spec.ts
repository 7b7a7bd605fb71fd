import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createEnrolCode } from '../../src/hq/enrolment';
import { startHq, type Hq } from '../../src/hq/server';
import { silentLogger } from '../../src/main/core/ports';
import { TestTerminal, type TestHq } from '../hq/hq-fixture';
import { expect, snap, test, tillSale } from './fixture';

test.use({ kioskHq: true });
// HQ restarted twice and the CLI run twice, on a machine shared with other work: the fixture's setup counts too.
test.describe.configure({ timeout: 240_000 });

const tsx = createRequire(import.meta.url).resolve('tsx/cli');

function hqCli(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [tsx, 'src/hq/cli.ts', ...args], { env: { ...process.env, DATABASE_URL: '', HQ_DATA_DIR: '', HQ_KEY_FILE: '' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

/** A real HQ seen as the HQ tests' wire-level terminal expects it, on the wall clock. */
function wireHq(hq: Hq, dir: string): TestHq {
  const request = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${hq.url}${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    return { status: response.status, json: JSON.parse(text) as unknown, text };
  };
  return {
    ...hq,
    clock: {
      get value() {
        return Date.now();
      },
    },
    dir,
    post: (path, body) => request('POST', path, body),
    get: (path) => request('GET', path),
    count: async () => 0,
    stop: () => hq.close(),
  } as TestHq;
}

const pointsAtHq = async (hq: Hq, member: string) =>
  (await hq.ctx.sql.query<{ balance: number }>('SELECT balance FROM account_balance WHERE customer_id = $1 AND account = $2', [member, `member:${member}:points`]))[0]?.balance ?? 0;

/**
 * An offline overdraft, provoked: Claire's points are spent at store B while
 * this terminal cannot reach HQ and redeems them too. When HQ is back, HQ
 * records the shortfall and says so in the terminal's receipt: the Diagnostic
 * dialog lists it (it said « Rien à signaler » before), and IT staff find the
 * same anomaly with `npm run hq -- anomalies`.
 */
test('an offline overdraft shows in the Diagnostic dialog and in npm run hq -- anomalies', async ({ kiosk, cashier }) => {
  const first = kiosk.hq!;
  const port = Number(new URL(first.url).port);
  const terminalId = kiosk.core.sync.view().terminalId;
  const { code } = await createEnrolCode(first.ctx, 'paris-11', terminalId);
  expect((await kiosk.core.dispatch('cashier', 'sync.enrol', { code, storeId: 'paris-11' })).ok).toBe(true);
  const claire = kiosk.known.claire.id;
  kiosk.core.loyalty.commit(tillSale(claire, [72_000]));
  await expect.poll(async () => (await first.ctx.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM journal_entry'))[0]!.n, { timeout: 20_000 }).toBe(kiosk.core.ledger.head().seq);
  const before = await pointsAtHq(first, claire);
  expect(before).toBeGreaterThanOrEqual(600);

  // The terminal loses HQ: HQ comes back on another port, where this terminal does not look.
  await first.close();
  const moved = await startHq({ dataDir: kiosk.hqDir, port: 0, logger: silentLogger, maintenanceIntervalMs: 0 });
  kiosk.hq = moved;
  await kiosk.core.dispatch('cashier', 'sync.now', {});
  expect(kiosk.core.ledger.connectivity().offline).toBe(true);

  // Meanwhile at store B, online: HQ holds all but 100 of her points, and B's redemption posts the hold.
  const b = new TestTerminal('paris-12-t1', 'paris-12');
  b.harness.clock.value = Date.now();
  const atHq = wireHq(moved, kiosk.hqDir);
  await b.enrol(atHq);
  const spent = before - 100;
  const hold = await atHq.post(
    '/v1/holds',
    b.signed({ protocolVersion: 1, terminalId: b.terminalId, holdId: 'hold-b-1', memberId: claire, points: spent, timeoutMs: 60_000, sentAt: Date.now() }),
  );
  expect(hold.json).toMatchObject({ status: 'pending', points: spent });
  const atB = b.appendHandMade({
    kind: 'redeem',
    memberId: claire,
    offline: false,
    detail: { hold_id: 'hold-b-1', points: spent },
    postings: [
      { account: 'program:redemption', delta: spent },
      { account: `member:${claire}:points`, delta: -spent },
    ],
  });
  expect((await atHq.post('/v1/push', b.batch(atB.seq, atB.seq))).status).toBe(200);
  b.close();

  // This terminal, offline with its older view, redeems 400 within HQ's signed allowance.
  kiosk.core.loyalty.commit(tillSale(claire, [24_000], 400, 2_000));

  // HQ is back where the terminal looks: the push delivers the redemption, HQ answers with an exception.
  await moved.close();
  kiosk.hq = await startHq({ dataDir: kiosk.hqDir, port, logger: silentLogger, maintenanceIntervalMs: 0 });
  await kiosk.core.dispatch('cashier', 'sync.now', {});
  await expect.poll(() => kiosk.core.sync.view().hqExceptions, { timeout: 20_000 }).toBe(1);

  await cashier.getByTestId('sync-indicator').click();
  const exceptions = cashier.getByTestId('hq-exceptions');
  await expect(exceptions).toContainText('1 opération(s) acceptée(s) avec une exception');
  const row = exceptions.getByTestId('hq-exceptions-list').locator('tbody tr');
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('Points utilisés hors ligne au-delà du solde');
  await expect(row).toContainText('overdrawn by 300 points');
  await expect(row).toContainText(/UTC|CET|CEST|GMT/);
  await exceptions.scrollIntoViewIfNeeded();
  await snap(cashier, 'cashier-diagnostics-hq-exceptions-1280');
  await cashier.setViewportSize({ width: 1920, height: 1080 });
  await exceptions.scrollIntoViewIfNeeded();
  await snap(cashier, 'cashier-diagnostics-hq-exceptions-1920');

  // IT staff see the same anomaly from a shell, through the running HQ.
  const listed = await hqCli(['anomalies', '--open', '--data', kiosk.hqDir]);
  expect(listed.err).toBe('');
  expect(listed.code).toBe(0);
  expect(listed.out).toMatch(/^HQ time \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
  expect(listed.out).toContain('offline_overdraft: 1 open, 0 handled');
  expect(listed.out).toMatch(new RegExp(`offline_overdraft  terminal ${terminalId}  ${claire}  OPEN`));
  const json = JSON.parse((await hqCli(['anomalies', '--json', '--data', kiosk.hqDir])).out) as { anomalies: Array<{ kind: string; terminalId: string; status: string }> };
  expect(json.anomalies.filter((a) => a.kind === 'offline_overdraft')).toEqual([expect.objectContaining({ terminalId, status: 'open' })]);
});
