import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TerminalConfig, TillApiConfig } from '../../src/main/core/config/terminal-config';
import { createCore, type Core } from '../../src/main/core/core';
import { seededRandom, type Logger } from '../../src/main/core/ports';
import { startTillApi, type TillApi, type TillApiOptions } from '../../src/main/till-api/till-api';
import { sha256Hex } from '../../src/main/till-api/tokens';
import { insertKnownMembers, testConfig, type KnownMembers } from '../fakes/known-members';
import { LEDGER_TABLES, WEDNESDAY_10H } from './ledger-fixture';

/** Two tills with known tokens; tokens in tests are any strings, only their hashes are configured. */
export const TOKENS = { 'caisse-1': 'ftk_test-token-caisse-1', 'caisse-2': 'ftk_test-token-caisse-2' } as const;

export function tillApiConfig(overrides: Partial<TillApiConfig> = {}): TillApiConfig {
  return {
    enabled: true,
    host: '127.0.0.1',
    port: 0,
    lan: false,
    tills: Object.entries(TOKENS).map(([id, token]) => ({ id, tokenSha256: sha256Hex(token) })),
    ...overrides,
  };
}

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

export interface CallOptions {
  /** Which till's token; null sends none. Default caisse-1. */
  till?: keyof typeof TOKENS | null;
  token?: string;
  key?: string | null;
  body?: unknown;
  /** Sent as is instead of JSON.stringify(body). */
  rawBody?: string | Uint8Array<ArrayBuffer>;
  contentType?: string | null;
  headers?: Record<string, string>;
}

export interface TillHarness {
  core: Core;
  api: TillApi;
  known: KnownMembers;
  clock: { value: number };
  logs: Array<{ level: string; message: string; fields?: Record<string, unknown> }>;
  call(method: string, path: string, options?: CallOptions): Promise<Reply>;
  /** Every ledger table, the idempotency table and the members, as text: equal snapshots mean nothing was written. */
  snapshot(): string;
  count(table: string): number;
  close(): Promise<void>;
}

let keys = 0;
/** A fresh Idempotency-Key. */
export function newKey(): string {
  keys += 1;
  return `key-${process.pid}-${keys}`;
}

/** `hqUrl`: the terminal syncs with that HQ; its timers never fire, so a test drives each exchange (`sync.now`). */
export async function openTillHarness(
  options: { api?: Partial<TillApiConfig>; timeouts?: TillApiOptions['timeouts']; hqUrl?: string; config?: Partial<TerminalConfig> } = {},
): Promise<TillHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'fidele-till-'));
  const clock = { value: WEDNESDAY_10H };
  const logs: TillHarness['logs'] = [];
  const logger: Logger = {
    info: (message, fields) => logs.push({ level: 'info', message, fields }),
    warn: (message, fields) => logs.push({ level: 'warn', message, fields }),
    error: (message, fields) => logs.push({ level: 'error', message, fields }),
  };
  const config = testConfig({
    tillApi: tillApiConfig(options.api),
    ...(options.hqUrl ? { hq: { url: options.hqUrl }, storeId: 'paris-11' } : {}),
    ...options.config,
  });
  const core = createCore({
    dbPath: join(dir, 'terminal.sqlite'),
    config,
    shell: 'browser',
    clock: { now: () => clock.value },
    random: seededRandom(31),
    monotonic: { now: () => 1_000 },
    logger,
    validateOutput: true,
    syncTimers: { setTimeout: () => null, clearTimeout: () => {} },
  });
  const known = insertKnownMembers(core.members);
  await core.start();
  const api = await startTillApi({ core, config, clock: { now: () => clock.value }, random: seededRandom(32), logger, timeouts: options.timeouts });

  return {
    core,
    api,
    known,
    clock,
    logs,
    async call(method, path, o = {}) {
      const headers: Record<string, string> = { ...o.headers };
      const till = o.till === undefined ? 'caisse-1' : o.till;
      const token = o.token ?? (till === null ? null : TOKENS[till]);
      if (token !== null) headers.authorization = `Bearer ${token}`;
      const hasBody = o.body !== undefined || o.rawBody !== undefined;
      if (method === 'POST') {
        const key = o.key === undefined ? newKey() : o.key;
        if (key !== null) headers['idempotency-key'] = key;
      }
      if (hasBody && o.contentType !== null) headers['content-type'] = o.contentType ?? 'application/json';
      const response = await fetch(api.origin + path, {
        method,
        headers,
        body: o.rawBody ?? (o.body === undefined ? undefined : JSON.stringify(o.body)),
      });
      const text = await response.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = null;
      }
      return { status: response.status, headers: response.headers, text, json };
    },
    snapshot: () =>
      JSON.stringify([...LEDGER_TABLES, 'till_request', 'member'].map((t) => [t, core.db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all()])),
    count: (table) => (core.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n,
    async close() {
      await api.close();
      await core.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A till basket for a member: groceries at 5,5 % VAT, paid by card for what is due after the points discount. */
export function basket(memberId: string, receipt: string, options: { tillId?: string; cents?: number[]; redeemPoints?: number } = {}) {
  const cents = options.cents ?? [8440];
  const redeemPoints = options.redeemPoints ?? 0;
  const lines = cents.map((unitPriceCents, i) => ({
    lineId: String(i + 1),
    sku: `SKU-${i + 1}`,
    label: `Article ${i + 1}`,
    category: 'grocery',
    quantity: 1,
    unitPriceCents,
    taxRateBp: 550,
  }));
  const due = cents.reduce((a, b) => a + b, 0) - redeemPoints * 5;
  return {
    tillId: options.tillId ?? 'caisse-1',
    receipt,
    memberId,
    lines,
    payments: due > 0 ? [{ method: 'card', amountCents: due }] : [],
    redeemPoints,
  };
}
