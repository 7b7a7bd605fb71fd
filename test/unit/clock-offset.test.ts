import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/main/core/ports';
import { HqClock, postSigned } from '../../src/main/core/sync/hq-clock';
import { createTransport, type Transport } from '../../src/main/core/sync/transport';
import { clockOffsetMs, formatInstant, formatOffset, roundTripMs } from '../../src/shared/diagnostics/clock-offset';
import { describeError, describeFailure } from '../../src/shared/diagnostics/error-cause';

/**
 * Clock offsets measured NTP-style from the request's and the answer's times,
 * not from how long the answer took to arrive; shown only when significant,
 * with sign and unit; times with their zone; network failures with their cause.
 */
describe('clock offset from one exchange', () => {
  it('cancels the time on the wire: a server 1 h ahead, answering after an 18 s pause, is 1 h ahead', () => {
    const HOUR = 3600_000;
    // Sent at 10:00:00 terminal time; HQ (1 h ahead) received it 100 ms later, was paused 18 s, answered, 100 ms back.
    const x = { t0: 36_000_000, t1: 36_000_100 + HOUR, t2: 36_018_100 + HOUR, t3: 36_018_200 };
    expect(clockOffsetMs(x)).toBe(HOUR);
    expect(roundTripMs(x)).toBe(200);
    // A server giving one time only (Date header, hqTime) at the midpoint of the round trip: the same offset.
    expect(clockOffsetMs({ t0: 0, t1: 5_000 + 9_000, t2: 5_000 + 9_000, t3: 18_000 })).toBe(5_000);
  });

  it('the terminal’s HQ clock takes HQ’s time at the round trip’s midpoint, not when the answer came', async () => {
    const wall = { value: 1_000_000 };
    const mono = { value: 0 };
    const clock = new HqClock({ now: () => wall.value }, { now: () => mono.value });
    // HQ's clock equals the terminal's; HQ stamps its answer 9 s into an 18 s round trip (paused before answering).
    const transport: Transport = {
      async post() {
        mono.value += 18_000;
        wall.value += 18_000;
        return { kind: 'answer', status: 200, body: { ok: true }, retryAfterMs: null };
      },
    };
    await postSigned({ transport, hqClock: clock, random: seededRandom(1) }, '/v1/pull', (s) => s);
    clock.observe(1_009_000);
    // Before: anchored when the answer came, HQ looked 9 s behind. Now: no offset at all.
    expect(clock.offsetMs()).toBe(0);
    expect(formatOffset(clock.offsetMs())).toBeNull();
  });

  it('an exchange older than a second is not taken for the observation’s (another request’s)', async () => {
    const mono = { value: 0 };
    const clock = new HqClock({ now: () => 0 }, { now: () => mono.value });
    clock.exchanged(0, 10_000);
    mono.value = 20_000;
    clock.observe(50_000);
    expect(clock.offsetMs()).toBe(50_000);
  });
});

describe('offsets and times for people', () => {
  it('shows an offset only when significant, with its sign and unit', () => {
    expect(formatOffset(null)).toBeNull();
    expect(formatOffset(6)).toBeNull();
    expect(formatOffset(-6)).toBeNull();
    expect(formatOffset(-999)).toBeNull();
    expect(formatOffset(1_000)).toBe('+1 s');
    expect(formatOffset(-18_400)).toBe('−18 s');
    expect(formatOffset(125_000)).toBe('+2 min 05 s');
    expect(formatOffset(-3600_000)).toBe('−1 h 00 min');
  });

  it('writes every instant with its zone', () => {
    const at = Date.UTC(2026, 11, 7, 14, 5, 9);
    expect(formatInstant(at, 0)).toBe('2026-12-07 14:05:09 UTC');
    expect(formatInstant(at, 60)).toBe('2026-12-07 15:05:09 UTC+01:00');
    expect(formatInstant(at, -210)).toBe('2026-12-07 10:35:09 UTC−03:30');
  });

  it('names the cause under « fetch failed » and the URL, never a password', () => {
    const refused = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:8787'), { code: 'ECONNREFUSED' }) });
    expect(describeFailure('http://10.0.0.5:8787/v1/pull', refused)).toBe('http://10.0.0.5:8787/v1/pull: connection refused (connect ECONNREFUSED 10.0.0.5:8787)');
    const timeout = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('Connect Timeout Error'), { code: 'UND_ERR_CONNECT_TIMEOUT' }) });
    expect(describeError(timeout)).toBe('connection timed out (UND_ERR_CONNECT_TIMEOUT: Connect Timeout Error)');
    const both = new AggregateError([Object.assign(new Error('connect ECONNREFUSED ::1:5432'), { code: 'ECONNREFUSED' }), Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })], '');
    expect(describeError(both)).toBe('connection refused (connect ECONNREFUSED ::1:5432); connection refused (connect ECONNREFUSED 127.0.0.1:5432)');
    expect(describeFailure('postgres://hq:s3cret@db:5432/hq', new Error('password authentication failed for user "hq"'))).toBe(
      'postgres://hq:***@db:5432/hq: password authentication failed for user "hq"',
    );
  });
});

it('a terminal’s « HQ unreachable » names the URL it tried and why, not « TypeError: fetch failed »', async () => {
  const transport = createTransport({
    fetch: () => Promise.reject(new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 192.0.2.7:8787'), { code: 'ECONNREFUSED' }) })),
    hqUrl: 'http://192.0.2.7:8787/',
    timers: { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (t) => clearTimeout(t as NodeJS.Timeout) },
    clock: { now: () => 0 },
    timeoutMs: 5_000,
  });
  expect(await transport.post('/v1/pull', {})).toEqual({ kind: 'unreachable', detail: 'http://192.0.2.7:8787/v1/pull: connection refused (connect ECONNREFUSED 192.0.2.7:8787)' });
});
