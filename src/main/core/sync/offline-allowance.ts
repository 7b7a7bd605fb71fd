import type { Db } from '../db/database';
import type { OfflineLimits, OfflineLimitsProvider, OfflineLimitsRefusal } from '../ledger/offline';
import { OfflineAllowance } from '../../../shared/sync/protocol';
import { ALLOWANCE_STATE_KEY, currentEnrolment, type Enrolment } from './enrolment';
import { verifySigned } from './signing';

/**
 * The ledger's offline limits from HQ's signed allowance (sync-ledger.md §2.7),
 * as the `offlineLimits` provider of createLedger. Before enrolment the
 * configured limits apply; once enrolled, only the stored allowance counts,
 * and only if it verifies with the pinned HQ key and names this terminal —
 * a stored allowance that does not (edited by hand, or missing) allows no
 * offline redemption at all rather than falling back to configuration, which
 * an attacker with the file could otherwise raise. Its expiry is checked by
 * the ledger at each redemption (OfflineLimits.expiresAt).
 */
function limitsFromAllowance(allowance: OfflineAllowance): OfflineLimits {
  return {
    maxPointsPerTransaction: allowance.maxPointsPerTransaction,
    maxPointsPerMemberPerSession: allowance.maxPointsPerCustomerPerSession,
    maxPointsPerTerminalSession: allowance.maxPointsTotal,
    maxOfflineDurationMs: allowance.maxOfflineDurationMs,
    allowanceId: allowance.allowanceId,
    expiresAt: allowance.expiresAt,
  };
}

/** Checks a stored allowance against the enrolment: the limits, or why there are none. */
function checkStoredAllowance(raw: string | null, enrolment: Enrolment): OfflineLimits | OfflineLimitsRefusal {
  if (raw === null) return { refused: 'no_allowance', message: 'no HQ offline allowance is stored on this terminal' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { refused: 'invalid_allowance', message: 'the stored HQ offline allowance is not JSON' };
  }
  const allowance = OfflineAllowance.safeParse(parsed);
  if (!allowance.success) return { refused: 'invalid_allowance', message: 'the stored HQ offline allowance is malformed' };
  const a = allowance.data;
  if (a.terminalId !== enrolment.terminalId) return { refused: 'invalid_allowance', message: `the stored HQ offline allowance is for terminal ${a.terminalId}` };
  if (a.keyId !== enrolment.hqKeyId || !verifySigned(enrolment.hqPublicKey, a)) {
    return { refused: 'invalid_allowance', message: `the stored HQ offline allowance ${a.allowanceId} is not signed by the enrolled HQ key` };
  }
  return limitsFromAllowance(a);
}

export function allowanceLimitsProvider(o: { db: Db; terminalId: string; beforeEnrolment: () => OfflineLimits }): OfflineLimitsProvider {
  const read = o.db.prepare<[string], { value: string }>('SELECT value FROM sync_state WHERE key = ?');
  let enrolment: Enrolment | null = null;
  // Verifying a signature at every preview would be wasted work: the result changes only with the stored text.
  let cache: { raw: string | null; result: OfflineLimits | OfflineLimitsRefusal } | null = null;
  return () => {
    enrolment ??= currentEnrolment(o.db, o.terminalId);
    if (!enrolment) return o.beforeEnrolment();
    const raw = read.get(ALLOWANCE_STATE_KEY)?.value ?? null;
    if (!cache || cache.raw !== raw) cache = { raw, result: checkStoredAllowance(raw, enrolment) };
    return cache.result;
  };
}
