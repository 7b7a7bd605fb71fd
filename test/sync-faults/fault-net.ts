import { seededRandom, type Random } from '../../src/main/core/ports';
import type { FetchLike } from '../../src/main/core/sync/transport';

/**
 * A bad network between a terminal's sync client and the real HQ, as a
 * FetchLike in front of HQ's URL. Each request draws its fate from a seeded
 * Random, so a failing run is replayed by its seed; `log` says what happened
 * to every request.
 */
export type Fault =
  | 'deliver'
  /** Delivered 2–5 times at once; the terminal sees one of the answers. */
  | 'duplicate'
  /** Never reaches HQ. */
  | 'drop'
  /** Reaches HQ, HQ commits, the answer is lost on the way back. */
  | 'lose_response'
  /** Kept back (the terminal sees a dead connection) and delivered after a later request. */
  | 'hold'
  /** An earlier request seen on this network is delivered again before this one. */
  | 'replay'
  /** A proxy's 500, HQ never sees the request. */
  | 'error_500'
  /** Reaches HQ; the answer comes back as a proxy's HTML page. */
  | 'garbage'
  /** Reaches HQ; the answer never comes before the client gives up. */
  | 'slow'
  /** The body is cut mid-stream on the way to HQ. */
  | 'truncate';

export type FaultWeights = Partial<Record<Fault, number>>;

export interface FaultRecord {
  n: number;
  path: string;
  fault: Fault | 'down';
  /** HQ's status for each delivery of this request (and of held or replayed ones delivered with it). */
  delivered: number[];
}

export interface FaultNet {
  readonly fetch: FetchLike;
  readonly seed: number;
  /** Fully down: every request fails as unreachable, nothing reaches HQ. */
  down: boolean;
  /** Only paths starting with one of these are subject to faults (default: all). */
  faultPaths: string[];
  weights: FaultWeights;
  /**
   * Faults for the next requests to exactly these paths, in order, before any
   * weighted draw: a directed scenario says what happens to which request.
   */
  readonly script: Array<{ path: string; fault: Fault }>;
  readonly log: FaultRecord[];
  /** Requests kept back by 'hold' and not delivered yet. */
  readonly held: number;
  /** Delivers every held request now (in the order they were held). */
  flushHeld(): Promise<void>;
  /** How often each fault was applied. */
  counts(): Record<string, number>;
  /** Delivers a raw body to HQ past all faults (for the attacker next door). */
  direct(path: string, body: string): Promise<{ status: number; json: unknown }>;
  /** Bodies the terminal sent to this path, in order (whatever became of them). */
  sent(path: string): string[];
}

interface Captured {
  url: string;
  path: string;
  body: string;
  headers: Record<string, string>;
}

const unreachable = (why: string) => new TypeError(`fetch failed (fault net: ${why})`);

function pick(random: Random, weights: FaultWeights): Fault {
  const entries = Object.entries(weights).filter(([, w]) => (w ?? 0) > 0) as Array<[Fault, number]>;
  const total = entries.reduce((s, [, w]) => s + w, 0);
  if (total === 0) return 'deliver';
  const b = random.bytes(4);
  let x = (((b[0]! << 24) >>> 0) + (b[1]! << 16) + (b[2]! << 8) + b[3]!) / 2 ** 32 * total;
  for (const [fault, w] of entries) {
    if (x < w) return fault;
    x -= w;
  }
  return entries[entries.length - 1]![0];
}

function between(random: Random, lo: number, hi: number): number {
  return lo + (random.bytes(1)[0]! % (hi - lo + 1));
}

