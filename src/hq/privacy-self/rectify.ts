import { Rectification, normalRectification } from '../../shared/contract/privacy-self';
import { nextChangeVersion, type HqContext } from '../context';
import { recordPrivacyAudit } from '../privacy/audit';
import { memberRecord, PrivacySelfError, selfActor } from './challenge';

/**
 * The member corrects their name, email and phone (issue 17 item 2). HQ
 * checks the values again whatever the terminal did: an invalid one refuses
 * the whole correction and nothing is written. The record gets a new pull
 * version, so every store's terminals re-hash and re-mask it at their next
 * pull; HQ's privacy audit names the fields changed, never their values.
 */
export async function rectifyMember(
  ctx: HqContext,
  terminalId: string,
  customerId: string,
  change: { firstName: string; lastName: string; email: string | null; phone: string | null },
  requestId: string,
): Promise<void> {
  const parsed = Rectification.safeParse({
    firstName: change.firstName,
    lastName: change.lastName,
    email: change.email ?? '',
    phone: change.phone ?? '',
  });
  if (!parsed.success) {
    throw new PrivacySelfError('invalid', 400, `not a valid correction: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const clean = normalRectification(parsed.data);
  await ctx.sql.transaction(async (tx) => {
    const record = await memberRecord(tx, customerId);
    if (!record) throw new PrivacySelfError('unknown_member', 404, 'HQ holds no record of this member');
    const version = await nextChangeVersion(tx);
    await tx.query('UPDATE member SET record = $2, change_version = $3 WHERE customer_id = $1', [customerId, JSON.stringify({ ...record, ...clean }), version]);
    await recordPrivacyAudit(ctx, tx, {
      customerId,
      ...selfActor(terminalId),
      action: 'rectify',
      requestId,
      detail: { fields: (['firstName', 'lastName', 'email', 'phone'] as const).filter((k) => record[k] !== clean[k]) },
    });
  });
}
