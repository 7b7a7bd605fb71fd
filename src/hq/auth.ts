import { audit, HqError, type HqContext } from './context';
import { verifySignature } from './keys';
import { checkFresh } from './request-freshness';

export interface TerminalRow {
  terminal_id: string;
  store_id: string;
  public_key: string;
  key_id: string;
  status: string;
  epoch: number;
}

/** Every signed terminal request carries these (protocol.ts). */
export interface SignedTerminalRequest {
  terminalId: string;
  keyId: string;
  signature: string;
  sentAt: number;
  nonce: string;
}

/**
 * Checks that a signed request comes from an enrolled, active terminal with
 * its enrolled key, signed within the freshness window and never seen before
 * (request-freshness.ts). Refusals are thrown. Only a request whose signature
 * verified leaves a database row (an audit record of a revoked terminal or a
 * replay, under HQ's own terminal id): an unknown terminal or a bad signature
 * is counted by the route (request-guard.ts), never written — the terminal id
 * in it is whatever the sender chose.
 */
export async function authenticateTerminal(ctx: HqContext, action: string, request: SignedTerminalRequest, payload: unknown): Promise<TerminalRow> {
  const rows = await ctx.sql.query<TerminalRow>('SELECT terminal_id, store_id, public_key, key_id, status, epoch FROM terminal WHERE terminal_id = $1', [
    request.terminalId,
  ]);
  const terminal = rows[0];
  if (!terminal) throw new HqError('unknown_terminal', 401, `terminal ${request.terminalId} is not enrolled`);
  if (terminal.key_id !== request.keyId || !verifySignature(terminal.public_key, payload, request.signature)) {
    throw new HqError('bad_signature', 401, 'the signature does not verify with the enrolled key');
  }
  if (terminal.status === 'revoked') {
    const error = new HqError('revoked', 403, `terminal ${request.terminalId} is revoked`);
    await audit(ctx, ctx.sql, { terminalId: terminal.terminal_id, action, code: error.code, message: error.message });
    throw error;
  }
  await checkFresh(ctx, ctx.sql, action, terminal.terminal_id, request);
  await ctx.sql.query('UPDATE terminal SET last_contact_at = $2 WHERE terminal_id = $1', [request.terminalId, ctx.clock.now()]);
  return terminal;
}
