import type { Result, Role } from '../../shared/contract';
import type { RawTransport } from './client';

/** What a preload exposes on `window.fidele`: only its role's methods, and event subscription. */
export interface PreloadApi {
  readonly role: Role;
  readonly methods: Readonly<Record<string, (input: unknown) => Promise<Result<unknown>>>>;
  on(listener: (name: string, payload: unknown) => void): () => void;
}

declare global {
  interface Window {
    fidele?: PreloadApi;
  }
}

export function electronTransport(api: PreloadApi): RawTransport {
  return {
    role: api.role,
    invoke(method, input) {
      const fn = api.methods[method];
      if (!fn) return Promise.resolve({ ok: false, error: { code: 'forbidden', message: `the ${api.role} screen may not call ${method}` } });
      return fn(input);
    },
    on: (listener) => api.on(listener),
    // IPC to our own main process does not drop.
    onConnection(listener) {
      listener(true);
      return () => undefined;
    },
  };
}
