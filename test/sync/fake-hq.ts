import { generateKeyPairSync, createPublicKey } from 'node:crypto';
import { canonicalJson, sha256Hex } from '../../src/main/core/ledger/canonical';
import { entryHash, type Entry } from '../../src/main/core/ledger/chain';
import { rawPublicKey, signCanonical, verifyCanonical } from '../../src/main/core/sync/signing';
import type { FetchLike } from '../../src/main/core/sync/transport';
import {
  EnrolRequest,
  PullRequest,
  PushBatch,
  pushSigningPayload,
  signingPayload,
  type OfflineAllowance,
  type PushAnswer,
  type PushReceipt,
  type PushRefusal,
  type WireEntry,
} from '../../src/shared/sync/protocol';

/**
 * An in-process HQ for the terminal's sync tests: the protocol's cursor rules
 * (sync-ledger.md §2.4) written minimally, HQ signatures, and faults injected
 * per request. It is not src/hq and depends on nothing there.
 */
export type Fault =
  | { kind: 'unreachable' }
  /** Never answers: only the client's timeout ends the request. */
  | { kind: 'hang' }
  | { kind: 'status'; status: number; body?: string }
  | { kind: 'garbage' }
  | { kind: 'retryAfter'; status: 429 | 503; seconds: number }
  /** HQ commits, then the response is lost on the way back. */
  | { kind: 'lose' }
  /** The request reaches HQ twice; the terminal sees the second answer. */
  | { kind: 'duplicate' }
  /** An earlier push reaches HQ again (a proxy replaying it) just before this one. */
  | { kind: 'replayEarlier'; index: number }
  /** HQ answers this request with the answer it gave an earlier one (responses crossed). */
  | { kind: 'staleAnswer' }
  /** The receipt comes back with a signature that is not HQ's. */
  | { kind: 'forge' }
  /** The receipt is signed by another key that claims HQ's key id. */
  | { kind: 'otherKey' };

interface Stream {
  lastSeq: number;
  lastHash: string;
  frozen: string | null;
  receipts: Map<number, PushReceipt>;
}

interface Terminal {
  storeId: string;
  publicKey: string;
  keyId: string;
  epoch: number;
  genesis: string;
}

type Reply = { status: number; body: string; headers?: Record<string, string> };

function keyPair() {
  const { privateKey } = generateKeyPairSync('ed25519');
  const publicKey = rawPublicKey(createPublicKey(privateKey));
  return { privateKey, publicKey, keyId: `hq-${sha256Hex(publicKey).slice(0, 16)}` };
}

export class FakeHq {
  readonly hq = keyPair();
  private readonly impostor = keyPair();
  readonly codes = new Set<string>(['TEST-CODE-1']);
  readonly terminals = new Map<string, Terminal>();
  readonly streams = new Map<string, Stream>();
  /** Every entry HQ applied, in apply order: the oracle counts duplicates here. */
  readonly applied: WireEntry[] = [];
  readonly pushes: PushBatch[] = [];
  readonly requests: Array<{ path: string; at: number }> = [];
  /** Faults for the next pushes, in order; pulls and enrolment take theirs from `otherFaults`. */
  readonly faults: Fault[] = [];
  readonly otherFaults: Fault[] = [];
  /** Pushes being processed at once: the protocol allows one per terminal. */
  inFlight = 0;
  /** HQ (or the store's link) down: every request fails to connect. */
  down = false;
  maxInFlight = 0;
  private lastAnswer: Reply | null = null;
  pullVersion = 1;
  members: unknown[] = [];
  balances: Array<{ memberId: string; balance: number; pending: number; lots: Array<{ expiresOn: string; points: number }> }> = [];
  program: unknown = null;
  /** Alters a signed pull response on the way (the signature no longer matches). */
  tamperPull: ((body: Record<string, unknown>) => Record<string, unknown>) | null = null;

  constructor(private readonly now: () => number) {}

  /** The whole stream HQ holds for a terminal, in seq order. */
  held(terminalId: string, epoch: number): WireEntry[] {
    return this.applied.filter((e) => e.terminal_id === terminalId && e.epoch === epoch).sort((a, b) => a.seq - b.seq);
  }

  stream(terminalId: string, epoch: number): Stream | undefined {
    return this.streams.get(`${terminalId}/${epoch}`);
  }

  /** Simulates HQ restored from a backup: the cursor and the journal go back to `seq`. */
  restoreTo(terminalId: string, epoch: number, seq: number): void {
    const s = this.stream(terminalId, epoch)!;
    const kept = this.held(terminalId, epoch).filter((e) => e.seq <= seq);
    const others = this.applied.filter((e) => e.terminal_id !== terminalId || e.epoch !== epoch);
    this.applied.length = 0;
    this.applied.push(...others, ...kept);
    s.lastSeq = seq;
    s.lastHash = seq === 0 ? this.terminals.get(terminalId)!.genesis : kept[kept.length - 1]!.entry_hash;
    for (const k of [...s.receipts.keys()]) if (k > seq) s.receipts.delete(k);
  }

