import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalJson, sha256Hex } from '../../src/main/core/ledger/canonical';
import { entryHash, type Posting } from '../../src/main/core/ledger/chain';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import { ephemeralHqKey, rawPublicKey, signWith } from '../../src/hq/keys';
import { startHq, type Hq, type HqOptions } from '../../src/hq/server';
import { toEntry } from '../../src/hq/ingest';
import {
  PROTOCOL_VERSION,
  pushSigningPayload,
  signingPayload,
  type EnrolmentReceipt,
  type PushBatch,
  type PushHeader,
  type WireEntry,
} from '../../src/shared/sync/protocol';
import { line, openHarness, sale, WEDNESDAY_10H, type Harness } from '../integration/ledger-fixture';

/** Answers are checked field by field in the tests; a loose type keeps those checks readable. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** An HQ answer as the tests read it: the body as text, and as JSON when it is JSON. */
async function parseAnswer(response: Response): Promise<{ status: number; json: Json; text: string; headers: Headers }> {
  const text = await response.text();
  let json: Json;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: response.status, json, text, headers: response.headers };
}

export interface TestHq extends Hq {
  clock: { value: number };
  dir: string;
  post(path: string, body: unknown): Promise<{ status: number; json: Json }>;
  get(path: string): Promise<{ status: number; json: Json; text: string }>;
  count(table: string): Promise<number>;
  stop(): Promise<void>;
}

