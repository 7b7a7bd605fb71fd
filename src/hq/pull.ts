import type { z } from 'zod';
import { signingPayload, type MemberBalance, type PullRequest, type PullResponse } from '../shared/sync/protocol';
import { currentAllowance } from './allowance';
import { authenticateTerminal } from './auth';
import { audit, HqError, type HqContext } from './context';
import { releaseExpiredHolds } from './holds';
import { goodwillPuts, relationshipPuts } from './customer-incidents';
import { valueHintPatch } from './value/value-hints';
import { valueScheduler } from './value/value-scheduler';
import { pullVersions } from './updates/directive';
import { tierPatch } from './programme/tier-pull';
import { productPatch } from './products/catalogue';
import { programmePuts, refreshLegacyProgram } from './programme/programme-store';
import { causePuts } from './social/causes';
import { consentPatch, recordConsentChanges, tombstonePatch } from './privacy/consent-sync';

/**
 * Pull (sync-ledger.md §2.5): one patch per bucket since the terminal's
 * cookie, read in one snapshot. A cookie is the change version the patch is
 * complete through (`v<n>`); null or unreadable means a full snapshot.
 * Program for everyone; the store's members with their chain-wide balances
 * and lots; the terminal's allowance. Signed by HQ.
 */
const COOKIE = /^v(\d{1,15})$/;

function since(cookie: string | null): number {
  const m = cookie === null ? null : COOKIE.exec(cookie);
  return m ? Number(m[1]) : 0;
}

