import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestHq, TestTerminal, type TestHq } from './hq-fixture';

/**
 * The clock offset HQ records for a terminal (the fleet's « Horloge ») is the
 * terminal's own round-trip estimate carried in the batch (its HQ-clock
 * sentAt minus its wall clock, stamped together), not HQ's receive time minus
 * the terminal's clock: a batch that waited 18 s in a paused HQ does not make
 * an exact clock look 18 s behind.
 */
let hq: TestHq;
let t: TestTerminal;
beforeAll(async () => {
  hq = await startTestHq();
}, 60_000);
afterAll(async () => {
  t?.close();
  await hq.stop();
});

it('records the terminal’s estimated offset, whatever the delivery delay', async () => {
  t = new TestTerminal('t-skew', 'paris-11');
  await t.enrol(hq);
  t.harness.clock.value = hq.clock.value;
  t.sell(t.members.claire.id, 24);
  // The terminal's clock is exact (its sentAt, in HQ's time, equals its wall clock); HQ reads the batch 18 s later.
  const sentAt = t.harness.clock.value;
  const batch = t.batch(1, t.wire.length, { sentAt });
  hq.clock.value = sentAt + 18_000;
  expect((await hq.post('/v1/push', batch)).status).toBe(200);
  const skew = await hq.ctx.sql.query<{ skew_ms: number }>('SELECT skew_ms FROM terminal_stream WHERE terminal_id = $1', ['t-skew']);
  expect(skew).toEqual([{ skew_ms: 0 }]);

  // A terminal 1 h behind HQ: its sentAt (HQ's time) is an hour past its wall clock.
  t.sell(t.members.claire.id, 12);
  const late = t.batch(t.wire.length, t.wire.length, { sentAt: t.harness.clock.value + 3600_000 });
  hq.clock.value = t.harness.clock.value + 3600_000 + 18_000;
  expect((await hq.post('/v1/push', late)).status).toBe(200);
  expect((await hq.ctx.sql.query<{ skew_ms: number }>('SELECT skew_ms FROM terminal_stream WHERE terminal_id = $1', ['t-skew']))[0]!.skew_ms).toBe(3600_000);
}, 60_000);
