import type { Locale } from '../../../shared/contract';
import { formatPoints, RECEIPT_WIDTH, receiptCenter, receiptRow } from '../../../shared/domain/receipt-layout';
import { createTranslator, mergeCatalogs } from '../../../shared/i18n/i18n';
import { incidentsEn, incidentsFr } from '../../../shared/i18n/incidents';
import { formatEuros } from '../receipt/receipt';
import { ledgerEn, ledgerFr } from '../../../shared/i18n/ledger';
import type { Db } from '../db/database';
import { ENTRY_KINDS, type EntryKind } from './chain';
import { addDays, localParts, parseLocalDate, startOfLocalDay } from './local-time';

export interface KindTotal {
  kind: EntryKind;
  entries: number;
  /** Points moved by these entries (the sum of their positive legs). */
  points: number;
}

/** Account positions in points, signed the way a reader expects (issued is positive). */
export interface AccountTotals {
  issued: number;
  redeemed: number;
  expired: number;
  adjusted: number;
  memberBalances: number;
  owedByMembers: number;
}

export interface ZReport {
  terminalId: string;
  /** The store-local day, 'YYYY-MM-DD'. */
  day: string;
  timeZone: string;
  from: number;
  to: number;
  generatedAt: number;
  today: { entries: number; firstSeq: number | null; lastSeq: number | null; kinds: KindTotal[] };
  running: { entries: number; kinds: KindTotal[]; accounts: AccountTotals };
  /** The last entry written before the day ended: what the day's closure vouches for. */
  chainHead: { epoch: number; seq: number; hash: string } | null;
  /** Customers' incidents opened or resolved here that day, the gestures granted, the survey's scores (docs/relationship.md). */
  incidents: ZIncidents;
}

export interface ZIncident {
  incidentId: string;
  kind: string;
  severity: number;
  channel: string;
  openedAt: number;
  /** Null while open at the end of the day. */
  outcome: string | null;
  resolvedAt: number | null;
  gesture: { type: string; points: number | null; valueCents: number } | null;
  approvedBy: string | null;
}

export interface ZIncidents {
  opened: number;
  resolved: number;
  /** Opened or resolved that day, by the time they were opened. Never their notes. */
  list: ZIncident[];
  /** Gestures granted that day: how many, worth how much, how many points of them. */
  gestures: { count: number; cents: number; points: number };
  /** The customer screen's answers that day: how many per score, 1 to 5. */
  survey: { answers: number; byScore: [number, number, number, number, number] };
}

/**
 * The day's closing report (a Z), after NF525 practice: totals for the day,
 * running totals since the first entry, and the chain head. Days are store
 * days (Europe/Paris by the program); entries are placed by their wall time,
 * which is evidence, not order — the seq range says what was covered.
 */
export function zReport(db: Db, terminalId: string, timeZone: string, day: string, generatedAt: number): ZReport {
  const date = parseLocalDate(day);
  if (!date) throw new RangeError(`not a day: ${day}`);
  const from = startOfLocalDay(date, timeZone);
  const to = startOfLocalDay(addDays(date, 1), timeZone);

  const kindSql = `SELECT e.kind AS kind, count(*) AS entries,
      coalesce(sum((SELECT coalesce(sum(p.delta), 0) FROM ledger_posting p
        WHERE p.terminal_id = e.terminal_id AND p.epoch = e.epoch AND p.seq = e.seq AND p.delta > 0)), 0) AS points
    FROM ledger_entry e WHERE e.terminal_id = ? AND e.wall_time >= ? AND e.wall_time < ? GROUP BY e.kind`;
  const kinds = db.prepare<[string, number, number], { kind: string; entries: number; points: number }>(kindSql);
  const totals = (rows: Array<{ kind: string; entries: number; points: number }>): KindTotal[] =>
    ENTRY_KINDS.map((kind) => {
      const row = rows.find((r) => r.kind === kind);
      return { kind, entries: row?.entries ?? 0, points: row?.points ?? 0 };
    });

  const todayKinds = totals(kinds.all(terminalId, from, to));
  const runningKinds = totals(kinds.all(terminalId, Number.MIN_SAFE_INTEGER, to));
  const range = db
    .prepare<[string, number, number], { first: number | null; last: number | null }>(
      'SELECT min(seq) AS first, max(seq) AS last FROM ledger_entry WHERE terminal_id = ? AND wall_time >= ? AND wall_time < ?',
    )
    .get(terminalId, from, to);

  const accountRows = db
    .prepare<[string, number], { bucket: string; total: number }>(
      `SELECT CASE WHEN p.account GLOB 'member:*:points' THEN 'members'
                   WHEN p.account GLOB 'member:*:clawback' THEN 'clawback'
                   ELSE p.account END AS bucket, sum(p.delta) AS total
       FROM ledger_posting p JOIN ledger_entry e ON e.terminal_id = p.terminal_id AND e.epoch = p.epoch AND e.seq = p.seq
       WHERE e.terminal_id = ? AND e.wall_time < ? GROUP BY bucket`,
    )
    .all(terminalId, to);
  const bucket = (name: string) => accountRows.find((r) => r.bucket === name)?.total ?? 0;
  const negated = (name: string) => 0 - bucket(name) || 0;

  const head = db
    .prepare<[string, number], { epoch: number; seq: number; entry_hash: string }>(
      'SELECT epoch, seq, entry_hash FROM ledger_entry WHERE terminal_id = ? AND wall_time < ? ORDER BY epoch DESC, seq DESC LIMIT 1',
    )
    .get(terminalId, to);

  return {
    incidents: dayIncidents(db, terminalId, from, to),
    terminalId,
    day,
    timeZone,
    from,
    to,
    generatedAt,
    today: {
      entries: todayKinds.reduce((n, k) => n + k.entries, 0),
      firstSeq: range?.first ?? null,
      lastSeq: range?.last ?? null,
      kinds: todayKinds,
    },
    running: {
      entries: runningKinds.reduce((n, k) => n + k.entries, 0),
      kinds: runningKinds,
      accounts: {
        issued: negated('program:issuance'),
        redeemed: bucket('program:redemption'),
        expired: bucket('program:expired'),
        adjusted: negated('program:adjustments'),
        memberBalances: bucket('members'),
        owedByMembers: negated('clawback'),
      },
    },
    chainHead: head ? { epoch: head.epoch, seq: head.seq, hash: head.entry_hash } : null,
  };
}

