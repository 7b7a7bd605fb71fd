import type { HqContext } from '../context';
import { recordPrivacyAudit } from '../privacy/audit';
import { newToken, PrivacySelfError, selfActor, tokenHash } from './challenge';
import { consentHistory, memberData, pointsMovements } from './member-data';
import { zipStored } from './zip';

/**
 * The member's export (issue 17 item 2, the right to portability): a ZIP of
 * one JSON file with everything and CSV files a spreadsheet opens, fetched
 * through a link the customer screen shows as a QR code.
 *
 * The link's token is 32 random bytes; HQ keeps only its hash. It serves once
 * and for EXPORT_TTL_MS. The archive is built when the link is opened and
 * never stored: nothing of the member waits on HQ's disk for a phone that may
 * never come, and what is downloaded is current. An unknown (forged) token is
 * 404, a used or expired one 410: the screen can say to ask for a new one.
 */
export const EXPORT_TTL_MS = 15 * 60_000;

export async function createExportLink(ctx: HqContext, terminalId: string, customerId: string, requestId: string): Promise<{ token: string; expiresAt: number }> {
  const now = ctx.clock.now();
  const token = newToken(ctx);
  await ctx.sql.query('INSERT INTO privacy_export_link (token_hash, customer_id, created_at, expires_at) VALUES ($1, $2, $3, $4)', [
    tokenHash(token),
    customerId,
    now,
    now + EXPORT_TTL_MS,
  ]);
  await recordPrivacyAudit(ctx, ctx.sql, { customerId, ...selfActor(terminalId), action: 'export', requestId, detail: { step: 'link_issued', expiresAt: now + EXPORT_TTL_MS } });
  return { token, expiresAt: now + EXPORT_TTL_MS };
}

/** Spends the link and answers the archive; refuses a forged, used or expired one, spending nothing. */
export async function openExport(ctx: HqContext, token: string): Promise<{ fileName: string; archive: Buffer }> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) throw new PrivacySelfError('unknown_link', 404, 'no such export link');
  const now = ctx.clock.now();
  const customerId = await ctx.sql.transaction(async (tx) => {
    const rows = await tx.query<{ customer_id: string; expires_at: number; used_at: number | null }>(
      'SELECT customer_id, expires_at, used_at FROM privacy_export_link WHERE token_hash = $1 FOR UPDATE',
      [tokenHash(token)],
    );
    const link = rows[0];
    if (!link) throw new PrivacySelfError('unknown_link', 404, 'no such export link');
    if (link.used_at !== null) throw new PrivacySelfError('link_used', 410, 'this export link was already used');
    if (link.expires_at <= now) throw new PrivacySelfError('link_expired', 410, 'this export link has expired');
    await tx.query('UPDATE privacy_export_link SET used_at = $2 WHERE token_hash = $1', [tokenHash(token), now]);
    return link.customer_id;
  });
  const archive = await buildArchive(ctx, customerId, now);
  await recordPrivacyAudit(ctx, ctx.sql, { customerId, actor: 'export-link', actorRole: 'customer', action: 'export', detail: { step: 'downloaded' } });
  return { fileName: `fidele-mes-donnees-${new Date(now).toISOString().slice(0, 10)}.zip`, archive };
}

/** A CSV field: quoted when needed, and a leading =, +, - or @ neutralised so a spreadsheet never runs it as a formula. */
function field(value: unknown): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** RFC 4180 rows with CRLF, a BOM so spreadsheets read UTF-8 (accents in names). */
export function csv(header: readonly string[], rows: ReadonlyArray<readonly unknown[]>): string {
  return `\ufeff${[header, ...rows].map((r) => r.map(field).join(',')).join('\r\n')}\r\n`;
}

const iso = (ms: number | null) => (ms === null ? '' : new Date(ms).toISOString());

export async function buildArchive(ctx: HqContext, customerId: string, now: number): Promise<Buffer> {
  const data = await memberData(ctx, customerId);
  const consents = await consentHistory(ctx.sql, customerId);
  const movements = await pointsMovements(ctx.sql, customerId);
  const everything = { exportedAt: iso(now), memberId: customerId, ...data, consentHistory: consents, pointsMovements: movements };
  const id = data.identity;
  return zipStored(
    [
      { name: 'fidele-donnees.json', content: `${JSON.stringify(everything, null, 2)}\n` },
      {
        name: 'identite.csv',
        content: csv(
          ['member_id', 'first_name', 'last_name', 'email', 'phone', 'language', 'cards', 'member_since', 'balance_points', 'visits', 'last_visit', 'tier', 'segment'],
          [[customerId, id.firstName, id.lastName, id.email, id.phone, id.locale, id.cards.join(' '), iso(id.createdAt), data.balance, data.visits.count, iso(data.visits.last), data.tier, data.segment]],
        ),
      },
      {
        name: 'consentements.csv',
        content: csv(['purpose', 'granted', 'wording_version', 'recorded_at', 'source'], consents.map((c) => [c.purpose, c.granted, c.wordingVersion, iso(c.recordedAt), c.source])),
      },
      { name: 'points.csv', content: csv(['at', 'kind', 'points', 'terminal'], movements.map((m) => [iso(m.at), m.kind, m.points, m.store])) },
      { name: 'incidents.csv', content: csv(['opened_at', 'kind', 'status', 'store'], data.incidents.map((i) => [iso(i.openedAt), i.kind, i.status, i.storeId])) },
    ],
    new Date(now),
  );
}
