import { MemberStore } from '../../src/main/core/members/member-store';
import { seededRandom } from '../../src/main/core/ports';
import { createSync, type Sync } from '../../src/main/core/sync/sync-service';
import { line, openHarness, sale, WEDNESDAY_10H, type Harness } from '../integration/ledger-fixture';
import { FakeHq } from './fake-hq';
import { FakeTime } from './fake-timers';

export const BACKOFF = { baseMs: 1_000, capMs: 60_000 };
export const IDLE_MS = 30_000;

export interface SyncHarness {
  h: Harness;
  time: FakeTime;
  hq: FakeHq;
  sync: Sync;
  /** Sales on the till: every `redeemEvery`th one also spends points, making a two-entry group. */
  sell(count: number, redeemEvery?: number): void;
  localEntries(): Array<{ seq: number; entry_hash: string; group_id: string }>;
  close(): void;
}

let receipts = 0;

export async function openSyncHarness(o: { seed?: number; maxEntries?: number; enrol?: boolean; timeoutMs?: number } = {}): Promise<SyncHarness> {
  const h = openHarness();
  const time = new FakeTime(WEDNESDAY_10H);
  const hq = new FakeHq(time.clock.now);
  const sync = createSync({
    db: h.db,
    ledger: h.ledger,
    members: new MemberStore(h.db),
    clock: time.clock,
    random: seededRandom(o.seed ?? 42),
    logger: { info: () => {}, warn: () => {}, error: (message, fields) => h.logs.push({ level: 'error', message, fields }) },
    fetch: hq.fetch,
    timers: time,
    hqUrl: 'http://hq.test/',
    timeoutMs: o.timeoutMs ?? 5_000,
    maxEntries: o.maxEntries ?? 50,
    backoff: BACKOFF,
    idleMs: IDLE_MS,
    pullEveryMs: 10 * 60_000,
  });
  if (o.enrol !== false) await sync.enrol({ code: 'TEST-CODE-1', storeId: 'store-1' });
  const claire = h.members.claire.id;
  return {
    h,
    time,
    hq,
    sync,
    sell(count, redeemEvery = 0) {
      for (let i = 1; i <= count; i++) {
        const redeem = redeemEvery > 0 && i % redeemEvery === 0;
        if (redeem && h.ledger.points(claire).balance < 100) {
          h.ledger.adjust({ adjustmentId: `adj-${++receipts}`, memberId: claire, points: 300, reason: 'Geste commercial', actor: 'caissier-1' });
        }
        h.ledger.commit(sale(claire, `R${++receipts}`, [line(2_400)], redeem ? 100 : 0));
      }
    },
    localEntries: () => h.db.prepare<[], { seq: number; entry_hash: string; group_id: string }>('SELECT seq, entry_hash, group_id FROM ledger_entry ORDER BY seq').all(),
    close() {
      sync.stop();
      h.close();
    },
  };
}
