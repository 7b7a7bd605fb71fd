import { canonicalJson, sha256Hex } from '../main/core/ledger/canonical';
import { PROVISIONAL_GENESIS } from '../main/core/ledger/chain';
import type { EnrolmentReceipt, EnrolRequest } from '../shared/sync/protocol';
import { issueAllowance } from './allowance';
import { audit, HqError, type HqContext } from './context';
import { isRawEd25519 } from './keys';

const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

export interface EnrolCode {
  code: string;
  storeId: string;
  terminalId: string;
  /** « Remplacer le terminal »: the code re-enrols a terminal HQ already knows (active or revoked), with a new key. */
  replace: boolean;
  expiresAt: number;
}

export interface EnrolCodeOptions {
  replace?: boolean;
  storeName?: string;
  /** Who asked (a staff account, `cli`): kept in the audit record. */
  by?: string;
}

/**
 * A one-time code an IT operator gives the person installing terminal
 * `terminalId` in store `storeId`: it enrols that terminal of that store and
 * nothing else, once, for policy.enrolCodeTtlMs. A terminal HQ already knows
 * — active, or revoked — is only enrolled again by a code made with
 * `replace` (« remplacer le terminal »): its old key stops working the moment
 * the new one is enrolled. Every code is audited, under its terminal.
 */
