import type { WindowRole } from './app-url';

/** A frame as the IPC checks see it: Electron's WebFrameMain has all of these. */
export interface FrameLike {
  readonly url: string;
  readonly processId?: number;
  readonly routingId?: number;
  readonly parent?: FrameLike | null;
}

/** The part of Electron's WebContents the shell relies on, so tests can fake it. */
export interface WebContentsLike {
  readonly id: number;
  readonly mainFrame: FrameLike;
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
}

export interface RegisteredWindow<W extends WebContentsLike = WebContentsLike> {
  readonly role: WindowRole;
  readonly contents: W;
}

/**
 * Which webContents are ours and what role each has. The window code is the
 * only writer; the IPC adapter reads it to accept a call and to route events.
 */
export class WindowRegistry<W extends WebContentsLike = WebContentsLike> {
  private readonly byId = new Map<number, RegisteredWindow<W>>();

  /** Returns the unregister function, to call when the webContents is destroyed. */
  register(contents: W, role: WindowRole): () => void {
    const entry = { role, contents };
    this.byId.set(contents.id, entry);
    return () => {
      if (this.byId.get(contents.id) === entry) this.byId.delete(contents.id);
    };
  }

  /** webContents ids are never reused while the app runs, so the id names one window. */
  lookup(id: number): RegisteredWindow<W> | undefined {
    return this.byId.get(id);
  }

  windows(): RegisteredWindow<W>[] {
    return [...this.byId.values()];
  }
}