  allowance(terminalId: string): OfflineAllowance {
    const unsigned = {
      allowanceId: `al-${terminalId}-1`,
      terminalId,
      maxPointsPerTransaction: 500,
      maxPointsPerCustomerPerSession: 1000,
      maxPointsTotal: 10_000,
      maxOfflineDurationMs: 72 * 3600_000,
      policyVersion: 'p1',
      expiresAt: this.now() + 7 * 86_400_000,
      keyId: this.hq.keyId,
    };
    return { ...unsigned, signature: signCanonical(this.hq.privateKey, unsigned) };
  }

  readonly fetch: FetchLike = async (url, init) => {
    const path = new URL(url).pathname;
    this.requests.push({ path, at: this.now() });
    const isPush = path === '/v1/push';
    if (isPush) this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      // A hop through the event loop, so a second request could overlap if the client allowed it.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.down) throw new TypeError('fetch failed: ECONNREFUSED');
      const fault = isPush ? this.faults.shift() : this.otherFaults.shift();
      const body = JSON.parse(init.body) as unknown;
      const reply = await this.withFault(fault, path, body, init.signal);
      return {
        status: reply.status,
        headers: { get: (name: string) => reply.headers?.[name.toLowerCase()] ?? null },
        text: async () => reply.body,
      };
    } finally {
      if (isPush) this.inFlight--;
    }
  };

  private async withFault(fault: Fault | undefined, path: string, body: unknown, signal: AbortSignal): Promise<Reply> {
    switch (fault?.kind) {
      case 'unreachable':
        throw new TypeError('fetch failed: ECONNREFUSED');
      case 'hang':
        return new Promise<Reply>((_resolve, reject) => signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
      case 'status':
        return { status: fault.status, body: fault.body ?? '{"error":{"code":"internal","message":"boom"}}' };
      case 'garbage':
        return { status: 200, body: '<html>502 Bad Gateway</html>' };
      case 'retryAfter':
        return { status: fault.status, body: '{"error":{"code":"busy","message":"later"}}', headers: { 'retry-after': String(fault.seconds) } };
      case 'lose':
        this.route(path, body);
        throw new TypeError('fetch failed: socket hang up');
      case 'duplicate':
        this.route(path, body);
        return this.route(path, body);
      case 'replayEarlier':
        this.route('/v1/push', this.pushes[fault.index]);
        return this.route(path, body);
      case 'staleAnswer': {
        const stale = this.lastAnswer;
        this.route(path, body);
        return stale ?? { status: 500, body: '{}' };
      }
      case 'forge':
      case 'otherKey': {
        const reply = this.route(path, body);
        const answer = JSON.parse(reply.body) as PushAnswer;
        if (!answer.ok) return reply;
        const receipt = answer.receipt;
        const signature =
          fault.kind === 'forge'
            ? `${receipt.signature.slice(0, 10)}${receipt.signature[10] === 'A' ? 'B' : 'A'}${receipt.signature.slice(11)}`
            : signCanonical(this.impostor.privateKey, signingPayload(receipt));
        return { status: 200, body: JSON.stringify({ ok: true, receipt: { ...receipt, signature } }) };
      }
      default:
        return this.route(path, body);
    }
  }

  private route(path: string, body: unknown): Reply {
    const reply = path === '/v1/terminals/enrol' ? this.enrol(body) : path === '/v1/push' ? this.push(body) : path === '/v1/pull' ? this.pull(body) : { status: 404, body: '{}' };
    if (path === '/v1/push') this.lastAnswer = reply;
    return reply;
  }

  private sign<T extends object>(unsigned: T): T & { keyId: string; signature: string } {
    const withKey = { ...unsigned, keyId: this.hq.keyId };
    return { ...withKey, signature: signCanonical(this.hq.privateKey, withKey) };
  }

  private enrol(body: unknown): Reply {
    const parsed = EnrolRequest.safeParse(body);
    if (!parsed.success) return { status: 400, body: JSON.stringify({ error: { code: 'malformed', message: 'bad request' } }) };
    const r = parsed.data;
    if (!this.codes.delete(r.code)) return { status: 403, body: JSON.stringify({ error: { code: 'invalid_code', message: 'unknown enrolment code' } }) };
    const epoch = (this.terminals.get(r.terminalId)?.epoch ?? 0) + 1;
    const genesis = sha256Hex(`fake-hq/genesis\n${canonicalJson({ terminalId: r.terminalId, epoch })}`);
    this.terminals.set(r.terminalId, { storeId: r.storeId, publicKey: r.publicKey, keyId: r.keyId, epoch, genesis });
    this.streams.set(`${r.terminalId}/${epoch}`, { lastSeq: 0, lastHash: genesis, frozen: null, receipts: new Map() });
    const receipt = this.sign({
      terminalId: r.terminalId,
      storeId: r.storeId,
      terminalKeyId: r.keyId,
      epoch,
      genesisHash: genesis,
      hqPublicKey: this.hq.publicKey,
      allowance: this.allowance(r.terminalId),
      issuedAt: this.now(),
    });
    return { status: 200, body: JSON.stringify(receipt) };
  }

  private refuse(status: number, code: PushRefusal['code'], message: string, stream?: Stream): Reply {
    const refusal: PushRefusal = { code, message, cursor: stream ? { lastSeq: stream.lastSeq, lastHash: stream.lastHash } : null };
    return { status, body: JSON.stringify({ ok: false, refusal }) };
  }

  private push(body: unknown): Reply {
    const parsed = PushBatch.safeParse(body);
    if (!parsed.success) return this.refuse(400, 'malformed', 'not a push batch');
    const batch = parsed.data;
    this.pushes.push(batch);
    const { header, entries } = batch;
    const terminal = this.terminals.get(header.terminalId);
    if (!terminal) return this.refuse(401, 'unknown_terminal', 'not enrolled');
    if (batch.keyId !== terminal.keyId || !verifyCanonical(terminal.publicKey, pushSigningPayload(batch), batch.signature)) return this.refuse(401, 'bad_signature', 'bad signature');
    if (sha256Hex(canonicalJson(entries)) !== header.digest) return this.refuse(400, 'malformed', 'digest');
    const stream = this.streams.get(`${header.terminalId}/${header.epoch}`);
    if (!stream) return this.refuse(401, 'unknown_terminal', 'no such epoch');
    if (stream.frozen) return this.refuse(409, 'frozen', stream.frozen, stream);
    let prev = header.prevHash;
    for (const [i, e] of entries.entries()) {
      const { prev_hash: _p, entry_hash: _h, ...rest } = e;
      if (e.seq !== header.fromSeq + i || e.prev_hash !== prev || entryHash(rest as Entry, e.prev_hash) !== e.entry_hash) {
        stream.frozen = `structural fault at seq ${e.seq}`;
        return this.refuse(409, 'structural', stream.frozen, stream);
      }
      prev = e.entry_hash;
    }
    if (header.fromSeq > stream.lastSeq + 1) return this.refuse(409, 'gap', `resend from ${stream.lastSeq + 1}`, stream);
    const held = new Map(this.held(header.terminalId, header.epoch).map((e) => [e.seq, e.entry_hash]));
    const forks = header.fromSeq === stream.lastSeq + 1 && header.prevHash !== stream.lastHash;
    if (forks || entries.some((e) => e.seq <= stream.lastSeq && held.get(e.seq) !== e.entry_hash)) {
      stream.frozen = 'equivocation';
      return this.refuse(409, 'equivocation', 'different content under the same seq', stream);
    }
    if (header.toSeq > stream.lastSeq) {
      for (const e of entries) if (e.seq > stream.lastSeq) this.applied.push(e);
      stream.lastSeq = header.toSeq;
      stream.lastHash = header.lastHash;
    }
    let receipt = stream.receipts.get(header.toSeq);
    if (!receipt) {
      receipt = this.sign({
        terminalId: header.terminalId,
        epoch: header.epoch,
        ackedThroughSeq: header.toSeq,
        ackedHash: header.lastHash,
        hqIngestTime: this.now(),
        skewMs: this.now() - header.terminalTime,
        exceptions: [],
      });
      stream.receipts.set(header.toSeq, receipt);
    }
    return { status: 200, body: JSON.stringify({ ok: true, receipt }) };
  }

  private pull(body: unknown): Reply {
    const parsed = PullRequest.safeParse(body);
    if (!parsed.success) return { status: 400, body: JSON.stringify({ error: { code: 'malformed', message: 'bad pull' } }) };
    const r = parsed.data;
    const terminal = this.terminals.get(r.terminalId);
    if (!terminal || r.keyId !== terminal.keyId || !verifyCanonical(terminal.publicKey, signingPayload(r), r.signature)) {
      return { status: 401, body: JSON.stringify({ error: { code: 'bad_signature', message: 'bad pull signature' } }) };
    }
    const cookie = `v${this.pullVersion}`;
    const fresh = r.cookies.store !== cookie;
    const unsigned: Record<string, unknown> = {
      buckets: [
        { bucket: 'program', cookie, puts: this.program !== null && r.cookies.program !== cookie ? [{ key: 'program', value: this.program }] : [], deletes: [] },
        { bucket: 'store', cookie, puts: fresh ? this.members.map((m) => ({ key: `member:${(m as { memberId: string }).memberId}`, value: m })) : [], deletes: [] },
        { bucket: 'terminal', cookie, puts: [], deletes: [] },
      ],
      hqAppliedThroughSeq: this.stream(r.terminalId, r.epoch)?.lastSeq ?? 0,
      balances: fresh ? this.balances : [],
      allowance: this.allowance(r.terminalId),
      minAppVersion: '0.1.0',
      recommendedAppVersion: '0.1.0',
      hqTime: this.now(),
    };
    const signed: Record<string, unknown> = this.sign(unsigned);
    return { status: 200, body: JSON.stringify(this.tamperPull ? this.tamperPull(signed) : signed) };
  }
}