function dayIncidents(db: Db, terminalId: string, from: number, to: number): ZIncidents {
  // The incident projection is this terminal's own: what its journal opened and resolved.
  const rows = db
    .prepare<[number, number, number, number], { incident_id: string; kind: string; severity: number; channel: string; opened_at: number; outcome: string | null; resolved_at: number | null; gesture: string | null; gesture_cents: number; approved_by: string | null }>(
      `SELECT incident_id, kind, severity, channel, opened_at, outcome, resolved_at, gesture, gesture_cents, approved_by FROM incident
       WHERE (opened_at >= ? AND opened_at < ?) OR (resolved_at >= ? AND resolved_at < ?) ORDER BY opened_at, incident_id`,
    )
    .all(from, to, from, to);
  const within = (at: number | null) => at !== null && at >= from && at < to;
  const list: ZIncident[] = rows.map((r) => {
    const g = r.gesture === null ? null : (JSON.parse(r.gesture) as { type?: unknown; points?: unknown });
    const resolvedToday = within(r.resolved_at);
    return {
      incidentId: r.incident_id,
      kind: r.kind,
      severity: r.severity,
      channel: r.channel,
      openedAt: r.opened_at,
      // Resolved on a later day: still open at the end of this one.
      outcome: resolvedToday ? r.outcome : null,
      resolvedAt: resolvedToday ? r.resolved_at : null,
      gesture: resolvedToday && g ? { type: String(g.type), points: typeof g.points === 'number' ? g.points : null, valueCents: r.gesture_cents } : null,
      approvedBy: resolvedToday ? r.approved_by : null,
    };
  });
  const granted = list.filter((i) => i.gesture !== null && i.gesture.type !== 'none');
  const byScore: [number, number, number, number, number] = [0, 0, 0, 0, 0];
  const scores = db
    .prepare<[string, number, number], { detail: string }>("SELECT detail FROM ledger_entry WHERE terminal_id = ? AND kind = 'survey_answer' AND wall_time >= ? AND wall_time < ?")
    .all(terminalId, from, to);
  for (const { detail } of scores) {
    const score = (JSON.parse(detail) as { score?: unknown }).score;
    if (typeof score === 'number' && score >= 1 && score <= 5) byScore[score - 1]! += 1;
  }
  return {
    opened: list.filter((i) => within(i.openedAt)).length,
    resolved: list.filter((i) => i.resolvedAt !== null).length,
    list,
    gestures: {
      count: granted.length,
      cents: granted.reduce((n, i) => n + i.gesture!.valueCents, 0),
      points: granted.reduce((n, i) => n + (i.gesture!.points ?? 0), 0),
    },
    survey: { answers: scores.length, byScore },
  };
}

// The incidents' kinds and outcomes are worded once, for the screens and the Z alike.
const translate = createTranslator({ fr: mergeCatalogs(ledgerFr, incidentsFr), en: mergeCatalogs(ledgerEn, incidentsEn) });
const formatNumber = formatPoints;
const row = receiptRow;
const center = receiptCenter;

function twoDigits(n: number): string {
  return String(n).padStart(2, '0');
}

