import type { z } from 'zod';
import type { Db } from '../db/database';
import { Accounts } from '../ledger/accounts';
import type { ChainPosition, ChainPositions } from '../ledger/chain-view';
import type { Ledger } from '../ledger/ledger';
import { parseProgramRules } from '../ledger/rules';
import type { MemberStore } from '../members/member-store';
import type { Clock, Logger, Random } from '../ports';
import {
  MemberRecord,
  OfflineAllowance,
  PROTOCOL_VERSION,
  PullResponse,
  type Bucket,
  type PullRequest,
} from '../../../shared/sync/protocol';
import { ALLOWANCE_STATE_KEY, storeAllowance, type Enrolment } from './enrolment';
import { checkIncidentItem, isIncidentItem } from '../incidents/pull-items';
import { refreshStaleRelationships } from '../incidents/relationship-summary';
import { applyValueHints, checkValueHint, isValueHintKey } from '../value/value-hints';
import { applyTiers, checkTierItem, isTierKey } from '../tiers/tier-store';
import type { MemberTier } from '../../../shared/tiers/member-tier';
import { applyProducts, checkProductItem, isProductKey } from '../products/catalogue';
import type { Product } from '../../../shared/programme/products';
import type { MemberValueHint } from '../../../shared/value/value-hint';
import type { TerminalKey } from './keys';
import { verifySigned } from './signing';
import { checkProgrammePut, isProgrammeKey, storeProgrammeVersions, type ProgrammeVersion } from '../programme/programme-book';
import { postSigned, type HqClock, type Stamp } from './hq-clock';
import type { Transport } from './transport';
import { SingleFlight } from './single-flight';
import { acknowledgeConsentChanges, pendingConsentChanges } from '../members/consents';
import { applyPrivacyItems, checkPrivacyItem, isPrivacyItem, type PrivacyItem } from '../privacy/erasure-pull';

/**
 * Pull (sync-ledger.md §2.5): per-bucket cookies up, patches down, one pull at
 * a time, and each response applied in ONE SQLite transaction — the program,
 * the store's members, the chain-wide balances (an HQ-confirmed overlay: the
 * till shows it plus this terminal's postings HQ has not projected yet), the
 * signed allowance and the new cookies land together or not at all. The
 * response is checked whole (signature, allowance, program, every member)
 * before the transaction starts.
 *
 * Bucket keys (as HQ writes them): `program` → ProgramRules in the program
 * bucket; `product:<sku>` → Product in the program bucket (the product
 * tables); `member:<id>` → MemberRecord in the store bucket; `allowance` →
 * OfflineAllowance in the terminal bucket. Other keys are kept as sent.
 *
 * The legacy `program` rules are stored for the ledger's next start; the
 * programme's signed versions (`programme:<version>`) go to programme_version,
 * and the ledger prices each sale with the one in force at the sale's time
 * (programme/programme-book.ts).
 * A member deleted from the store bucket keeps its local record (the journal
 * names it); only its HQ balance is dropped.
 */
type Member = z.infer<typeof MemberRecord>;

export type PullOutcome =
  | { ok: true; appliedAt: number; members: number; balances: number; hqAppliedThroughSeq: number }
  | { ok: false; code: 'unreachable' | 'timeout' | 'garbage' | 'refused' | 'bad_signature' | 'invalid' | 'apply_failed'; message: string; retryAfterMs: number | null };

const STATE = {
  cookie: (bucket: Bucket) => `cookie:${bucket}`,
  program: 'program_rules',
  appliedThrough: 'hq_applied_through_seq',
  versions: 'app_versions',
  /** The pull's `update` (src/shared/updates/directive.ts), as HQ sent it; absent from an HQ without releases. */
  update: 'update_directive',
  hqTime: 'hq_time',
};

function readState(db: Db, key: string): string | null {
  return db.prepare<[string], { value: string }>('SELECT value FROM sync_state WHERE key = ?').get(key)?.value ?? null;
}

