import { IPC_EVENT_CHANNEL, METHOD_NAMES, ipcChannel, roleReceives, type AppError, type Result } from '../../shared/contract';
import type { EventBus } from '../core/events';
import type { Logger } from '../core/ports';
import type { Dispatch } from '../core/rpc/dispatch';
import { isRolePage, type WindowRole } from './app-url';
import type { FrameLike, WebContentsLike, WindowRegistry } from './window-registry';

/** What an `ipcMain.handle` listener receives, reduced to what the checks read. */
export interface InvokeEventLike {
  readonly sender: WebContentsLike;
  readonly senderFrame: FrameLike | null;
}

/** Electron's ipcMain satisfies this; tests pass a fake. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

export interface IpcDeps {
  dispatch: Dispatch;
  bus: Pick<EventBus, 'subscribe'>;
  registry: WindowRegistry;
  logger: Logger;
}

export type SenderCheck = { ok: true; role: WindowRole } | { ok: false; reason: string };

function isMainFrame(frame: FrameLike, main: FrameLike): boolean {
  if (frame === main) return true;
  // Electron may hand out distinct wrappers for one frame: fall back to its ids,
  // and only for a frame that says it has no parent.
  return (
    frame.parent === null &&
    typeof frame.processId === 'number' &&
    typeof frame.routingId === 'number' &&
    frame.processId === main.processId &&
    frame.routingId === main.routingId
  );
}

/**
 * A call is ours only if it comes from a window we created, from that window's
 * main frame (no iframe), on that window's own app:// page. The role comes from
 * the registry, never from anything the renderer says.
 */
export function checkSender(event: InvokeEventLike, registry: WindowRegistry): SenderCheck {
  const window = registry.lookup(event.sender.id);
  if (!window) return { ok: false, reason: 'unregistered webContents' };
  const frame = event.senderFrame;
  if (!frame) return { ok: false, reason: 'no sender frame (navigated or destroyed)' };
  if (!isMainFrame(frame, event.sender.mainFrame)) return { ok: false, reason: 'not the main frame' };
  if (!isRolePage(frame.url, window.role)) return { ok: false, reason: 'not our page' };
  return { ok: true, role: window.role };
}

const FORBIDDEN: AppError = { code: 'forbidden', message: 'this sender may not call the terminal' };

/**
 * Binds every contract method to its own channel and pushes core events to the
 * windows whose role receives them. Returns a function that undoes both.
 */
export function bindIpc(ipcMain: IpcMainLike, deps: IpcDeps): () => void {
  const { dispatch, bus, registry, logger } = deps;

  for (const method of METHOD_NAMES) {
    ipcMain.handle(ipcChannel(method), async (event, input): Promise<Result<unknown>> => {
      const sender = checkSender(event, registry);
      if (!sender.ok) {
        logger.warn('refused an IPC call', { method, reason: sender.reason, webContentsId: event.sender.id });
        return { ok: false, error: FORBIDDEN };
      }
      return dispatch(sender.role, method, input);
    });
  }

  const unsubscribe = bus.subscribe((name, payload) => {
    for (const { role, contents } of registry.windows()) {
      if (!roleReceives(role, name) || contents.isDestroyed()) continue;
      try {
        contents.send(IPC_EVENT_CHANNEL, name, payload);
      } catch (error) {
        // A renderer that just crashed throws "Render frame was disposed"; it reloads and asks again.
        logger.warn('could not deliver an event', { name, role, error: String(error) });
      }
    }
  });

  return () => {
    unsubscribe();
    for (const method of METHOD_NAMES) ipcMain.removeHandler(ipcChannel(method));
  };
}
