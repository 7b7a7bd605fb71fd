import { formatInstant, formatOffset } from '../shared/diagnostics/clock-offset';
import type { AnomalyFilter, AnomalyReport } from '../shared/sync/anomalies';
import type { HqContext } from './context';
import { viaServer, type RunningServer } from './staff/operator-client';
import { listSyncAnomalies } from './sync-anomalies';

type Direct = <T>(fn: (ctx: HqContext) => Promise<T>) => Promise<T>;

/** The reader's zone at that instant, in minutes east of UTC. */
const zoneOf = (at: number): number => -new Date(at).getTimezoneOffset();

function age(ms: number): string {
  const m = Math.floor(Math.max(0, ms) / 60_000);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h} h` : `${Math.floor(h / 24)} d`;
}

/** What to read of an anomaly's detail on one line; a skew in words, with its sign. */
function detailText(detail: Record<string, unknown>): string {
  const shown = { ...detail };
  if (typeof shown.skewMs === 'number') shown.skewMs = formatOffset(shown.skewMs) ?? '0 s';
  const text = Object.entries(shown)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return text.length > 160 ? `${text.slice(0, 159)}…` : text;
}

/** The report as lines for a terminal window: counts by kind, then the newest anomalies, every time with its zone. */
export function anomaliesText(report: AnomalyReport, filter: AnomalyFilter): string[] {
  const open = report.counts.reduce((n, c) => n + c.open, 0);
  const lines = [`HQ time ${formatInstant(report.now, zoneOf(report.now))}: ${open} open sync ${open === 1 ? 'anomaly' : 'anomalies'}`];
  for (const c of report.counts) {
    const oldest = c.oldestOpenAt === null ? '' : `, oldest open ${age(report.now - c.oldestOpenAt)} old`;
    lines.push(`  ${c.kind}: ${c.open} open, ${c.handled} handled${oldest}`);
  }
  if (report.anomalies.length === 0) {
    lines.push(filter === 'open' ? 'Nothing to handle.' : 'No anomaly recorded.');
    return lines;
  }
  lines.push('');
  for (const a of report.anomalies) {
    const handled = a.status === 'handled' ? `handled${a.handledBy ? ` by ${a.handledBy}` : ''}${a.handledAt === null ? '' : ` ${formatInstant(a.handledAt, zoneOf(a.handledAt))}`}` : 'OPEN';
    lines.push(`${formatInstant(a.createdAt, zoneOf(a.createdAt))} (${age(report.now - a.createdAt)} ago)  ${a.kind}  terminal ${a.terminalId ?? '-'}  ${a.customerId}  ${handled}`);
    const detail = detailText(a.detail);
    if (detail) lines.push(`    ${detail}`);
    lines.push(`    id ${a.id}`);
  }
  return lines;
}

/** `anomalies [--json] [--open]`: through the running HQ when there is one (PGlite), else straight from the database. */
export async function runAnomaliesCommand(args: string[], server: RunningServer | null, direct: Direct): Promise<number> {
  const filter: AnomalyFilter = args.includes('--open') ? 'open' : 'all';
  const report = server
    ? ((await viaServer(server, 'GET', `/v1/anomalies?status=${filter}`)) as AnomalyReport)
    : await direct((ctx) => listSyncAnomalies(ctx, filter));
  if (args.includes('--json')) console.log(JSON.stringify(report, null, 2));
  else console.log(anomaliesText(report, filter).join('\n'));
  return 0;
}