/** The Z report as lines of at most 42 characters, for a receipt printer. */
export function zReportLines(report: ZReport, locale: Locale): string[] {
  const t = (key: string, params?: Record<string, string | number>) => translate(locale, key, params);
  const n = (value: number) => formatNumber(locale, value);
  const rule = '-'.repeat(RECEIPT_WIDTH);
  const [y, m, d] = report.day.split('-');
  const printed = localParts(report.generatedAt, report.timeZone);
  const kindRow = (k: KindTotal) => {
    const value = `${t('ledger.z.count', { count: n(k.entries) }).padStart(9)} ${t('ledger.z.points', { points: n(k.points) }).padStart(14)}`;
    return row(t(`ledger.kind.${k.kind}`), value);
  };

  const lines = [
    center(t('ledger.z.title')),
    row(t('ledger.z.terminal'), report.terminalId),
    row(t('ledger.z.day'), `${d}/${m}/${y}`),
    row(
      t('ledger.z.printed'),
      `${twoDigits(printed.day)}/${twoDigits(printed.month)}/${printed.year} ${twoDigits(printed.hour)}:${twoDigits(printed.minute)}`,
    ),
    rule,
    t('ledger.z.day_section'),
  ];
  if (report.today.entries === 0) lines.push(t('ledger.z.none'));
  else {
    lines.push(...report.today.kinds.filter((k) => k.entries > 0).map(kindRow));
    lines.push(row(t('ledger.z.entries'), t('ledger.z.seq_range', { from: report.today.firstSeq ?? 0, to: report.today.lastSeq ?? 0 })));
  }
  lines.push(rule, t('ledger.z.running_section'), ...report.running.kinds.filter((k) => k.entries > 0).map(kindRow));
  const a = report.running.accounts;
  const pts = (v: number) => t('ledger.z.points', { points: n(v) });
  lines.push(
    rule,
    t('ledger.z.accounts_section'),
    row(t('ledger.account.issued'), pts(a.issued)),
    row(t('ledger.account.redeemed'), pts(a.redeemed)),
    row(t('ledger.account.expired'), pts(a.expired)),
    row(t('ledger.account.adjusted'), pts(a.adjusted)),
    row(t('ledger.account.members'), pts(a.memberBalances)),
    row(t('ledger.account.owed'), pts(a.owedByMembers)),
    rule,
    ...incidentLines(report, locale, t, n),
  );
  if (report.chainHead) {
    lines.push(row(t('ledger.z.chain_head'), t('ledger.z.seq', { seq: report.chainHead.seq })));
    lines.push(report.chainHead.hash.slice(0, 32), report.chainHead.hash.slice(32));
  } else {
    lines.push(row(t('ledger.z.chain_head'), '—'));
  }
  return lines;
}

/** The day's incidents and gestures, each on a line or two; the notes are personal data and never printed. */
function incidentLines(report: ZReport, locale: Locale, t: (key: string, params?: Record<string, string | number>) => string, n: (value: number) => string): string[] {
  const z = report.incidents;
  const lines = [t('ledger.z.incidents_section')];
  if (z.list.length === 0) lines.push(t('ledger.z.incidents_none'));
  else {
    lines.push(row(t('ledger.z.incidents_opened'), n(z.opened)), row(t('ledger.z.incidents_resolved'), n(z.resolved)));
    for (const i of z.list) {
      const opened = localParts(i.openedAt, report.timeZone);
      const stamp = `${twoDigits(opened.hour)}:${twoDigits(opened.minute)}`;
      lines.push(row(`${stamp} ${t(`incident.kind.${i.kind}`)}`, t('ledger.z.incident_severity', { severity: i.severity })));
      lines.push(`      ${i.outcome === null ? t('ledger.z.incident_open') : t(`incident.outcome.${i.outcome}`)}`.slice(0, RECEIPT_WIDTH));
      if (i.gesture && i.gesture.type !== 'none') {
        const what = i.gesture.type === 'points' ? t('ledger.z.gesture_points', { points: n(i.gesture.points ?? 0) }) : t(`incident.gesture.${i.gesture.type}`);
        const approved = i.approvedBy ? ` ${t('ledger.z.gesture_approved', { manager: i.approvedBy })}` : '';
        lines.push(row(`      ${what}${approved}`, formatEuros(locale, i.gesture.valueCents)));
      }
    }
  }
  lines.push(row(t('ledger.z.gestures'), t('ledger.z.count', { count: n(z.gestures.count) })));
  lines.push(row(t('ledger.z.gestures_value'), formatEuros(locale, z.gestures.cents)));
  lines.push(row(t('ledger.z.gestures_points'), t('ledger.z.points', { points: n(z.gestures.points) })));
  lines.push(row(t('ledger.z.survey'), t('ledger.z.count', { count: n(z.survey.answers) })));
  if (z.survey.answers > 0) lines.push(row(t('ledger.z.survey_scores'), z.survey.byScore.map((c, i) => `${i + 1}:${c}`).join(' ')));
  lines.push('-'.repeat(RECEIPT_WIDTH));
  return lines;
}
