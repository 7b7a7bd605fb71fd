import { PROTOCOL_VERSION, type UpdateStatusRequest } from '../../../shared/sync/protocol';
import type { UpdateStatusReport } from '../../../shared/updates/directive';
import type { Sync } from '../sync/sync-service';

export type ReportOutcome = 'sent' | 'not-enrolled' | 'failed';

/**
 * POST /v1/updates/status: the report signed by this terminal's key with a
 * fresh stamp (sentAt in HQ's time, a nonce), like every terminal request.
 * HQ answers 204; the transport reads an empty body as « not JSON », which
 * for a 2xx is the answer expected, not garbage.
 */
export async function sendUpdateStatus(sync: Pick<Sync, 'signedPost'>, report: UpdateStatusReport): Promise<ReportOutcome> {
  const result = await sync.signedPost('/v1/updates/status', (stamp, key, enrolment): UpdateStatusRequest => {
    const unsigned: Omit<UpdateStatusRequest, 'signature'> = {
      protocolVersion: PROTOCOL_VERSION,
      terminalId: enrolment.terminalId,
      report,
      ...stamp,
      keyId: key.keyId,
    };
    return { ...unsigned, signature: key.sign(unsigned) };
  });
  if (result === null) return 'not-enrolled';
  const status = result.kind === 'answer' || result.kind === 'garbage' ? result.status : 0;
  return status >= 200 && status < 300 ? 'sent' : 'failed';
}
