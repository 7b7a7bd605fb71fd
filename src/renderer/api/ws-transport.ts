import { isRole, type Result, type Role, type WsMessage } from '../../shared/contract';
import type { RawTransport } from './client';

interface Pending {
  resolve: (result: Result<unknown>) => void;
}

/**
 * The browser mode's transport: the page's URL carries its screen token, the
 * socket reconnects with backoff, and calls made while disconnected fail fast
 * with `unavailable` rather than hang the till.
 */
export function connectWebSocket(location: Location, expectedRole: Role): RawTransport {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws?token=${encodeURIComponent(token)}`;
  const pending = new Map<number, Pending>();
  const eventListeners = new Set<(name: string, payload: unknown) => void>();
  const connectionListeners = new Set<(connected: boolean) => void>();
  let socket: WebSocket | null = null;
  let ready: Promise<WebSocket> | null = null;
  let nextId = 1;
  let attempt = 0;

  const notify = (connected: boolean) => {
    for (const l of connectionListeners) l(connected);
  };

  function open(): Promise<WebSocket> {
    if (ready) return ready;
    ready = new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(url);
      let settled = false;
      ws.onmessage = (event) => {
        let message: WsMessage;
        try {
          message = JSON.parse(String(event.data)) as WsMessage;
        } catch {
          return;
        }
        if (message.type === 'hello') {
          if (!isRole(message.role) || message.role !== expectedRole) {
            ws.close();
            return;
          }
          settled = true;
          attempt = 0;
          socket = ws;
          notify(true);
          resolve(ws);
        } else if (message.type === 'result') {
          const p = pending.get(message.id);
          if (p) {
            pending.delete(message.id);
            p.resolve(message.result as Result<unknown>);
          }
        } else if (message.type === 'event') {
          for (const l of eventListeners) l(message.name, message.payload);
        }
      };
      ws.onclose = () => {
        socket = null;
        ready = null;
        for (const [id, p] of pending) {
          pending.delete(id);
          p.resolve({ ok: false, error: { code: 'unavailable', message: 'connection lost' } });
        }
        notify(false);
        if (!settled) reject(new Error('connection refused'));
        attempt += 1;
        const delay = Math.min(5_000, 200 * 2 ** Math.min(attempt, 5));
        setTimeout(() => void open().catch(() => undefined), delay);
      };
    });
    return ready;
  }

  void open().catch(() => undefined);

  return {
    role: expectedRole,
    async invoke(method, input) {
      let ws: WebSocket;
      try {
        ws = socket ?? (await open());
      } catch {
        return { ok: false, error: { code: 'unavailable', message: 'not connected' } };
      }
      const id = nextId++;
      return new Promise<Result<unknown>>((resolve) => {
        pending.set(id, { resolve });
        ws.send(JSON.stringify({ id, method, input }));
      });
    },
    on(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    onConnection(listener) {
      connectionListeners.add(listener);
      listener(socket !== null);
      return () => connectionListeners.delete(listener);
    },
  };
}
