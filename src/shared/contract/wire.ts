import { z } from 'zod';

// The Electron IPC channel names live in ipc-channels.ts, which the preloads import without zod.

/** Web bridge frames, browser → main. Anything else on the socket is refused. */
export const WsRequest = z.strictObject({
  id: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  method: z.string().max(64),
  input: z.unknown(),
});
export type WsRequest = z.infer<typeof WsRequest>;

/** Web bridge frames, main → browser. */
export type WsMessage =
  | { type: 'result'; id: number; result: { ok: true; value: unknown } | { ok: false; error: unknown } }
  | { type: 'event'; name: string; payload: unknown }
  | { type: 'hello'; role: string };

/** Largest frame the bridge reads: the biggest legitimate call is far smaller. */
export const WS_MAX_FRAME_BYTES = 64 * 1024;
