import type { Locale } from '../shared/contract';
import { translateHq } from '../shared/i18n/hq';
import { entryHash } from '../main/core/ledger/chain';
import type { WireEntry } from '../shared/sync/protocol';
import type { HqContext } from './context';
import { SKEW_FLAG_MS, toEntry } from './ingest';
import { escapeHtml as escape, staffHead, staffHeader, type Viewer } from './staff/pages';

/** What IT staff see of the fleet: terminals, streams, backlogs, freezes, refusals. */
export interface FleetTerminal {
  terminalId: string;
  storeId: string;
  status: 'active' | 'revoked';
  appVersion: string;
  epoch: number;
  enrolledAt: number;
  lastContactAt: number | null;
  revokedAt: number | null;
  /** HQ's cursor on the current epoch. */
  lastSeq: number;
  appliedThroughSeq: number;
  /** What the terminal said it still had to send (head − cursor), when it said. */
  backlog: number | null;
  streamStatus: 'active' | 'frozen';
  frozenReason: string | null;
  skewMs: number | null;
}

export interface FrozenStream {
  terminalId: string;
  epoch: number;
  lastSeq: number;
  reason: string | null;
  frozenAt: number | null;
}

export interface AuditRow {
  terminalId: string;
  at: number;
  action: string;
  code: string;
  message: string;
}

export async function listTerminals(ctx: HqContext): Promise<FleetTerminal[]> {
  const rows = await ctx.sql.query<{
    terminal_id: string;
    store_id: string;
    status: 'active' | 'revoked';
    app_version: string;
    epoch: number;
    enrolled_at: number;
    last_contact_at: number | null;
    revoked_at: number | null;
    head_seq: number | null;
    last_seq: number | null;
    applied_through_seq: number | null;
    stream_status: 'active' | 'frozen' | null;
    frozen_reason: string | null;
    skew_ms: number | null;
  }>(
    `SELECT t.terminal_id, t.store_id, t.status, t.app_version, t.epoch, t.enrolled_at, t.last_contact_at, t.revoked_at, t.head_seq,
            s.last_seq, s.applied_through_seq, s.status AS stream_status, s.frozen_reason, s.skew_ms
     FROM terminal t LEFT JOIN terminal_stream s ON s.terminal_id = t.terminal_id AND s.epoch = t.epoch
     ORDER BY t.store_id, t.terminal_id`,
  );
  return rows.map((r) => ({
    terminalId: r.terminal_id,
    storeId: r.store_id,
    status: r.status,
    appVersion: r.app_version,
    epoch: r.epoch,
    enrolledAt: r.enrolled_at,
    lastContactAt: r.last_contact_at,
    revokedAt: r.revoked_at,
    lastSeq: r.last_seq ?? 0,
    appliedThroughSeq: r.applied_through_seq ?? 0,
    backlog: r.head_seq === null ? null : Math.max(0, r.head_seq - (r.last_seq ?? 0)),
    streamStatus: r.stream_status ?? 'active',
    frozenReason: r.frozen_reason,
    skewMs: r.skew_ms,
  }));
}

export async function frozenStreams(ctx: HqContext): Promise<FrozenStream[]> {
  const rows = await ctx.sql.query<{ terminal_id: string; epoch: number; last_seq: number; frozen_reason: string | null; frozen_at: number | null }>(
    "SELECT terminal_id, epoch, last_seq, frozen_reason, frozen_at FROM terminal_stream WHERE status = 'frozen' ORDER BY frozen_at DESC",
  );
  return rows.map((r) => ({ terminalId: r.terminal_id, epoch: r.epoch, lastSeq: r.last_seq, reason: r.frozen_reason, frozenAt: r.frozen_at }));
}

export async function auditLog(ctx: HqContext, limit = 100, terminalId?: string): Promise<AuditRow[]> {
  const rows = await ctx.sql.query<{ terminal_id: string; at: number; action: string; code: string; message: string }>(
    `SELECT terminal_id, at, action, code, message FROM audit WHERE ($2::text IS NULL OR terminal_id = $2) ORDER BY at DESC, audit_id DESC LIMIT $1`,
    [limit, terminalId ?? null],
  );
  return rows.map((r) => ({ terminalId: r.terminal_id, at: r.at, action: r.action, code: r.code, message: r.message }));
}

export interface StreamVerification {
  epoch: number;
  entries: number;
  lastSeq: number;
  problems: string[];
}