export async function pull(ctx: HqContext, request: PullRequest): Promise<PullResponse> {
  const terminal = await authenticateTerminal(ctx, 'pull', request, signingPayload(request));
  if (request.epoch !== terminal.epoch) {
    const error = new HqError('unknown_terminal', 409, `epoch ${request.epoch} is not the current epoch ${terminal.epoch} of ${request.terminalId}`);
    await audit(ctx, ctx.sql, { terminalId: request.terminalId, action: 'pull', code: error.code, message: error.message });
    throw error;
  }
  await releaseExpiredHolds(ctx);
  // A version coming into force reaches older terminals' `program` key (programme/programme-store.ts).
  await refreshLegacyProgram(ctx);
  const allowance = await currentAllowance(ctx, request.terminalId);
  // The terminal's consent changes, recorded before the snapshot is read (privacy/consent-sync.ts).
  const consentAcks = await recordConsentChanges(ctx, request.terminalId, request.consentChanges ?? []);

  const body = await ctx.sql.transaction(
    async (tx) => {
      const counter = await tx.query<{ value: number }>("SELECT value FROM change_counter WHERE name = 'pull'");
      const cookie = `v${counter[0]!.value}`;
      const programSince = since(request.cookies.program);
      const storeSince = since(request.cookies.store);
      const terminalSince = since(request.cookies.terminal);

      const program = await tx.query<{ rules: unknown }>("SELECT rules FROM program WHERE program_id = 'default' AND change_version > $1", [programSince]);
      // The product catalogue rides in the program bucket, `product:<sku>` each; withdrawn products as deletes (products/catalogue.ts).
      const products = await productPatch(tx, programSince);
      // The programme's signed versions in force or to come, `programme:<version>` each (programme/programme-store.ts).
      const programmes = await programmePuts(tx, programSince, ctx.clock.now());
      // Causes with their chain-wide totals, `cause:<id>` each (social/causes.ts).
      const causes = await causePuts(tx, programSince, ctx.clock.now());
      const members = await tx.query<{ customer_id: string; record: unknown }>(
        `SELECT m.customer_id, m.record FROM member m JOIN member_store s ON s.customer_id = m.customer_id
         WHERE s.store_id = $1 AND (m.change_version > $2 OR s.linked_version > $2) ORDER BY m.customer_id`,
        [terminal.store_id, storeSince],
      );
      const allowanceChanged = await tx.query<{ terminal_id: string }>('SELECT terminal_id FROM allowance WHERE terminal_id = $1 AND change_version > $2', [
        request.terminalId,
        terminalSince,
      ]);
      const ids = members.map((m) => m.customer_id);
      const balances = await tx.query<{ customer_id: string; balance: number }>(
        'SELECT customer_id, balance FROM account_balance WHERE customer_id = ANY($1::text[]) AND account = $2 || customer_id || $3',
        [ids, 'member:', ':points'],
      );
      const pending = await tx.query<{ customer_id: string; pending: number }>(
        "SELECT customer_id, sum(points)::bigint AS pending FROM hold WHERE customer_id = ANY($1::text[]) AND status = 'pending' GROUP BY customer_id",
        [ids],
      );
      const lots = await tx.query<{ customer_id: string; expires_on: string; points: number }>(
        `SELECT customer_id, expires_on, sum(remaining)::bigint AS points FROM lot
         WHERE customer_id = ANY($1::text[]) AND remaining > 0 GROUP BY customer_id, expires_on ORDER BY customer_id, expires_on`,
        [ids],
      );
      const stream = await tx.query<{ applied_through_seq: number }>('SELECT applied_through_seq FROM terminal_stream WHERE terminal_id = $1 AND epoch = $2', [
        request.terminalId,
        request.epoch,
      ]);

      const balanceOf = new Map(balances.map((b) => [b.customer_id, b.balance]));
      const pendingOf = new Map(pending.map((p) => [p.customer_id, p.pending]));
      const memberBalances: Array<z.infer<typeof MemberBalance>> = ids.map((id) => ({
        memberId: id,
        balance: balanceOf.get(id) ?? 0,
        pending: pendingOf.get(id) ?? 0,
        lots: lots.filter((l) => l.customer_id === id).map((l) => ({ expiresOn: l.expires_on, points: l.points })),
      }));
      // Customers' incidents from every store and the store's goodwill budget ride in the store bucket (customer-incidents.ts).
      const incidentPuts = [...(await relationshipPuts(tx, ids, ctx.clock.now())), ...(await goodwillPuts(tx, terminal.store_id, storeSince))];
      // Segments and P(alive) of the store's members who agreed to profiling (value/value-hints.ts).
      const value = await valueHintPatch(tx, terminal.store_id, storeSince, valueScheduler(ctx).config);
      // Each member's tier and the way to the next, from the nightly ranking (programme/tier-pull.ts).
      const tiers = await tierPatch(tx, terminal.store_id, storeSince);
      // Consent histories changed at any terminal, and every erasure's tombstone (privacy/consent-sync.ts).
      const privacy = [...(await consentPatch(tx, terminal.store_id, storeSince)), ...(await tombstonePatch(tx, storeSince))];
      return {
        buckets: [
          {
            bucket: 'program' as const,
            cookie,
            puts: [...program.map((p) => ({ key: 'program', value: p.rules as unknown })), ...programmes, ...causes, ...products.puts],
            deletes: products.deletes,
          },
          {
            bucket: 'store' as const,
            cookie,
            puts: [...members.filter((m) => m.record !== null).map((m) => ({ key: `member:${m.customer_id}`, value: m.record as unknown })), ...incidentPuts, ...value.puts, ...tiers.puts, ...privacy],
            deletes: value.deletes,
          },
          { bucket: 'terminal' as const, cookie, puts: allowanceChanged.length > 0 ? [{ key: 'allowance', value: allowance }] : [], deletes: [] },
        ],
        hqAppliedThroughSeq: stream[0]?.applied_through_seq ?? 0,
        balances: memberBalances,
      };
    },
    { readOnly: true },
  );
  // Versions and this terminal's update directive, from IT's releases and rollouts (updates/directive.ts).
  const versions = await pullVersions(ctx, request.terminalId);
  const unsigned = {
    ...body,
    allowance,
    ...versions,
    ...(consentAcks.length > 0 ? { consentAcks } : {}),
    hqTime: ctx.clock.now(),
    keyId: ctx.key.keyId,
  };
  return { ...unsigned, signature: ctx.key.sign(unsigned) };
}
