import { createHash } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { Db } from '../core/db/database';

/** What a till may use as an Idempotency-Key (a UUID fits). */
export const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,64}$/;

/** Long enough for any till's retry loop; the ledger itself stays idempotent by receipt and refund id after that. */
export const IDEMPOTENCY_RETENTION_MS = 7 * 24 * 3_600_000;

/**
 * JSON with object keys sorted, so the same request sent with its keys in
 * another order or other whitespace hashes the same. Only applied to bodies
 * that passed their schema, so the depth is bounded.
 */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function requestHash(method: string, path: string, body: unknown): string {
  return createHash('sha256').update(`${method}\n${path}\n${stableJson(body)}`, 'utf8').digest('hex');
}

export interface StoredResponse {
  requestHash: string;
  status: number;
  /** The exact bytes sent the first time. */
  response: string;
}

/** The till_request table (migration 3): one stored response per (till, key). */
export class IdempotencyStore {
  private readonly s: {
    find: Statement<[string, string], { request_hash: string; status: number; response: string }>;
    insert: Statement<[string, string, string, number, string, number]>;
    prune: Statement<[number]>;
  };

  constructor(db: Db) {
    this.s = {
      find: db.prepare('SELECT request_hash, status, response FROM till_request WHERE till_id = ? AND idempotency_key = ?'),
      insert: db.prepare(
        'INSERT INTO till_request (till_id, idempotency_key, request_hash, status, response, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      prune: db.prepare('DELETE FROM till_request WHERE created_at < ?'),
    };
  }

  find(tillId: string, key: string): StoredResponse | null {
    const row = this.s.find.get(tillId, key);
    return row ? { requestHash: row.request_hash, status: row.status, response: row.response } : null;
  }

  remember(tillId: string, key: string, stored: StoredResponse, at: number): void {
    this.s.insert.run(tillId, key, stored.requestHash, stored.status, stored.response, at);
  }

  /** Forgets keys older than `before` (epoch ms); returns how many. */
  prune(before: number): number {
    return this.s.prune.run(before).changes;
  }
}