function writeState(db: Db, key: string, value: string): void {
  db.prepare('INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
}

export function pullCookies(db: Db): PullRequest['cookies'] {
  return { program: readState(db, STATE.cookie('program')), store: readState(db, STATE.cookie('store')), terminal: readState(db, STATE.cookie('terminal')) };
}

/** The program HQ sent last, for the next ledger start; null before the first pull. */
export function storedProgramRules(db: Db): unknown {
  const raw = readState(db, STATE.program);
  return raw === null ? null : (JSON.parse(raw) as unknown);
}

/** HQ's update directive from the last applied pull (checked with the pull); null when it sent none. */
export function storedUpdateDirective(db: Db): unknown {
  const raw = readState(db, STATE.update);
  return raw === null ? null : (JSON.parse(raw) as unknown);
}

export function storedAllowance(db: Db): OfflineAllowance | null {
  const raw = readState(db, ALLOWANCE_STATE_KEY);
  return raw === null ? null : OfflineAllowance.parse(JSON.parse(raw));
}

/** A member's points as the till should show them: HQ's chain-wide balance plus local postings HQ has not projected. */
/** HQ's chain-wide positions as the last pull left them, for the ledger (ledger/chain-view.ts). */
export function chainPositions(db: Db): ChainPositions {
  const read = db.prepare<[string], { balance: number; as_of_seq: number; lots: string }>('SELECT balance, as_of_seq, lots FROM sync_member_balance WHERE member_id = ?');
  return (memberId) => {
    const row = read.get(memberId);
    if (!row) return null;
    return { balance: row.balance, asOfSeq: row.as_of_seq, lots: JSON.parse(row.lots) as ChainPosition['lots'] };
  };
}

export function confirmedPoints(db: Db, ledger: Ledger, memberId: string): { hqBalance: number; localSince: number; total: number } | null {
  const row = db.prepare<[string], { balance: number; as_of_seq: number }>('SELECT balance, as_of_seq FROM sync_member_balance WHERE member_id = ?').get(memberId);
  if (!row) return null;
  const local =
    db
      .prepare<[string, number, number, string], { points: number | null }>(
        'SELECT sum(delta) AS points FROM ledger_posting WHERE terminal_id = ? AND epoch = ? AND seq > ? AND account = ?',
      )
      .get(ledger.terminalId, ledger.policy.epoch, row.as_of_seq, Accounts.points(memberId))?.points ?? 0;
  return { hqBalance: row.balance, localSince: local, total: row.balance + local };
}

interface Checked {
  response: PullResponse;
  program: unknown;
  members: Member[];
  /** Customer-value hints (`value:<memberId>` in the store bucket): kept in member_value_hint. */
  valueHints: MemberValueHint[];
  /** Members' tiers (`tier:<memberId>` in the store bucket): kept in member_tier (tiers/tier-store.ts). */
  tiers: MemberTier[];
  /** The product catalogue (`product:<sku>` in the program bucket): kept in the product tables (products/catalogue.ts). */
  products?: Product[];
  /** The programme's signed versions (`programme:<version>` in the program bucket): kept in programme_version (programme/programme-book.ts). */
  programmes?: ProgrammeVersion[];
  /** Consent histories (`consent:<id>`) and tombstones (`erased:<id>`) in the store bucket (privacy/erasure-pull.ts). */
  privacy?: PrivacyItem[];
  others: Array<{ bucket: Bucket; key: string; value: unknown }>;
}

/** Everything that can be refused is refused here, before a single row is written. */
export function checkPullResponse(body: unknown, enrolment: Enrolment): { ok: true; checked: Checked } | { ok: false; code: 'bad_signature' | 'invalid'; message: string } {
  const parsed = PullResponse.safeParse(body);
  if (!parsed.success) return { ok: false, code: 'invalid', message: `not a pull response: ${parsed.error.issues[0]?.message ?? ''}` };
  const response = parsed.data;
  if (response.keyId !== enrolment.hqKeyId || !verifySigned(enrolment.hqPublicKey, response)) {
    return { ok: false, code: 'bad_signature', message: 'pull response is not signed by the enrolled HQ key' };
  }
  const allowances = [response.allowance];
  let program: unknown = null;
  const members: Member[] = [];
  const valueHints: MemberValueHint[] = [];
  const tiers: MemberTier[] = [];
  const products: Product[] = [];
  const programmes: ProgrammeVersion[] = [];
  const privacy: PrivacyItem[] = [];
  const others: Checked['others'] = [];
  try {
    for (const patch of response.buckets) {
      for (const put of patch.puts) {
        if (patch.bucket === 'program' && put.key === 'program') {
          program = parseProgramRules(put.value);
        } else if (patch.bucket === 'store' && put.key.startsWith('member:')) {
          const member = MemberRecord.parse(put.value);
          if (put.key !== `member:${member.memberId}`) throw new Error(`${put.key} carries member ${member.memberId}`);
          members.push(member);
        } else if (patch.bucket === 'terminal' && put.key === 'allowance') {
          allowances.push(OfflineAllowance.parse(put.value));
        } else if (isProgrammeKey(patch.bucket, put.key)) {
          // HQ's signature on each version, as on the allowance: a bad one refuses the pull, the terminal keeps its programme.
          const programme = checkProgrammePut(put.key, put.value, enrolment);
          if (!programme.ok) return { ok: false, code: programme.code, message: programme.message };
          programmes.push(programme.version);
        } else if (isProductKey(patch.bucket, put.key)) {
          products.push(checkProductItem(put.key, put.value));
        } else if (isValueHintKey(patch.bucket, put.key)) {
          valueHints.push(checkValueHint(put.key, put.value));
        } else if (isTierKey(patch.bucket, put.key)) {
          tiers.push(checkTierItem(put.key, put.value));
        } else if (isPrivacyItem(patch.bucket, put.key)) {
          privacy.push(checkPrivacyItem(put.key, put.value));
        } else if (isIncidentItem(patch.bucket, put.key)) {
          // Customers' incidents from every store, the goodwill budget: kept as sent, once they are what they say.
          checkIncidentItem(put.key, put.value);
          others.push({ bucket: patch.bucket, key: put.key, value: put.value });
        } else {
          others.push({ bucket: patch.bucket, key: put.key, value: put.value });
        }
      }
    }
  } catch (error) {
    return { ok: false, code: 'invalid', message: `pull response content refused: ${error instanceof Error ? error.message : String(error)}` };
  }
  for (const a of allowances) {
    if (a.terminalId !== enrolment.terminalId || a.keyId !== enrolment.hqKeyId || !verifySigned(enrolment.hqPublicKey, a)) {
      return { ok: false, code: 'bad_signature', message: `allowance ${a.allowanceId} is not HQ's for this terminal` };
    }
  }
  return { ok: true, checked: { response, program, programmes, members, valueHints, tiers, products, privacy, others } };
}

/** Writes a member HQ sent into the member tables, names sealed and contact data hashed and masked (issue 17). Consents stay where they were given. */
function upsertMember(members: MemberStore, m: Member, now: number): void {
  members.upsertFromHq(m, now);
}

/** Applies a checked response in one transaction: all of it, or — if anything throws — none of it. */
export function applyPullResponse(db: Db, members: MemberStore, checked: Checked, now: number): void {
  const { response } = checked;
  // The store's transaction: a pull that fails after writing names has the name index read again.
  members.transaction(() => {
    if (checked.program !== null) writeState(db, STATE.program, JSON.stringify(checked.program));
    storeProgrammeVersions(db, checked.programmes ?? [], now);
    for (const m of checked.members) upsertMember(members, m, now);
    const putItem = db.prepare('INSERT INTO sync_bucket_item (bucket, key, value) VALUES (?, ?, ?) ON CONFLICT (bucket, key) DO UPDATE SET value = excluded.value');
    for (const item of checked.others) putItem.run(item.bucket, item.key, JSON.stringify(item.value ?? null));
    applyValueHints(db, checked.valueHints, response.buckets.filter((p) => p.bucket === 'store').flatMap((p) => p.deletes), now);
    applyTiers(db, checked.tiers, response.buckets.filter((p) => p.bucket === 'store').flatMap((p) => p.deletes), now);
    applyProducts(db, checked.products ?? [], response.buckets.filter((p) => p.bucket === 'program').flatMap((p) => p.deletes), now);
    for (const patch of response.buckets) {
      for (const key of patch.deletes) {
        if (patch.bucket === 'store' && key.startsWith('member:')) db.prepare('DELETE FROM sync_member_balance WHERE member_id = ?').run(key.slice('member:'.length));
        db.prepare('DELETE FROM sync_bucket_item WHERE bucket = ? AND key = ?').run(patch.bucket, key);
      }
      writeState(db, STATE.cookie(patch.bucket), patch.cookie);
    }
    const balance = db.prepare(
      `INSERT INTO sync_member_balance (member_id, balance, pending, lots, as_of_seq, received_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (member_id) DO UPDATE SET balance = excluded.balance, pending = excluded.pending, lots = excluded.lots,
         as_of_seq = excluded.as_of_seq, received_at = excluded.received_at`,
    );
    for (const b of response.balances) balance.run(b.memberId, b.balance, b.pending, JSON.stringify(b.lots), response.hqAppliedThroughSeq, now);
    storeAllowance(db, response.allowance);
    writeState(db, STATE.appliedThrough, String(response.hqAppliedThroughSeq));
    writeState(db, STATE.versions, JSON.stringify({ min: response.minAppVersion, recommended: response.recommendedAppVersion }));
    writeState(db, STATE.update, JSON.stringify(response.update ?? null));
    writeState(db, STATE.hqTime, String(response.hqTime));
    // HQ's incident facts read at once: the summaries of the members whose item this pull wrote.
    refreshStaleRelationships(db);
    // Consent changes made elsewhere, then erasures: a tombstone removes the person whatever else this pull wrote.
    applyPrivacyItems(db, members, checked.privacy ?? [], now);
    if (response.consentAcks) acknowledgeConsentChanges(db, response.consentAcks);
  });
}

export interface PullerOptions {
  db: Db;
  ledger: Ledger;
  members: MemberStore;
  transport: Transport;
  key: TerminalKey;
  enrolment: Enrolment;
  clock: Clock;
  hqClock: HqClock;
  random: Random;
  logger: Logger;
}

/** One pull at a time: a second call while one runs gets the same promise. */
export class Puller {
  private readonly flight = new SingleFlight(() => this.pullOnce());

  constructor(private readonly o: PullerOptions) {}

  get busy(): boolean {
    return this.flight.busy;
  }

  pull(): Promise<PullOutcome> {
    return this.flight.join();
  }

  private async pullOnce(): Promise<PullOutcome> {
    const { db, enrolment, clock } = this.o;
    const cookies = pullCookies(db);
    const ackedThroughSeq = this.o.ledger.ackCursor().seq;
    // Consent changes ride up with the pull until HQ's signed response acknowledges them.
    const consentChanges = pendingConsentChanges(db);
    const { result } = await postSigned(this.o, '/v1/pull', (stamp: Stamp): PullRequest => {
      const unsigned: Omit<PullRequest, 'signature'> = {
        protocolVersion: PROTOCOL_VERSION,
        terminalId: enrolment.terminalId,
        epoch: enrolment.epoch,
        cookies,
        ackedThroughSeq,
        ...(consentChanges.length > 0 ? { consentChanges } : {}),
        ...stamp,
        keyId: this.o.key.keyId,
      };
      return { ...unsigned, signature: this.o.key.sign(unsigned) };
    });
    if (result.kind === 'timeout') return { ok: false, code: 'timeout', message: 'HQ did not answer in time', retryAfterMs: null };
    if (result.kind === 'unreachable') return { ok: false, code: 'unreachable', message: result.detail, retryAfterMs: null };
    if (result.kind === 'garbage') return { ok: false, code: 'garbage', message: result.detail, retryAfterMs: result.retryAfterMs };
    if (result.status !== 200) return { ok: false, code: 'refused', message: `HQ answered ${result.status}: ${JSON.stringify(result.body).slice(0, 200)}`, retryAfterMs: result.retryAfterMs };
    const check = checkPullResponse(result.body, enrolment);
    if (!check.ok) {
      this.o.logger.error('sync pull refused, nothing applied', { code: check.code, message: check.message });
      return { ok: false, code: check.code, message: check.message, retryAfterMs: null };
    }
    this.o.hqClock.observe(check.checked.response.hqTime);
    const now = clock.now();
    try {
      applyPullResponse(db, this.o.members, check.checked, now);
    } catch (error) {
      this.o.logger.error('sync pull could not be applied, nothing applied', { error: String(error) });
      return { ok: false, code: 'apply_failed', message: String(error), retryAfterMs: null };
    }
    const { response } = check.checked;
    return { ok: true, appliedAt: now, members: check.checked.members.length, balances: response.balances.length, hqAppliedThroughSeq: response.hqAppliedThroughSeq };
  }
}