export async function startTestHq(options: Partial<HqOptions> = {}): Promise<TestHq> {
  const dir = mkdtempSync(join(tmpdir(), 'fidele-hq-'));
  const clock = { value: WEDNESDAY_10H };
  const hq = await startHq({
    dataDir: dir,
    inMemory: options.databaseUrl ? undefined : true,
    port: 0,
    clock: { now: () => clock.value },
    random: seededRandom(4242),
    logger: silentLogger,
    key: ephemeralHqKey(),
    maintenanceIntervalMs: 0,
    ...options,
  });
  const request = async (method: string, path: string, body?: unknown, raw?: string) => {
    const response = await fetch(`${hq.url}${path}`, {
      method,
      headers: body === undefined && raw === undefined ? {} : { 'content-type': 'application/json' },
      body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    const { status, json, text } = await parseAnswer(response);
    return { status, json, text };
  };
  return {
    ...hq,
    clock,
    dir,
    post: (path, body) => request('POST', path, body),
    get: (path) => request('GET', path),
    async count(table) {
      const rows = await hq.ctx.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
      return rows[0]!.n;
    },
    async stop() {
      await hq.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function postRaw(hq: TestHq, path: string, raw: string): Promise<{ status: number; json: Json }> {
  const response = await fetch(`${hq.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw });
  const text = await response.text();
  return { status: response.status, json: JSON.parse(text) as Json };
}

export async function enrolCode(hq: TestHq, storeId: string, terminalId: string, options: { replace?: boolean } = {}): Promise<string> {
  const { createEnrolCode } = await import('../../src/hq/enrolment');
  return (await createEnrolCode(hq.ctx, storeId, terminalId, options)).code;
}

/** A fresh nonce, as every signed request carries. */
export function nonce(): string {
  return randomBytes(16).toString('base64url');
}

/**
 * A terminal as HQ sees it: an Ed25519 key, an enrolment, and a real ledger
 * (the ledger-fixture harness) whose entries are shipped re-chained onto
 * HQ's genesis, as the sync client will once enrolment sets the genesis.
 */
export class TestTerminal {
  readonly privateKey: KeyObject;
  readonly publicKey: string;
  readonly keyId: string;
  readonly harness: Harness;
  receipt: EnrolmentReceipt | null = null;
  /** The HQ it enrolled with: batches are dated in its time, as the sync client's are. */
  hq: TestHq | null = null;
  /** Entries already built, re-chained: the terminal's view of its stream. */
  readonly wire: WireEntry[] = [];
  private receiptCounter = 0;
  private handMade = 0;

  constructor(
    readonly terminalId: string,
    readonly storeId: string,
  ) {
    const pair = generateKeyPairSync('ed25519');
    this.privateKey = pair.privateKey;
    this.publicKey = rawPublicKey(pair.publicKey);
    this.keyId = `${terminalId}-k1`;
    this.harness = openHarness({ terminalId });
  }

  get members() {
    return this.harness.members;
  }

  enrolRequest(code: string) {
    return { protocolVersion: PROTOCOL_VERSION, code, terminalId: this.terminalId, storeId: this.storeId, publicKey: this.publicKey, keyId: this.keyId, appVersion: '0.1.0' };
  }

  async enrol(hq: TestHq): Promise<EnrolmentReceipt> {
    const code = await enrolCode(hq, this.storeId, this.terminalId);
    const answer = await hq.post('/v1/terminals/enrol', this.enrolRequest(code));
    if (answer.status !== 200) throw new Error(`enrolment failed: ${JSON.stringify(answer.json)}`);
    this.hq = hq;
    this.receipt = answer.json as EnrolmentReceipt;
    return this.receipt;
  }

  /** Commits a sale of `euros` (TTC, 20 % VAT) for a member, optionally spending points. */
  sell(memberId: string, euros: number, redeemPoints = 0): void {
    this.receiptCounter += 1;
    this.harness.ledger.commit(sale(memberId, `T${this.receiptCounter}`, [line(euros * 100)], redeemPoints));
    this.harness.clock.value += 60_000;
    this.harness.mono.value += 60_000;
    this.sync();
  }

  /** Brings `wire` up to date with the ledger's journal, re-chained onto HQ's genesis. */
  sync(): void {
    const batch = this.harness.ledger.outbox(100_000);
    const entries = batch?.entries ?? [];
    for (const e of entries.slice(this.wire.length - this.handMade)) this.append({ ...e, postings: e.postings.map((p) => ({ ...p })) });
  }

  /** Appends an entry written by hand (what the ledger cannot yet write: a hold post, a redemption on a pulled balance). */
  appendHandMade(fields: { kind: WireEntry['kind']; memberId: string; postings: Posting[]; offline: boolean; detail: WireEntry['detail'] }): WireEntry {
    this.handMade += 1;
    const seq = this.wire.length + 1;
    return this.append({
      terminal_id: this.terminalId,
      epoch: 1,
      seq,
      entry_id: `0190aaaa-bbbb-7ccc-8ddd-${String(seq).padStart(12, '0')}`,
      group_id: `hand-${seq}`,
      kind: fields.kind,
      schema_version: 1,
      rules_version: 'fr-2026.1',
      member_id: fields.memberId,
      till_id: 'till-1',
      receipt: `H${seq}`,
      wall_time: this.harness.clock.value,
      mono_time: this.harness.mono.value,
      mono_boot: 'hand',
      offline: fields.offline,
      postings: fields.postings,
      detail: fields.detail,
    });
  }

  private append(e: Omit<WireEntry, 'prev_hash' | 'entry_hash'> & Partial<WireEntry>): WireEntry {
    const epoch = this.receipt?.epoch ?? 1;
    const prev = this.wire.length === 0 ? this.receipt!.genesisHash : this.wire[this.wire.length - 1]!.entry_hash;
    const base = { ...e, epoch, seq: this.wire.length + 1 };
    delete (base as Partial<WireEntry>).prev_hash;
    delete (base as Partial<WireEntry>).entry_hash;
    const wire = { ...base, prev_hash: prev, entry_hash: '' } as WireEntry;
    wire.entry_hash = entryHash(toEntry(wire), prev);
    this.wire.push(wire);
    return wire;
  }

  /** A signed batch of the given entries (by default seq from..to of `wire`). */
  batch(
    fromSeq: number,
    toSeq: number,
    options: { entries?: WireEntry[]; key?: KeyObject; terminalId?: string; keyId?: string; headSeq?: number; sentAt?: number; nonce?: string } = {},
  ): PushBatch {
    const entries = options.entries ?? this.wire.slice(fromSeq - 1, toSeq);
    const header: PushHeader = {
      protocolVersion: PROTOCOL_VERSION,
      terminalId: options.terminalId ?? this.terminalId,
      epoch: this.receipt!.epoch,
      appVersion: '0.1.0',
      schemaVersions: [...new Set(entries.map((e) => e.schema_version))],
      fromSeq: entries[0]!.seq,
      toSeq: entries[entries.length - 1]!.seq,
      prevHash: entries[0]!.prev_hash,
      lastHash: entries[entries.length - 1]!.entry_hash,
      count: entries.length,
      digest: sha256Hex(canonicalJson(entries)),
      sentAt: options.sentAt ?? this.hq?.clock.value ?? this.harness.clock.value,
      nonce: options.nonce ?? nonce(),
      terminalTime: this.harness.clock.value,
      ...(options.headSeq === undefined ? {} : { headSeq: options.headSeq }),
    };
    const keyId = options.keyId ?? this.keyId;
    return { header, entries, keyId, signature: signWith(options.key ?? this.privateKey, pushSigningPayload({ header, keyId })) };
  }

  /** Signs any other request the way the protocol says: everything but `signature` (with a fresh nonce unless given). */
  signed<T extends Record<string, unknown>>(message: T): T & { nonce: string; keyId: string; signature: string } {
    const withKey = { nonce: nonce(), ...message, keyId: this.keyId, signature: '' };
    return { ...withKey, signature: signWith(this.privateKey, signingPayload(withKey)) };
  }

  close(): void {
    this.harness.close();
  }
}

/** Balances as stored vs. recomputed from postings: must be equal, row for row. */
export async function balanceDrift(hq: TestHq): Promise<Array<{ customer_id: string; account: string; stored: number | null; summed: number | null }>> {
  return hq.ctx.sql.query(
    `SELECT coalesce(b.customer_id, p.customer_id) AS customer_id, coalesce(b.account, p.account) AS account, b.balance AS stored, p.summed
     FROM account_balance b FULL JOIN (SELECT customer_id, account, sum(delta)::bigint AS summed FROM posting GROUP BY customer_id, account) p
       ON p.customer_id = b.customer_id AND p.account = b.account
     WHERE b.balance IS DISTINCT FROM p.summed`,
  );
}

export async function hqPoints(hq: TestHq, memberId: string): Promise<number> {
  const rows = await hq.ctx.sql.query<{ balance: number }>('SELECT balance FROM account_balance WHERE customer_id = $1 AND account = $2', [memberId, `member:${memberId}:points`]);
  return rows[0]?.balance ?? 0;
}

export interface StaffClient {
  username: string;
  password: string;
  cookie: string;
  csrfToken: string;
  get(path: string): Promise<{ status: number; json: Json; text: string; headers: Headers }>;
  /** A JSON POST with the session cookie and, unless `csrf: false`, the CSRF header. */
  post(path: string, body?: unknown, o?: { csrf?: boolean }): Promise<{ status: number; json: Json; headers: Headers }>;
}

/** Creates a staff account with `role` and signs it in over HTTP, as the console would. */
export async function staffClient(hq: Pick<Hq, 'url' | 'ctx'>, role: 'it' | 'marketing' | 'service' | 'admin', username = `${role}-staff`): Promise<StaffClient> {
  const { createStaff } = await import('../../src/hq/staff/accounts');
  const { password } = await createStaff(hq.ctx, { username, role });
  const login = await fetch(`${hq.url}/v1/staff/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (login.status !== 200) throw new Error(`staff login failed: ${login.status} ${await login.text()}`);
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const parse = parseAnswer;
  return {
    username,
    password,
    cookie,
    csrfToken,
    get: async (path) => parse(await fetch(`${hq.url}${path}`, { headers: { cookie }, redirect: 'manual' })),
    post: async (path, body, o = {}) =>
      parse(
        await fetch(`${hq.url}${path}`, {
          method: 'POST',
          headers: { cookie, ...(o.csrf === false ? {} : { 'x-csrf-token': csrfToken }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
        }),
      ),
  };
}