/** Re-verifies a terminal's streams at HQ: gapless seq, links from the genesis, every hash, the cursor. */
export async function verifyTerminal(ctx: HqContext, terminalId: string): Promise<{ ok: boolean; streams: StreamVerification[] }> {
  const streams = await ctx.sql.query<{ epoch: number; genesis_hash: string; last_seq: number; last_hash: string }>(
    'SELECT epoch, genesis_hash, last_seq, last_hash FROM terminal_stream WHERE terminal_id = $1 ORDER BY epoch',
    [terminalId],
  );
  const result: StreamVerification[] = [];
  for (const s of streams) {
    const problems: string[] = [];
    let prev = s.genesis_hash;
    let expected = 1;
    const CHUNK = 1000;
    for (;;) {
      const rows = await ctx.sql.query<{ seq: number; entry: WireEntry; prev_hash: string; entry_hash: string }>(
        'SELECT seq, entry, prev_hash, entry_hash FROM journal_entry WHERE terminal_id = $1 AND epoch = $2 AND seq >= $3 ORDER BY seq LIMIT $4',
        [terminalId, s.epoch, expected, CHUNK],
      );
      for (const r of rows) {
        if (r.seq !== expected) problems.push(`seq ${expected} missing (next is ${r.seq})`);
        if (r.prev_hash !== prev) problems.push(`seq ${r.seq}: prev_hash does not link`);
        let recomputed = '';
        try {
          recomputed = entryHash(toEntry(r.entry), r.prev_hash);
        } catch (error) {
          problems.push(`seq ${r.seq}: ${(error as Error).message}`);
        }
        if (recomputed !== r.entry_hash || r.entry.entry_hash !== r.entry_hash) problems.push(`seq ${r.seq}: hash does not match content`);
        prev = r.entry_hash;
        expected = r.seq + 1;
      }
      if (rows.length < CHUNK) break;
    }
    if (expected - 1 !== s.last_seq) problems.push(`cursor at ${s.last_seq} but journal ends at ${expected - 1}`);
    else if (prev !== s.last_hash) problems.push('cursor hash is not the last entry hash');
    result.push({ epoch: s.epoch, entries: expected - 1, lastSeq: s.last_seq, problems });
  }
  return { ok: result.every((r) => r.problems.length === 0), streams: result };
}

function when(locale: Locale, ms: number | null): string {
  if (ms === null) return translateHq(locale, 'hq.fleet.never');
  return new Intl.DateTimeFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', { dateStyle: 'short', timeStyle: 'medium', timeZone: 'Europe/Paris' }).format(new Date(ms));
}

/** The /fleet page for signed-in staff: plain HTML, HQ's stylesheet, no script. */
export async function fleetPage(ctx: HqContext, locale: Locale, viewer: Viewer): Promise<string> {
  const t = (key: string) => escape(translateHq(locale, key));
  const terminals = await listTerminals(ctx);
  const frozen = await frozenStreams(ctx);
  const audits = await auditLog(ctx, 50);
  const cell = (v: string) => `<td>${escape(v)}</td>`;
  // Seconds are enough to see a clock off by minutes, a day or a year; beyond the threshold it is marked.
  const skewCell = (ms: number | null) =>
    ms === null ? cell('–') : `<td class="${Math.abs(ms) > SKEW_FLAG_MS ? 'skewed' : ''}">${escape(`${ms > 0 ? '−' : '+'}${Math.round(Math.abs(ms) / 1000)} s`)}</td>`;
  const terminalRows = terminals
    .map((x) => {
      const status = x.status === 'revoked' ? 'revoked' : x.streamStatus === 'frozen' ? 'frozen' : 'active';
      return `<tr class="${status}">${cell(x.terminalId)}${cell(x.storeId)}${cell(x.appVersion)}${cell(when(locale, x.lastContactAt))}${cell(String(x.lastSeq))}${cell(
        x.backlog === null ? translateHq(locale, 'hq.fleet.unknown') : String(x.backlog),
      )}${skewCell(x.skewMs)}<td>${t(`hq.fleet.status.${status}`)}</td></tr>`;
    })
    .join('');
  const frozenRows = frozen.map((f) => `<tr>${cell(`${f.terminalId}/${f.epoch}`)}${cell(String(f.lastSeq))}${cell(f.reason ?? '')}${cell(when(locale, f.frozenAt))}</tr>`).join('');
  const auditRows = audits.map((a) => `<tr>${cell(when(locale, a.at))}${cell(a.terminalId)}${cell(a.action)}${cell(a.code)}${cell(a.message)}</tr>`).join('');
  const none = (cols: number) => `<tr><td colspan="${cols}">${t('hq.fleet.none')}</td></tr>`;
  return `<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
${staffHead(translateHq(locale, 'hq.fleet.title'), viewer)}</head><body>
${staffHeader(locale, viewer)}
<main class="page">
<h1>${t('hq.fleet.title')}</h1>
<h2>${t('hq.fleet.terminals')}</h2>
<div class="table-wrap"><table><thead><tr><th>${t('hq.fleet.terminal')}</th><th>${t('hq.fleet.store')}</th><th>${t('hq.fleet.app_version')}</th><th>${t('hq.fleet.last_contact')}</th><th>${t('hq.fleet.cursor')}</th><th>${t('hq.fleet.backlog')}</th><th>${t('hq.fleet.clock')}</th><th>${t('hq.fleet.status')}</th></tr></thead>
<tbody>${terminalRows || none(8)}</tbody></table></div>
<h2>${t('hq.fleet.frozen_streams')}</h2>
<div class="table-wrap"><table><thead><tr><th>${t('hq.fleet.terminal')}</th><th>${t('hq.fleet.cursor')}</th><th>${t('hq.fleet.reason')}</th><th>${t('hq.fleet.when')}</th></tr></thead>
<tbody>${frozenRows || none(4)}</tbody></table></div>
<h2>${t('hq.fleet.audit')}</h2>
<div class="table-wrap"><table><thead><tr><th>${t('hq.fleet.when')}</th><th>${t('hq.fleet.terminal')}</th><th>${t('hq.fleet.action')}</th><th>${t('hq.fleet.code')}</th><th>${t('hq.fleet.message')}</th></tr></thead>
<tbody>${auditRows || none(5)}</tbody></table></div>
</main>
</body></html>`;
}
