import type { Timers } from '../devices/reconnect';
import type { Clock } from '../ports';
import { describeFailure } from '../../../shared/diagnostics/error-cause';

/** The part of WHATWG fetch the client uses, so tests (and a fake HQ) can stand in for the network. */
export type FetchLike = (
  url: string,
  init: { method: 'POST'; headers: Record<string, string>; body: string; signal: AbortSignal },
) => Promise<{ status: number; headers: { get(name: string): string | null }; text(): Promise<string> }>;

/**
 * Every way a request can end, as a value: the sync loops never see an
 * exception from the network, only these.
 */
export type TransportResult =
  | { kind: 'answer'; status: number; body: unknown; retryAfterMs: number | null }
  /** HQ answered, but not with JSON (a proxy's error page, a body cut mid-stream). */
  | { kind: 'garbage'; status: number; detail: string; retryAfterMs: number | null }
  | { kind: 'timeout' }
  | { kind: 'unreachable'; detail: string };

export interface Transport {
  /** `signal`: the caller's budget (budget.ts); when it aborts first, the request ends as a timeout. */
  post(path: string, body: unknown, options?: { signal?: AbortSignal }): Promise<TransportResult>;
}

/** The same way to HQ, every request of which ends (as a timeout) once `signal` aborts. */
export function bounded(transport: Transport, signal: AbortSignal): Transport {
  return { post: (path, body, options) => transport.post(path, body, { signal: options?.signal ? AbortSignal.any([signal, options.signal]) : signal }) };
}

export interface TransportOptions {
  fetch: FetchLike;
  hqUrl: string;
  timers: Timers;
  clock: Clock;
  /** The whole exchange, body included. */
  timeoutMs: number;
}

/** Retry-After is either delta-seconds or an HTTP date; anything else is ignored rather than trusted. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (/^\d{1,9}$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

export function createTransport(o: TransportOptions): Transport {
  const base = o.hqUrl.replace(/\/+$/, '');
  return {
    async post(path, body, options) {
      const controller = new AbortController();
      const budget = options?.signal;
      if (budget?.aborted) return { kind: 'timeout' };
      let timer: unknown = null;
      let onBudget: (() => void) | null = null;
      // A fetch that ignores its signal must not hang the loop either: the race settles it.
      const timedOut = new Promise<TransportResult>((resolve) => {
        const expire = () => {
          controller.abort();
          resolve({ kind: 'timeout' });
        };
        timer = o.timers.setTimeout(expire, o.timeoutMs);
        if (budget) budget.addEventListener('abort', (onBudget = expire), { once: true });
      });
      const exchange = (async (): Promise<TransportResult> => {
        let response: Awaited<ReturnType<FetchLike>>;
        try {
          response = await o.fetch(`${base}${path}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', accept: 'application/json' },
            body: JSON.stringify(body),
            signal: controller.signal,
          });
        } catch (error) {
          // « TypeError: fetch failed » says nothing: the URL and the cause underneath (ECONNREFUSED…) do.
          return controller.signal.aborted ? { kind: 'timeout' } : { kind: 'unreachable', detail: describeFailure(`${base}${path}`, error) };
        }
        const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), o.clock.now());
        let text: string;
        try {
          text = await response.text();
        } catch (error) {
          return controller.signal.aborted ? { kind: 'timeout' } : { kind: 'garbage', status: response.status, detail: `body cut: ${String(error)}`, retryAfterMs };
        }
        try {
          return { kind: 'answer', status: response.status, body: JSON.parse(text) as unknown, retryAfterMs };
        } catch {
          return { kind: 'garbage', status: response.status, detail: `not JSON: ${text.slice(0, 80)}`, retryAfterMs };
        }
      })();
      try {
        return await Promise.race([exchange, timedOut]);
      } finally {
        o.timers.clearTimeout(timer);
        if (budget && onBudget) budget.removeEventListener('abort', onBudget);
      }
    },
  };
}
