import { createEnrolCode } from '../../src/hq/enrolment';
import type { Hq } from '../../src/hq/server';
import type { Timers } from '../../src/main/core/devices/reconnect';
import { enrolMember, type Enrolled } from '../../src/main/core/members/enrolment';
import { MemberStore } from '../../src/main/core/members/member-store';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import { HqClock } from '../../src/main/core/sync/hq-clock';
import { MemberOutbox } from '../../src/main/core/sync/member-outbox';
import { createSync, type Sync } from '../../src/main/core/sync/sync-service';
import { createTransport, type FetchLike } from '../../src/main/core/sync/transport';
import { openHarness, type Harness, type HarnessOptions } from '../integration/ledger-fixture';

/**
 * Real terminals (the sync client, the member outbox) against one real HQ:
 * each terminal's HTTP goes through a switch that can cut it off (HQ
 * unreachable, as the sync client sees it) and that records every request it
 * let through, so a test can replay one byte for byte.
 */
export const inert: Timers = { setTimeout: () => null, clearTimeout: () => {} };

export interface Sent {
  path: string;
  body: string;
}

export interface Terminal {
  id: string;
  storeId: string;
  terminalCode: number;
  h: Harness;
  members: MemberStore;
  sync: Sync;
  outbox: MemberOutbox;
  /** Requests that reached HQ, in order. */
  sent: Sent[];
  /** While true, every request fails as a network error would. */
  cut: { on: boolean; afterAnswer: boolean };
  enrolCustomer(form: { firstName: string; lastName: string; email: string; phone: string }, presetCard?: string | null): Enrolled;
  close(): void;
}

let seed = 100;

export async function openTerminal(hq: Hq, id: string, storeId: string, terminalCode: number, harness: HarnessOptions = {}): Promise<Terminal> {
  const h = openHarness({ ...harness, terminalId: id });
  const members = new MemberStore(h.db);
  const sent: Sent[] = [];
  const cut = { on: false, afterAnswer: false };
  const fetch: FetchLike = async (url, init) => {
    if (cut.on) throw new TypeError('fetch failed: HQ unreachable');
    const response = await globalThis.fetch(url, init);
    sent.push({ path: new URL(url).pathname, body: init.body });
    // HQ did the work and answered; the answer is lost on the way back.
    if (cut.afterAnswer) throw new TypeError('fetch failed: connection reset');
    return response;
  };
  const clock = { now: () => h.clock.value };
  const sync = createSync({ db: h.db, ledger: h.ledger, members, clock, random: seededRandom(seed++), logger: silentLogger, fetch, timers: inert, hqUrl: hq.url });
  const { code } = await createEnrolCode(hq.ctx, storeId, id);
  await sync.enrol({ code, storeId });
  sync.start();
  const enrolment = sync.enrolment()!;
  const transport = createTransport({ fetch, hqUrl: hq.url, timers: inert, clock, timeoutMs: 15_000 });
  const random = seededRandom(seed++);
  const hqClock = new HqClock(clock, { now: () => h.mono.value });
  const outbox = new MemberOutbox({ db: h.db, transport, key: sync.key, enrolment, clock, hqClock, random: seededRandom(seed * 7919), logger: silentLogger });
  return {
    id,
    storeId,
    terminalCode,
    h,
    members,
    sync,
    outbox,
    sent,
    cut,
    enrolCustomer(form, presetCard = null) {
      return enrolMember(
        members,
        {
          ...form,
          consents: { marketing: true, personalisedOffers: false, profiling: true },
          consentWordingVersion: '2026-11.fr-2',
          locale: 'fr',
        },
        presetCard,
        { terminalId: id, terminalCode, consentWordingVersion: '2026-11.fr-2' },
        clock,
        random,
      );
    },
    close() {
      sync.stop();
      h.close();
    },
  };
}

/** Posts a captured request again, as a replaying proxy or a retrying client would. */
export async function replay(hq: Hq, sent: Sent): Promise<{ status: number; body: unknown }> {
  const response = await globalThis.fetch(`${hq.url}${sent.path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: sent.body });
  return { status: response.status, body: (await response.json()) as unknown };
}
