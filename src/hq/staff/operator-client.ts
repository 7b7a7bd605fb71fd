import { existsSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { rootCertificates, type PeerCertificate } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { readOperatorToken } from './operator-token';

/**
 * How the CLI (and the demo kiosk) reach a running HQ: the address HQ wrote
 * in its data folder, its operator token, and over TLS the very certificate
 * HQ serves, pinned — the CLI trusts no certificate it was not told about.
 */
export const SERVER_FILE = 'hq-server.json';

export interface RunningServer {
  url: string;
  token: string | null;
  /** PEM of the certificate HQ serves, when it serves TLS. */
  cert: string | null;
}

/** What HQ writes in SERVER_FILE when it starts serving. */
export function serverNote(o: { port: number; host: string; cert: string | null }): string {
  return JSON.stringify({ pid: process.pid, port: o.port, host: o.host, cert: o.cert });
}

export function runningServer(dataDir: string): RunningServer | null {
  const file = join(dataDir, SERVER_FILE);
  if (!existsSync(file)) return null;
  try {
    const { pid, port, host, cert } = JSON.parse(readFileSync(file, 'utf8')) as { pid: number; port: number; host: string; cert?: string | null };
    process.kill(pid, 0);
    const h = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
    const scheme = cert ? 'https' : 'http';
    return { url: `${scheme}://${h.includes(':') ? `[${h}]` : h}:${port}`, token: readOperatorToken(dataDir), cert: cert ?? null };
  } catch {
    return null;
  }
}

export async function viaServer(server: RunningServer, method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = {
    ...(server.token ? { authorization: `Bearer ${server.token}` } : {}),
    ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) }),
  };
  const target = new URL(path, server.url);
  const text = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const pinned = server.cert ? new X509Certificate(server.cert).fingerprint256 : null;
    const options = pinned
      ? {
          method,
          headers,
          ca: [...rootCertificates, server.cert!],
          // The name in the certificate is the production one, not 127.0.0.1: the pin stands for it.
          checkServerIdentity: (_host: string, cert: PeerCertificate) => (cert.fingerprint256 === pinned ? undefined : new Error('HQ serves another certificate than the one it noted')),
        }
      : { method, headers };
    const req = (pinned ? httpsRequest : httpRequest)(target, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(payload);
  });
  const json: unknown = JSON.parse(text.text);
  if (text.status < 200 || text.status >= 300) throw new Error(JSON.stringify(json));
  return json;
}