export async function createEnrolCode(ctx: HqContext, storeId: string, terminalId: string, options: EnrolCodeOptions = {}): Promise<EnrolCode> {
  if (!ID.test(storeId)) throw new HqError('bad_input', 400, `invalid store id ${JSON.stringify(storeId.slice(0, 64))}`);
  if (!ID.test(terminalId)) throw new HqError('bad_input', 400, `invalid terminal id ${JSON.stringify(terminalId.slice(0, 64))}`);
  const replace = options.replace === true;
  // Unambiguous letters (no O/0, I/1), 15 characters from a 32-symbol alphabet: 75 bits.
  const bytes = ctx.random.bytes(15);
  const chars = Array.from(bytes, (b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join('');
  const code = `${chars.slice(0, 5)}-${chars.slice(5, 10)}-${chars.slice(10)}`;
  const now = ctx.clock.now();
  const expiresAt = now + ctx.policy.enrolCodeTtlMs;
  await ctx.sql.transaction(async (tx) => {
    const known = await tx.query<{ status: string; store_id: string }>('SELECT status, store_id FROM terminal WHERE terminal_id = $1', [terminalId]);
    const prior = known[0];
    if (prior && !replace) {
      throw new HqError(
        'replace_required',
        409,
        `terminal ${terminalId} is already known to HQ (${prior.status}, store ${prior.store_id}): to enrol it again, create the code with replace (« remplacer le terminal »)`,
      );
    }
    if (!prior && replace) throw new HqError('unknown_terminal', 404, `terminal ${terminalId} is not known to HQ: there is nothing to replace, create the code without replace`);
    await tx.query('INSERT INTO store (store_id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (store_id) DO NOTHING', [storeId, options.storeName ?? storeId, now]);
    await tx.query('INSERT INTO enrol_code (code, store_id, terminal_id, replace, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)', [
      code,
      storeId,
      terminalId,
      replace,
      now,
      expiresAt,
    ]);
    await audit(ctx, tx, {
      terminalId,
      action: 'enrol_code',
      code: replace ? 'replace_code' : 'code',
      message: replace
        ? `code to replace terminal ${terminalId} (${prior!.status}, store ${prior!.store_id}) in store ${storeId}, valid until ${new Date(expiresAt).toISOString()}`
        : `enrolment code for terminal ${terminalId} in store ${storeId}, valid until ${new Date(expiresAt).toISOString()}`,
      detail: { storeId, replace, expiresAt, ...(options.by ? { by: options.by.slice(0, 64) } : {}) },
    });
  });
  return { code, storeId, terminalId, replace, expiresAt };
}

interface CodeRow {
  store_id: string;
  terminal_id: string | null;
  replace: boolean;
  expires_at: number;
  used_at: number | null;
}

/** Why this code does not enrol this request, or null. */
function codeProblem(code: CodeRow, request: EnrolRequest, now: number): HqError | null {
  if (code.used_at !== null) return new HqError('code_used', 403, 'this enrolment code has already been used');
  if (code.expires_at <= now) return new HqError('code_expired', 403, 'this enrolment code has expired');
  if (code.terminal_id !== request.terminalId) return new HqError('terminal_mismatch', 403, `this code enrols terminal ${code.terminal_id}, not this one`);
  if (code.store_id !== request.storeId) return new HqError('store_mismatch', 403, `this code enrols a terminal of store ${code.store_id}`);
  return null;
}

/**
 * Registers a terminal (or re-enrols it into a new epoch) with a one-time
 * code, and answers with HQ's signed receipt: HQ's key, the genesis of the
 * epoch and the first offline allowance. A refusal is audited only when the
 * code is one HQ issued (under the code's terminal); a code HQ never issued
 * writes nothing — the route counts it against the sender's address.
 */
export async function enrol(ctx: HqContext, request: EnrolRequest): Promise<EnrolmentReceipt> {
  let issuedFor: string | null = null;
  try {
    return await ctx.sql.transaction(async (tx) => {
      const now = ctx.clock.now();
      const codes = await tx.query<CodeRow>('SELECT store_id, terminal_id, replace, expires_at, used_at FROM enrol_code WHERE code = $1 FOR UPDATE', [request.code]);
      const code = codes[0];
      // Codes made before codes named their terminal enrol nothing, like a code never issued.
      if (!code || code.terminal_id === null) throw new HqError('invalid_code', 403, 'unknown enrolment code');
      issuedFor = code.terminal_id;
      const problem = codeProblem(code, request, now);
      if (problem) throw problem;
      if (!isRawEd25519(request.publicKey)) throw new HqError('malformed', 400, 'publicKey is not a raw Ed25519 public key');

      const existing = await tx.query<{ status: string; epoch: number; store_id: string; key_id: string }>(
        'SELECT status, epoch, store_id, key_id FROM terminal WHERE terminal_id = $1 FOR UPDATE',
        [request.terminalId],
      );
      const prior = existing[0];
      if (prior && !code.replace) {
        if (prior.status === 'revoked') throw new HqError('revoked', 403, `terminal ${request.terminalId} is revoked: only a « replace » code from IT enrols it again`);
        throw new HqError('replace_required', 409, `terminal ${request.terminalId} is already enrolled: only a « replace » code from IT enrols it again`);
      }
      // Re-enrolling (re-imaged, restored, replaced) always opens a new epoch: an old one is never continued.
      const epoch = prior ? prior.epoch + 1 : 1;
      const hqKeyId = ctx.key.keyId;
      const genesisHash = request.history ? adoptedGenesis(request, prior !== undefined) : issuedGenesis(ctx, request, epoch, now);

      await tx.query('UPDATE enrol_code SET used_at = $2, used_by = $3 WHERE code = $1', [request.code, now, request.terminalId]);
      await tx.query(
        `INSERT INTO terminal (terminal_id, store_id, public_key, key_id, app_version, status, epoch, enrolled_at, last_contact_at)
         VALUES ($1, $2, $3, $4, $5, 'active', $6, $7, $7)
         ON CONFLICT (terminal_id) DO UPDATE SET store_id = EXCLUDED.store_id, public_key = EXCLUDED.public_key, key_id = EXCLUDED.key_id,
           app_version = EXCLUDED.app_version, status = 'active', revoked_at = NULL, epoch = EXCLUDED.epoch, enrolled_at = EXCLUDED.enrolled_at,
           last_contact_at = EXCLUDED.last_contact_at`,
        [request.terminalId, request.storeId, request.publicKey, request.keyId, request.appVersion, epoch, now],
      );
      await tx.query(
        `INSERT INTO terminal_stream (terminal_id, epoch, genesis_hash, key_id, last_seq, last_hash, status, opened_at)
         VALUES ($1, $2, $3, $4, 0, $3, 'active', $5)`,
        [request.terminalId, epoch, genesisHash, request.keyId, now],
      );
      if (prior) {
        await audit(ctx, tx, {
          terminalId: request.terminalId,
          action: 'enrol',
          code: 'replaced',
          message: `terminal ${request.terminalId} replaced with a « replace » code: was ${prior.status} in store ${prior.store_id}, epoch ${prior.epoch} key ${prior.key_id}; now store ${request.storeId}, epoch ${epoch} key ${request.keyId}`,
          detail: { previous: { status: prior.status, storeId: prior.store_id, epoch: prior.epoch, keyId: prior.key_id }, storeId: request.storeId, epoch, keyId: request.keyId },
        });
      }
      const allowance = await issueAllowance(ctx, tx, request.terminalId);
      const unsigned = {
        terminalId: request.terminalId,
        storeId: request.storeId,
        terminalKeyId: request.keyId,
        epoch,
        genesisHash,
        hqPublicKey: ctx.key.publicKey,
        allowance,
        issuedAt: now,
        keyId: hqKeyId,
      };
      return { ...unsigned, signature: ctx.key.sign(unsigned) };
    });
  } catch (error) {
    if (error instanceof HqError && issuedFor !== null) {
      await audit(ctx, ctx.sql, {
        terminalId: issuedFor,
        action: 'enrol',
        code: error.code,
        message: error.message,
        detail: { storeId: request.storeId, terminalId: request.terminalId },
      });
    }
    throw error;
  }
}

function issuedGenesis(ctx: HqContext, request: EnrolRequest, epoch: number, now: number): string {
  const nonce = Buffer.from(ctx.random.bytes(16)).toString('hex');
  return sha256Hex(
    `fidele/genesis/v1\n${canonicalJson({ terminalId: request.terminalId, storeId: request.storeId, epoch, publicKey: request.publicKey, keyId: request.keyId, hqKeyId: ctx.key.keyId, issuedAt: now, nonce })}`,
  );
}

/**
 * A terminal that sold before its first enrolment keeps its history: HQ
 * takes the provisional genesis as epoch 1's, and the entries come in signed
 * batches like any other, verified link by link from that genesis. A history
 * is only adopted once, for a terminal HQ has never seen: a re-enrolled
 * terminal opens a new epoch and cannot carry an old stream into it.
 */
function adoptedGenesis(request: EnrolRequest, known: boolean): string {
  const history = request.history!;
  if (known) throw new HqError('history_refused', 409, `terminal ${request.terminalId} is already known to HQ: a journal kept before enrolment can only be adopted at the first enrolment`);
  if (history.genesisHash !== PROVISIONAL_GENESIS) throw new HqError('history_refused', 409, 'the journal kept before enrolment does not start from the provisional genesis');
  return PROVISIONAL_GENESIS;
}

/** Revokes a terminal: every later push, pull or hold with its key is refused. */
export async function revoke(ctx: HqContext, terminalId: string, reason = 'revoked by an operator'): Promise<boolean> {
  const rows = await ctx.sql.query<{ terminal_id: string }>(
    "UPDATE terminal SET status = 'revoked', revoked_at = $2 WHERE terminal_id = $1 AND status = 'active' RETURNING terminal_id",
    [terminalId, ctx.clock.now()],
  );
  if (rows.length > 0) await audit(ctx, ctx.sql, { terminalId, action: 'revoke', code: 'revoked', message: reason });
  return rows.length > 0;
}
