import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { ROLES, roleReceives, WS_MAX_FRAME_BYTES, WsRequest, type Role, type WsMessage } from '../../shared/contract';
import type { Core } from '../core/core';
import type { Logger, Random } from '../core/ports';
import { webBridgeCsp } from '../core/security/csp';
import { staticFiles } from './static-files';

export interface WebBridgeOptions {
  core: Pick<Core, 'dispatch' | 'bus'>;
  /** The built renderer (out/renderer); null serves no pages (tests of the socket alone). */
  staticDir: string | null;
  host?: string;
  port?: number;
  random: Random;
  logger: Logger;
  /** Roles to issue tokens for; the simulator only exists where devices are simulated. */
  roles?: readonly Role[];
  /** Tokens chosen by the supervisor (supervisor.ts), kept across restarts so open pages reconnect; else random. */
  tokens?: Partial<Record<Role, string>> | null;
}

export interface WebBridge {
  readonly origin: string;
  readonly port: number;
  readonly tokens: Readonly<Partial<Record<Role, string>>>;
  /** The page a browser opens for each role, token included. */
  readonly urls: Readonly<Partial<Record<Role, string>>>;
  close(): Promise<void>;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The same handlers as the Electron IPC, over a WebSocket on loopback, so the
 * kiosk runs (and is tested) in a plain Chromium. The role comes from a
 * per-screen token issued at start, and a socket opened by any other origin
 * (another web page on this machine) is refused.
 */
export async function startWebBridge(options: WebBridgeOptions): Promise<WebBridge> {
  const host = options.host ?? '127.0.0.1';
  if (host !== '127.0.0.1' && host !== '::1' && host !== 'localhost') {
    throw new Error(`the web bridge only binds to loopback, not ${host}`);
  }
  const roles = options.roles ?? ROLES;
  const tokens: Partial<Record<Role, string>> = {};
  const roleByToken = new Map<string, Role>();
  for (const role of roles) {
    const token = options.tokens?.[role] ?? hex(options.random.bytes(16));
    tokens[role] = token;
    roleByToken.set(token, role);
  }

  let csp = '';
  const files = options.staticDir === null ? null : staticFiles(options.staticDir);
  const server = createServer((req, res) => {
    if (files) {
      files.serve(req, res, csp).catch((error: unknown) => {
        options.logger.error('web bridge could not serve a file', { path: req.url ?? null, error: String(error) });
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    } else res.writeHead(404).end();
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_FRAME_BYTES });
  const sockets = new Map<WebSocket, Role>();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `http://${host === '::1' ? '[::1]' : host}:${port}`;
  const allowedOrigins = new Set([origin, `http://localhost:${port}`]);
  // Known once the port is: the pages may open this bridge's socket and no other.
  csp = webBridgeCsp(allowedOrigins);

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', origin);
    const role = roleByToken.get(url.searchParams.get('token') ?? '');
    const requestOrigin = req.headers.origin;
    if (url.pathname !== '/ws' || !role || (requestOrigin !== undefined && !allowedOrigins.has(requestOrigin))) {
      options.logger.warn('web bridge refused a socket', { path: url.pathname, origin: requestOrigin ?? null, role: role ?? null });
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.set(ws, role);
      send(ws, { type: 'hello', role });
      ws.on('message', (data, isBinary) => void onMessage(ws, role, data, isBinary));
      ws.on('close', () => sockets.delete(ws));
      ws.on('error', () => sockets.delete(ws));
    });
  });

  async function onMessage(ws: WebSocket, role: Role, data: unknown, isBinary: boolean): Promise<void> {
    let frame: unknown;
    try {
      if (isBinary) throw new Error('binary frame');
      frame = JSON.parse(String(data));
    } catch {
      send(ws, { type: 'result', id: -1, result: { ok: false, error: { code: 'bad_input', message: 'frame is not JSON text' } } });
      return;
    }
    const request = WsRequest.safeParse(frame);
    if (!request.success) {
      const id = typeof (frame as { id?: unknown })?.id === 'number' ? (frame as { id: number }).id : -1;
      send(ws, { type: 'result', id, result: { ok: false, error: { code: 'bad_input', message: 'malformed request frame' } } });
      return;
    }
    const { id, method, input } = request.data;
    const result = await options.core.dispatch(role, method, input);
    send(ws, { type: 'result', id, result });
  }

  const unsubscribe = options.core.bus.subscribe((name, payload) => {
    for (const [ws, role] of sockets) {
      if (roleReceives(role, name)) send(ws, { type: 'event', name, payload });
    }
  });

  const urls: Partial<Record<Role, string>> = {};
  for (const role of roles) urls[role] = `${origin}/${role}/?token=${tokens[role]}`;

  return {
    origin,
    port,
    tokens,
    urls,
    async close() {
      unsubscribe();
      for (const ws of sockets.keys()) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function send(ws: WebSocket, message: WsMessage): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
}
