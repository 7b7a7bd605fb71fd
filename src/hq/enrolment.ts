import { canonicalJson, sha256Hex } from '../main/core/ledger/canonical';
import { PROVISIONAL_GENESIS } from '../main/core/ledger/chain';
import type { EnrolmentReceipt, EnrolRequest } from '../shared/sync/protocol';
import { issueAllowance } from './allowance';
import { audit, HqError, type HqContext } from './context';
import { isRawEd25519 } from './keys';

const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const STORE_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

export interface EnrolCode {
  code: string;
  storeId: string;
  expiresAt: number;
}

/** A one-time code an IT operator gives the person installing a terminal in `storeId`. */
export async function createEnrolCode(ctx: HqContext, storeId: string, storeName = storeId): Promise<EnrolCode> {
  if (!STORE_ID.test(storeId)) throw new HqError('bad_input', 400, `invalid store id ${JSON.stringify(storeId)}`);
  // Unambiguous letters (no O/0, I/1), 15 characters from a 32-symbol alphabet: 75 bits.
  const bytes = ctx.random.bytes(15);
  const chars = Array.from(bytes, (b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join('');
  const code = `${chars.slice(0, 5)}-${chars.slice(5, 10)}-${chars.slice(10)}`;
  const now = ctx.clock.now();
  const expiresAt = now + ctx.policy.enrolCodeTtlMs;
  await ctx.sql.transaction(async (tx) => {
    await tx.query('INSERT INTO store (store_id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (store_id) DO NOTHING', [storeId, storeName, now]);
    await tx.query('INSERT INTO enrol_code (code, store_id, created_at, expires_at) VALUES ($1, $2, $3, $4)', [code, storeId, now, expiresAt]);
  });
  return { code, storeId, expiresAt };
}

/**
 * Registers a terminal (or re-enrols it into a new epoch) with a one-time
 * code, and answers with HQ's signed receipt: HQ's key, the genesis of the
 * epoch and the first offline allowance. Refusals leave an audit record.
 */
export async function enrol(ctx: HqContext, request: EnrolRequest): Promise<EnrolmentReceipt> {
  try {
    return await ctx.sql.transaction(async (tx) => {
      const now = ctx.clock.now();
      const codes = await tx.query<{ store_id: string; expires_at: number; used_at: number | null }>(
        'SELECT store_id, expires_at, used_at FROM enrol_code WHERE code = $1 FOR UPDATE',
        [request.code],
      );
      const code = codes[0];
      if (!code) throw new HqError('invalid_code', 403, 'unknown enrolment code');
      if (code.used_at !== null) throw new HqError('code_used', 403, 'this enrolment code has already been used');
      if (code.expires_at <= now) throw new HqError('code_expired', 403, 'this enrolment code has expired');
      if (code.store_id !== request.storeId) throw new HqError('store_mismatch', 403, `this code enrols a terminal of store ${code.store_id}`);
      if (!isRawEd25519(request.publicKey)) throw new HqError('malformed', 400, 'publicKey is not a raw Ed25519 public key');

      const existing = await tx.query<{ status: string; epoch: number; store_id: string }>(
        'SELECT status, epoch, store_id FROM terminal WHERE terminal_id = $1 FOR UPDATE',
        [request.terminalId],
      );
      const prior = existing[0];
      if (prior?.status === 'revoked') throw new HqError('revoked', 403, `terminal ${request.terminalId} is revoked`);
      // Re-enrolling (re-imaged, restored, replaced) always opens a new epoch: an old one is never continued.
      const epoch = prior ? prior.epoch + 1 : 1;
      const hqKeyId = ctx.key.keyId;
      const genesisHash = request.history ? adoptedGenesis(request, prior !== undefined) : issuedGenesis(ctx, request, epoch, now);

      await tx.query('UPDATE enrol_code SET used_at = $2, used_by = $3 WHERE code = $1', [request.code, now, request.terminalId]);
      await tx.query(
        `INSERT INTO terminal (terminal_id, store_id, public_key, key_id, app_version, status, epoch, enrolled_at, last_contact_at)
         VALUES ($1, $2, $3, $4, $5, 'active', $6, $7, $7)
         ON CONFLICT (terminal_id) DO UPDATE SET store_id = EXCLUDED.store_id, public_key = EXCLUDED.public_key, key_id = EXCLUDED.key_id,
           app_version = EXCLUDED.app_version, epoch = EXCLUDED.epoch, enrolled_at = EXCLUDED.enrolled_at, last_contact_at = EXCLUDED.last_contact_at`,
        [request.terminalId, request.storeId, request.publicKey, request.keyId, request.appVersion, epoch, now],
      );
      await tx.query(
        `INSERT INTO terminal_stream (terminal_id, epoch, genesis_hash, key_id, last_seq, last_hash, status, opened_at)
         VALUES ($1, $2, $3, $4, 0, $3, 'active', $5)`,
        [request.terminalId, epoch, genesisHash, request.keyId, now],
      );
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
    if (error instanceof HqError) {
      await audit(ctx, ctx.sql, { terminalId: request.terminalId, action: 'enrol', code: error.code, message: error.message, detail: { storeId: request.storeId } });
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