export function createFaultNet(hqUrl: string, seed: number, weights: FaultWeights = {}): FaultNet {
  const random = seededRandom(seed);
  const base = hqUrl.replace(/\/+$/, '');
  const log: FaultRecord[] = [];
  const held: Captured[] = [];
  const seen: Captured[] = [];
  let n = 0;

  const send = async (c: Captured, body = c.body): Promise<Response> =>
    globalThis.fetch(c.url, { method: 'POST', headers: c.headers, body });

  async function deliver(c: Captured, record: FaultRecord, body?: string): Promise<Response> {
    const response = await send(c, body);
    record.delivered.push(response.status);
    return response;
  }

  /** Delivered for its side effects only: whatever HQ answers goes nowhere. */
  async function deliverAndForget(c: Captured, record: FaultRecord): Promise<void> {
    const response = await deliver(c, record);
    await response.text();
  }

  const net: FaultNet = {
    seed,
    down: false,
    faultPaths: [''],
    weights,
    script: [],
    log,
    get held() {
      return held.length;
    },
    async flushHeld() {
      const record: FaultRecord = { n: ++n, path: '(held)', fault: 'deliver', delivered: [] };
      log.push(record);
      while (held.length > 0) await deliverAndForget(held.shift()!, record);
    },
    counts() {
      const out: Record<string, number> = {};
      for (const r of log) out[r.fault] = (out[r.fault] ?? 0) + 1;
      return out;
    },
    sent: (path) => seen.filter((c) => c.path === path).map((c) => c.body),
    async direct(path, body) {
      const response = await globalThis.fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const text = await response.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = text;
      }
      return { status: response.status, json };
    },
    fetch: async (url, init) => {
      const path = url.startsWith(base) ? url.slice(base.length) : url;
      const c: Captured = { url, path, body: init.body, headers: init.headers };
      if (net.down) {
        log.push({ n: ++n, path, fault: 'down', delivered: [] });
        throw unreachable('HQ down');
      }
      const scripted = net.script.findIndex((x) => x.path === path);
      const subject = net.faultPaths.some((p) => path.startsWith(p));
      const fault = scripted >= 0 ? net.script.splice(scripted, 1)[0]!.fault : subject ? pick(random, net.weights) : 'deliver';
      const record: FaultRecord = { n: ++n, path, fault, delivered: [] };
      log.push(record);
      const earlier = seen.filter((s) => s.path === path);
      seen.push(c);

      // Anything held back goes in right after this request: the later one arrives first.
      const releaseHeld = async () => {
        if (fault === 'hold') return;
        while (held.length > 0) await deliverAndForget(held.shift()!, record);
      };

      switch (fault) {
        case 'drop':
          throw unreachable('request dropped');
        case 'hold':
          held.push(c);
          throw unreachable('request held back');
        case 'error_500':
          return new Response('{"error":{"code":"proxy","message":"bad gateway"}}', { status: 500, headers: { 'content-type': 'application/json' } });
        case 'replay': {
          if (earlier.length > 0) await deliverAndForget(earlier[between(random, 0, earlier.length - 1)]!, record);
          break;
        }
        case 'duplicate': {
          const copies = between(random, 2, 5);
          const responses = await Promise.all(Array.from({ length: copies }, () => deliver(c, record)));
          const chosen = between(random, 0, copies - 1);
          for (const [i, r] of responses.entries()) if (i !== chosen) await r.text();
          await releaseHeld();
          return responses[chosen]!;
        }
        case 'lose_response': {
          await deliverAndForget(c, record);
          await releaseHeld();
          throw unreachable('connection reset after HQ answered');
        }
        case 'garbage': {
          await deliverAndForget(c, record);
          await releaseHeld();
          return new Response('<html><body>502 Bad Gateway</body></html>', { status: 502, headers: { 'content-type': 'text/html' } });
        }
        case 'slow': {
          await deliverAndForget(c, record);
          await releaseHeld();
          // The answer never comes: only the client's own timeout ends this.
          return new Promise((_resolve, reject) => {
            if (init.signal.aborted) reject(new DOMException('aborted', 'AbortError'));
            init.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')), { once: true });
          });
        }
        case 'truncate': {
          const cut = c.body.slice(0, Math.max(1, Math.floor(c.body.length * (0.3 + 0.4 * (random.bytes(1)[0]! / 255)))));
          const response = await deliver(c, record, cut);
          await releaseHeld();
          return response;
        }
        case 'deliver':
          break;
      }
      const response = await deliver(c, record);
      await releaseHeld();
      return response;
    },
  };
  return net;
}
