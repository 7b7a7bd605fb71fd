import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/main/core/ports';
import { HqClock, MAX_RESIGNS, postSigned, type Stamp } from '../../src/main/core/sync/hq-clock';
import type { Transport, TransportResult } from '../../src/main/core/sync/transport';

const answer = (status: number, body: unknown): TransportResult => ({ kind: 'answer', status, body, retryAfterMs: null });

function scripted(results: TransportResult[]): Transport & { bodies: Stamp[] } {
  const bodies: Stamp[] = [];
  return {
    bodies,
    async post(_path, body) {
      bodies.push(body as Stamp);
      return results.shift() ?? answer(200, { ok: true });
    },
  };
}

describe('HQ’s clock as the terminal estimates it', () => {
  it('is the wall clock until HQ is heard, then HQ’s time moved on by the monotonic clock alone', () => {
    const wall = { value: 5_000_000 };
    const mono = { value: 100 };
    const clock = new HqClock({ now: () => wall.value }, { now: () => mono.value });
    expect(clock.now()).toBe(5_000_000);
    expect(clock.offsetMs()).toBeNull();
    clock.observe(9_000_000);
    mono.value += 1_500;
    wall.value -= 3600_000; // someone sets the till's clock back an hour
    expect(clock.now()).toBe(9_001_500);
    expect(clock.offsetMs()).toBe(9_001_500 - wall.value);
  });

  it('a stale refusal corrects the estimate and the request is signed again once, at once, with a new nonce', async () => {
    const clock = new HqClock({ now: () => 42 }, { now: () => 0 });
    const transport = scripted([answer(401, { error: { code: 'stale', message: 'old', hqTime: 7_000_000 } }), answer(200, { ok: true })]);
    const { result, sent } = await postSigned({ transport, hqClock: clock, random: seededRandom(1) }, '/v1/pull', (s) => s);
    expect(result).toMatchObject({ status: 200 });
    expect(transport.bodies.map((b) => b.sentAt)).toEqual([42, 7_000_000]);
    expect(transport.bodies[0]!.nonce).not.toBe(transport.bodies[1]!.nonce);
    expect(transport.bodies[1]!.nonce).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(sent).toBe(transport.bodies[1]);
  });

  it('a push refusal (replay) is signed again, each time anew, until HQ answers; past MAX_RESIGNS the refusal is the caller’s', async () => {
    const clock = new HqClock({ now: () => 42 }, { now: () => 0 });
    const replay = answer(409, { ok: false, refusal: { code: 'replay', message: 'seen', cursor: null } });
    const transport = scripted([replay, replay, answer(200, { ok: true })]);
    const { result } = await postSigned({ transport, hqClock: clock, random: seededRandom(2) }, '/v1/push', (s) => s);
    expect(result).toMatchObject({ status: 200 });
    expect(transport.bodies).toHaveLength(3);
    expect(new Set(transport.bodies.map((b) => b.nonce)).size).toBe(3);

    const stubborn = scripted(Array.from({ length: MAX_RESIGNS + 2 }, () => replay));
    const last = await postSigned({ transport: stubborn, hqClock: clock, random: seededRandom(3) }, '/v1/push', (s) => s);
    expect(last.result).toMatchObject({ status: 409 });
    expect(stubborn.bodies).toHaveLength(1 + MAX_RESIGNS);
  });

  it('any other refusal is not retried', async () => {
    const clock = new HqClock({ now: () => 42 }, { now: () => 0 });
    const transport = scripted([answer(401, { error: { code: 'bad_signature', message: 'no' } })]);
    await postSigned({ transport, hqClock: clock, random: seededRandom(3) }, '/v1/pull', (s) => s);
    expect(transport.bodies).toHaveLength(1);
  });
});
