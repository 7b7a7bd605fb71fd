import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/main/core/ledger/canonical';
import { migrate } from '../../src/hq/migrations';
import { verifyTerminal } from '../../src/hq/fleet';
import { verifySignature } from '../../src/hq/keys';
import { signingPayload } from '../../src/shared/sync/protocol';
import { postgresUnavailable, startPostgresCluster, type PostgresCluster } from '../fakes/postgres-cluster';
import { balanceDrift, hqPoints, startTestHq, TestTerminal, type TestHq } from './hq-fixture';

/**
 * The same migrations and the push path on a real PostgreSQL server (Debian's
 * package): a throwaway cluster in a temp folder on a free port, run as the
 * postgres user when the tests run as root (initdb refuses root).
 */
const unavailable = postgresUnavailable();

describe.skipIf(unavailable !== null)(`HQ on a PostgreSQL server (${unavailable ?? 'Debian PostgreSQL 15'})`, () => {
  let cluster: PostgresCluster | null = null;
  let hq: TestHq | null = null;
  let terminal: TestTerminal | null = null;

  beforeAll(async () => {
    cluster = await startPostgresCluster();
    hq = await startTestHq({ databaseUrl: cluster.url('postgres') });
  }, 60_000);

  afterAll(async () => {
    terminal?.close();
    await hq?.stop();
    cluster?.stop();
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
    // A resend (signed anew) gets the same receipt; the same bytes again are a replay, refused.
    const resend = await h.post('/v1/push', terminal.batch(1, terminal.wire.length));
    expect(canonicalJson(resend.json.receipt)).toBe(canonicalJson(answer.json.receipt));
    expect((await h.post('/v1/push', batch)).json.refusal.code).toBe('replay');
    expect(await h.count('journal_entry')).toBe(terminal.wire.length);
    expect(await hqPoints(h, terminal.members.claire.id)).toBe(terminal.harness.ledger.points(terminal.members.claire.id).balance);
    expect(await balanceDrift(h)).toEqual([]);
    expect((await verifyTerminal(h.ctx, 't-pg')).ok).toBe(true);
  });
});
