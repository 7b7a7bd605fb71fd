import type { Locale } from '../../../shared/contract';
import { formatPoints, RECEIPT_WIDTH, receiptCenter, receiptRow } from '../../../shared/domain/receipt-layout';
import { createTranslator } from '../../../shared/i18n/i18n';
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

const translate = createTranslator({ fr: ledgerFr, en: ledgerEn });
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
  );
  if (report.chainHead) {
    lines.push(row(t('ledger.z.chain_head'), t('ledger.z.seq', { seq: report.chainHead.seq })));
    lines.push(report.chainHead.hash.slice(0, 32), report.chainHead.hash.slice(32));
  } else {
    lines.push(row(t('ledger.z.chain_head'), '—'));
  }
  return lines;
}
