import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { UpdateDirective, UpdateStatusReport } from '../../src/shared/updates/directive';
import { ensureReleaseKey, publishRelease } from '../../src/hq/updates/releases';
import type { Json, TestHq, TestTerminal } from './hq-fixture';

/** A stand-in build: `size` bytes, different for every name, the same every run. */
export function artifact(dir: string, name: string, size = 4096): { path: string; bytes: Buffer } {
  const bytes = Buffer.alloc(size);
  const seed = createHash('sha256').update(name).digest();
  for (let i = 0; i < size; i += 1) bytes[i] = seed[i % 32]! ^ (i & 0xff);
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return { path, bytes };
}

/** Publishes a stand-in build as `version` (the release key is made first if needed). */
export async function publish(hq: TestHq, version: string, o: { channel?: 'stable' | 'pilot'; size?: number; allowDowngrade?: boolean } = {}) {
  await ensureReleaseKey(hq.ctx, 'test');
  const file = artifact(hq.dir, `Fidele-${version}.AppImage`, o.size);
  const signed = await publishRelease(hq.ctx, { file: file.path, version, channel: o.channel ?? 'stable', allowDowngrade: o.allowDowngrade }, 'test');
  return { signed, bytes: file.bytes };
}

/** The terminal's signed pull, as its sync client sends it; returns the answer's body. */
export async function pullOf(hq: TestHq, t: TestTerminal): Promise<Json> {
  const answer = await hq.post('/v1/pull', t.signed({ protocolVersion: 1, terminalId: t.terminalId, epoch: 1, cookies: { program: null, store: null, terminal: null }, ackedThroughSeq: 0, sentAt: hq.clock.value }));
  if (answer.status !== 200) throw new Error(`pull failed: ${JSON.stringify(answer.json)}`);
  return answer.json;
}

export async function directiveOf(hq: TestHq, t: TestTerminal): Promise<UpdateDirective> {
  return (await pullOf(hq, t)).update as UpdateDirective;
}

/** A GET with optional headers, as electron-updater sends it. */
export async function getWith(hq: TestHq, path: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string; bytes: Buffer; headers: Headers }> {
  const response = await fetch(`${hq.url}${path}`, { headers });
  const bytes = Buffer.from(await response.arrayBuffer());
  return { status: response.status, text: bytes.toString('utf8'), bytes, headers: response.headers };
}

/** The feed of a terminal, with the token of its last pull. */
export async function feedOf(hq: TestHq, d: UpdateDirective, file = 'latest-linux.yml') {
  return getWith(hq, `${d.feedPath}/${file}`, { authorization: `Bearer ${d.feedToken}` });
}

export const REPORT: UpdateStatusReport = {
  appVersion: '0.1.0',
  build: 'b-0001',
  state: 'downloading',
  targetVersion: '1.1.0',
  progressPercent: 42,
  waitingFor: [],
  lastError: null,
};

export function statusRequest(hq: TestHq, t: TestTerminal, report: Partial<UpdateStatusReport> = {}, o: { sentAt?: number } = {}) {
  return t.signed({ protocolVersion: 1, terminalId: t.terminalId, report: { ...REPORT, ...report }, sentAt: o.sentAt ?? hq.clock.value });
}

/** A GET naming another Host than the one HQ listens on (fetch will not send one): the name a terminal may know HQ by. */
export function getAsHost(hq: TestHq, path: string, host: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${hq.url}${path}`, { headers: { ...headers, host } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}
