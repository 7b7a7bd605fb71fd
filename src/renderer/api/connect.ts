import type { Role } from '../../shared/contract';
import { clientFrom, type ApiClient } from './client';
import { electronTransport } from './electron-transport';
import { connectWebSocket } from './ws-transport';

/** Electron's preload when there is one, otherwise the web bridge. */
export function connect(role: Role): ApiClient {
  const preload = window.fidele;
  if (preload) {
    if (preload.role !== role) throw new Error(`this page is the ${role} screen but the window is ${preload.role}`);
    return clientFrom(electronTransport(preload));
  }
  return clientFrom(connectWebSocket(window.location, role));
}
