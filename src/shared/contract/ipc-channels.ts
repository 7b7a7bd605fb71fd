import type { MethodName } from './method-roles';

/** Electron IPC: one channel per method, never a free-form one. Zod-free so the preloads can import it. */
export const IPC_PREFIX = 'fidele:';
export const IPC_EVENT_CHANNEL = 'fidele:event';

export function ipcChannel(method: MethodName): string {
  return IPC_PREFIX + method;
}
