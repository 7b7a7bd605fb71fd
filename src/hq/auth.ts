import { audit, HqError, type HqContext } from './context';
import { verifySignature } from './keys';

export interface TerminalRow {
  terminal_id: string;
  store_id: string;
  public_key: string;
  key_id: string;
  status: string;
  epoch: number;
}

/**
 * Checks that a signed request comes from an enrolled, active terminal with
 * its enrolled key. A refusal is audited and thrown; nothing else is written.
 */
export async function authenticateTerminal(
  ctx: HqContext,
  action: string,
  request: { terminalId: string; keyId: string; signature: string },
  payload: unknown,
): Promise<TerminalRow> {
  const rows = await ctx.sql.query<TerminalRow>('SELECT terminal_id, store_id, public_key, key_id, status, epoch FROM terminal WHERE terminal_id = $1', [
    request.terminalId,
  ]);
  const terminal = rows[0];
  let failure: HqError | null = null;
  if (!terminal) failure = new HqError('unknown_terminal', 401, `terminal ${request.terminalId} is not enrolled`);
  else if (terminal.status === 'revoked') failure = new HqError('revoked', 403, `terminal ${request.terminalId} is revoked`);
  else if (terminal.key_id !== request.keyId || !verifySignature(terminal.public_key, payload, request.signature)) {
    failure = new HqError('bad_signature', 401, 'the signature does not verify with the enrolled key');
  }
  if (failure) {
    await audit(ctx, ctx.sql, { terminalId: request.terminalId, action, code: failure.code, message: failure.message });
    throw failure;
  }
  await ctx.sql.query('UPDATE terminal SET last_contact_at = $2 WHERE terminal_id = $1', [request.terminalId, ctx.clock.now()]);
  return terminal!;
}
