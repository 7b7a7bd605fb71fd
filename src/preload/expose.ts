// Only the zod-free corners of the contract: this file is bundled into each
// sandboxed preload, which can load nothing but `electron`.
import type { AppError, Result } from '../shared/contract/errors';
import { IPC_EVENT_CHANNEL, ipcChannel } from '../shared/contract/ipc-channels';
import { methodsForRole } from '../shared/contract/method-roles';
import type { Role } from '../shared/contract/roles';

/** The roles that get an Electron window; the simulator exists in browser mode only. */
export type WindowRole = Extract<Role, 'cashier' | 'customer'>;

/**
 * What `window.fidele` is. Restated from PreloadApi in
 * src/renderer/api/electron-transport.ts, which a preload may not import;
 * test/unit/preload.test.ts checks the two stay assignable.
 */
export interface ExposedApi {
  readonly role: Role;
  readonly methods: Readonly<Record<string, (input: unknown) => Promise<Result<unknown>>>>;
  on(listener: (name: string, payload: unknown) => void): () => void;
}

/** The parts of Electron's ipcRenderer and contextBridge we use, so tests can fake them. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

export interface ContextBridgeLike {
  exposeInMainWorld(apiKey: string, api: unknown): void;
}

export const API_KEY = 'fidele';

const UNREACHABLE: AppError = { code: 'internal', message: 'the terminal did not answer' };

/** One function per method the role may call, and an event subscription that never leaks the IPC event. */
export function buildApi(role: WindowRole, ipcRenderer: IpcRendererLike): ExposedApi {
  if (role !== 'cashier' && role !== 'customer') throw new Error(`no Electron window has the role ${String(role)}`);

  const methods: Record<string, (input: unknown) => Promise<Result<unknown>>> = {};
  for (const name of methodsForRole(role)) {
    const channel = ipcChannel(name);
    methods[name] = async (input) => {
      try {
        return (await ipcRenderer.invoke(channel, input)) as Result<unknown>;
      } catch {
        // Only a missing handler or a dead main process rejects; the screens expect a Result.
        return { ok: false, error: UNREACHABLE };
      }
    };
  }

  return Object.freeze({
    role,
    methods: Object.freeze(methods),
    on(listener: (name: string, payload: unknown) => void) {
      const relay = (_event: unknown, name: unknown, payload: unknown) => {
        if (typeof name === 'string') listener(name, payload);
      };
      ipcRenderer.on(IPC_EVENT_CHANNEL, relay);
      return () => {
        ipcRenderer.removeListener(IPC_EVENT_CHANNEL, relay);
      };
    },
  });
}

export function exposeApi(role: WindowRole, contextBridge: ContextBridgeLike, ipcRenderer: IpcRendererLike): void {
  contextBridge.exposeInMainWorld(API_KEY, buildApi(role, ipcRenderer));
}
