import type { Locale } from '../shared/contract';
import { createTranslator, type Catalog } from '../shared/i18n/i18n';
import { incidentsEn, incidentsFr } from '../shared/i18n/incidents';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { HqError, type HqContext } from './context';
import { humanDuration, incidentSummary, memberIncidentTimeline, parseSummaryQuery, SUMMARY_OUTCOMES, type IncidentSummary, type SummaryQuery } from './incidents-report';
import { principalOf, type Guards } from './staff/http-guard';
import { escapeHtml as escape, staffHead, staffHeader, type Viewer } from './staff/pages';

/**
 * The /incidents page: the report of incidents-report.ts as a chart and
 * tables, server-rendered. The CSP allows no script and no inline style, so
 * the chart is inline SVG coloured by hq.css classes, and every number in it
 * is also in a table below for screen readers.
 */
const fr: Catalog = {
  ...incidentsFr,
  'page.title': 'Incidents clients',
  'page.filter': 'Filtrer',
  'page.from': 'Du',
  'page.to': 'Au',
  'page.store': 'Magasin',
  'page.all_stores': 'Tous les magasins',
  'page.apply': 'Afficher',
  'page.total': 'Incidents ouverts',
  'page.median': 'Délai médian de résolution',
  'page.resolved_count': '{n} résolus',
  'page.satisfaction': 'Satisfaction moyenne',
  'page.answers': '{n} réponses',
  'page.well_share': 'Bien résolus',
  'page.by_kind_week': 'Incidents par type et par semaine',
  'page.chart_label': 'Histogramme empilé des incidents par semaine, une couleur par type',
  'page.week': 'Semaine',
  'page.kind': 'Type',
  'page.total_col': 'Total',
  'page.outcomes': 'Issues',
  'page.outcome': 'Issue',
  'page.count': 'Nombre',
  'page.share': 'Part',
  'incident.outcome.open': 'En cours',
  'page.satisfaction_weeks': 'Satisfaction dans le temps',
  'page.satisfaction_chart': 'Note moyenne par semaine, sur 5',
  'page.mean': 'Moyenne /5',
  'page.satisfied': 'Notes 4–5',
  'page.stores': 'Par magasin',
  'page.none': 'Aucune donnée sur cette période.',
  'page.none_short': '–',
  'page.other_lang': 'English',
};

const en: Catalog = {
  ...incidentsEn,
  'page.title': 'Customer incidents',
  'page.filter': 'Filter',
  'page.from': 'From',
  'page.to': 'To',
  'page.store': 'Store',
  'page.all_stores': 'All stores',
  'page.apply': 'Show',
  'page.total': 'Incidents opened',
  'page.median': 'Median time to resolve',
  'page.resolved_count': '{n} resolved',
  'page.satisfaction': 'Average satisfaction',
  'page.answers': '{n} answers',
  'page.well_share': 'Well resolved',
  'page.by_kind_week': 'Incidents by kind and week',
  'page.chart_label': 'Stacked bar chart of incidents per week, one colour per kind',
  'page.week': 'Week',
  'page.kind': 'Kind',
  'page.total_col': 'Total',
  'page.outcomes': 'Outcomes',
  'page.outcome': 'Outcome',
  'page.count': 'Count',
  'page.share': 'Share',
  'incident.outcome.open': 'Open',
  'page.satisfaction_weeks': 'Satisfaction over time',
  'page.satisfaction_chart': 'Average score per week, out of 5',
  'page.mean': 'Average /5',
  'page.satisfied': 'Scores 4–5',
  'page.stores': 'By store',
  'page.none': 'No data for this period.',
  'page.none_short': '–',
  'page.other_lang': 'Français',
};

const translate = createTranslator({ fr, en });

/** The page's title, for the top bar's link. */
export const incidentsPageTitle = (locale: Locale): string => translate(locale, 'page.title');

const percent = (locale: Locale, share: number): string =>
  new Intl.NumberFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', { style: 'percent', maximumFractionDigits: 0 }).format(share);
const decimal = (locale: Locale, v: number): string => new Intl.NumberFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', { maximumFractionDigits: 2 }).format(v);
/** '2026-W11' → 'S11' / 'W11': the year is in the form above the chart. */
const shortWeek = (locale: Locale, week: string): string => `${locale === 'fr' ? 'S' : 'W'}${week.slice(-2)}`;

/** Stacked bars, one per ISO week of the range, one segment per kind; sized for the page's width. */
function kindWeekChart(locale: Locale, s: IncidentSummary): string {
  const t = (k: string) => escape(translate(locale, k));
  const counts = new Map(s.byKindWeek.map((r) => [`${r.week}|${r.kind}`, r.count]));
  const totals = s.weeks.map((w) => s.kinds.reduce((n, k) => n + (counts.get(`${w}|${k}`) ?? 0), 0));
  const max = Math.max(1, ...totals);
  const step = max <= 5 ? 1 : max <= 10 ? 2 : max <= 25 ? 5 : Math.ceil(max / 5 / 10) * 10;
  const top = Math.ceil(max / step) * step;
  const W = 960;
  const H = 320;
  const left = 44;
  const bottom = 28;
  const plotH = H - bottom - 12;
  const slot = (W - left - 8) / Math.max(1, s.weeks.length);
  const barW = Math.min(48, slot * 0.7);
  const y = (v: number) => 12 + plotH - (v / top) * plotH;
  const grid: string[] = [];
  for (let v = 0; v <= top; v += step) {
    grid.push(`<line class="chart-grid" x1="${left}" x2="${W - 4}" y1="${y(v)}" y2="${y(v)}"/><text class="chart-axis" x="${left - 8}" y="${y(v) + 4}" text-anchor="end">${v}</text>`);
  }
  const bars = s.weeks
    .map((w, i) => {
      const x = left + i * slot + (slot - barW) / 2;
      let acc = 0;
      const segments = s.kinds
        .map((k) => {
          const n = counts.get(`${w}|${k}`) ?? 0;
          if (n === 0) return '';
          const rect = `<rect class="kind-${k}" x="${x.toFixed(1)}" y="${y(acc + n).toFixed(1)}" width="${barW.toFixed(1)}" height="${(y(acc) - y(acc + n)).toFixed(1)}"><title>${escape(`${w} · ${translate(locale, `incident.kind.${k}`)} : ${n}`)}</title></rect>`;
          acc += n;
          return rect;
        })
        .join('');
      const label = `<text class="chart-axis" x="${(x + barW / 2).toFixed(1)}" y="${H - 8}" text-anchor="middle">${escape(shortWeek(locale, w))}</text>`;
      const total = totals[i]! > 0 ? `<text class="chart-value" x="${(x + barW / 2).toFixed(1)}" y="${(y(totals[i]!) - 5).toFixed(1)}" text-anchor="middle">${totals[i]}</text>` : '';
      return segments + total + label;
    })
    .join('');
  const legend = s.kinds
    .map((k) => `<li><svg class="swatch" viewBox="0 0 12 12" aria-hidden="true"><rect class="kind-${k}" width="12" height="12" rx="2"/></svg>${t(`incident.kind.${k}`)}</li>`)
    .join('');
  return `<figure class="chart"><svg viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="kind-chart-title"><title id="kind-chart-title">${t('page.chart_label')}</title>${grid.join('')}${bars}</svg>
<figcaption><ul class="legend">${legend}</ul></figcaption></figure>`;
}

/** Mean score per week as bars on a 0–5 scale. */
function satisfactionChart(locale: Locale, s: IncidentSummary): string {
  const byWeek = new Map(s.satisfaction.map((w) => [w.week, w]));
  const W = 960;
  const H = 180;
  const left = 44;
  const plotH = H - 40;
  const slot = (W - left - 8) / Math.max(1, s.weeks.length);
  const barW = Math.min(48, slot * 0.7);
  const y = (v: number) => 12 + plotH - (v / 5) * plotH;
  const grid = [0, 1, 2, 3, 4, 5]
    .map((v) => `<line class="chart-grid" x1="${left}" x2="${W - 4}" y1="${y(v)}" y2="${y(v)}"/><text class="chart-axis" x="${left - 8}" y="${y(v) + 4}" text-anchor="end">${v}</text>`)
    .join('');
  const bars = s.weeks
    .map((w, i) => {
      const x = left + i * slot + (slot - barW) / 2;
      const label = `<text class="chart-axis" x="${(x + barW / 2).toFixed(1)}" y="${H - 8}" text-anchor="middle">${escape(shortWeek(locale, w))}</text>`;
      const a = byWeek.get(w);
      if (!a) return label;
      const level = a.mean >= 4 ? 'good' : a.mean >= 3 ? 'fair' : 'poor';
      return `<rect class="score-${level}" x="${x.toFixed(1)}" y="${y(a.mean).toFixed(1)}" width="${barW.toFixed(1)}" height="${(y(0) - y(a.mean)).toFixed(1)}"><title>${escape(`${w} : ${decimal(locale, a.mean)} / 5 (${a.answers})`)}</title></rect><text class="chart-value" x="${(x + barW / 2).toFixed(1)}" y="${(y(a.mean) - 5).toFixed(1)}" text-anchor="middle">${escape(decimal(locale, a.mean))}</text>${label}`;
    })
    .join('');
  return `<figure class="chart"><svg viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="score-chart-title"><title id="score-chart-title">${escape(translate(locale, 'page.satisfaction_chart'))}</title>${grid}${bars}</svg></figure>`;
}

export interface IncidentsPageInput {
  summary: IncidentSummary | null;
  query: Partial<SummaryQuery>;
  error: string | null;
  stores: string[];
}

export async function knownStores(ctx: HqContext): Promise<string[]> {
  const rows = await ctx.sql.query<{ store_id: string }>('SELECT store_id FROM store UNION SELECT DISTINCT store_id FROM customer_incident ORDER BY 1');
  return rows.map((r) => r.store_id);
}

export function incidentsPage(locale: Locale, viewer: Viewer, input: IncidentsPageInput): string {
  const t = (k: string, p?: Record<string, string | number>) => escape(translate(locale, k, p));
  const s = input.summary;
  const q = input.query;
  const none = (cols: number) => `<tr><td colspan="${cols}">${t('page.none')}</td></tr>`;
  const storeOptions = [`<option value="">${t('page.all_stores')}</option>`, ...input.stores.map((id) => `<option value="${escape(id)}"${q.store === id ? ' selected' : ''}>${escape(id)}</option>`)].join('');
  const otherLang = locale === 'fr' ? 'en' : 'fr';
  const otherQuery = new URLSearchParams({ ...(q.from ? { from: q.from } : {}), ...(q.to ? { to: q.to } : {}), ...(q.store ? { store: q.store } : {}), ...(otherLang === 'en' ? { lang: 'en' } : {}) }).toString();
  const form = `<form class="filters" method="get" action="/incidents" aria-label="${t('page.filter')}">
${locale === 'en' ? '<input type="hidden" name="lang" value="en">' : ''}
<div class="field"><label for="from">${t('page.from')}</label><input id="from" name="from" type="date" value="${escape(q.from ?? '')}"></div>
<div class="field"><label for="to">${t('page.to')}</label><input id="to" name="to" type="date" value="${escape(q.to ?? '')}"></div>
<div class="field"><label for="store">${t('page.store')}</label><select id="store" name="store">${storeOptions}</select></div>
<button type="submit" class="button-primary">${t('page.apply')}</button>
<a class="lang-link" href="/incidents${otherQuery ? `?${escape(otherQuery)}` : ''}" hreflang="${otherLang}" lang="${otherLang}">${t('page.other_lang')}</a>
</form>`;
  let body = '';
  if (s) {
    const answers = s.satisfaction.reduce((n, w) => n + w.answers, 0);
    const mean = answers === 0 ? null : s.satisfaction.reduce((sum, w) => sum + w.mean * w.answers, 0) / answers;
    const resolvedShare = s.total === 0 ? null : s.outcomes.well_resolved / s.total;
    const median = s.resolution.medianMs === null ? t('page.none_short') : escape(humanDuration(s.resolution.medianMs, locale));
    const kpi = (id: string, label: string, value: string, sub: string) =>
      `<div class="kpi" id="kpi-${id}"><p class="kpi-label">${label}</p><p class="kpi-value">${value}</p><p class="kpi-sub">${sub}</p></div>`;
    const counts = new Map(s.byKindWeek.map((r) => [`${r.week}|${r.kind}`, r.count]));
    const kindHeads = s.kinds.map((k) => `<th scope="col">${t(`incident.kind.${k}`)}</th>`).join('');
    const weekRows = s.weeks
      .map((w) => {
        const cells = s.kinds.map((k) => counts.get(`${w}|${k}`) ?? 0);
        return `<tr><th scope="row">${escape(w)}</th>${cells.map((n) => `<td class="num">${n}</td>`).join('')}<td class="num total">${cells.reduce((a, b) => a + b, 0)}</td></tr>`;
      })
      .join('');
    const kindTotals = `<tr class="totals"><th scope="row">${t('page.total_col')}</th>${s.kinds.map((k) => `<td class="num">${s.byKind[k] ?? 0}</td>`).join('')}<td class="num total">${s.total}</td></tr>`;
    const outcomeRows = SUMMARY_OUTCOMES.map(
      (o) =>
        `<tr><th scope="row">${t(`incident.outcome.${o}`)}</th><td class="num">${s.outcomes[o]}</td><td class="num">${s.total === 0 ? '–' : escape(percent(locale, s.outcomes[o] / s.total))}</td></tr>`,
    ).join('');
    const satisfactionRows = s.satisfaction
      .map((w) => `<tr><th scope="row">${escape(w.week)}</th><td class="num">${w.answers}</td><td class="num">${escape(decimal(locale, w.mean))}</td><td class="num">${escape(percent(locale, w.satisfiedShare))}</td></tr>`)
      .join('');
    const storeRows = s.stores
      .map(
        (r) =>
          `<tr><th scope="row">${escape(r.storeId)}</th><td class="num">${r.incidents}</td>${SUMMARY_OUTCOMES.map((o) => `<td class="num">${r.outcomes[o]}</td>`).join('')}<td class="num">${
            r.resolution.medianMs === null ? '–' : escape(humanDuration(r.resolution.medianMs, locale))
          }</td><td class="num">${r.satisfaction.mean === null ? '–' : escape(decimal(locale, r.satisfaction.mean))}</td><td class="num">${r.satisfaction.answers}</td></tr>`,
      )
      .join('');
    body = `<section class="kpis" aria-label="${t('page.title')}">
${kpi('total', t('page.total'), String(s.total), `${escape(s.range.from)} → ${escape(s.range.to)}`)}
${kpi('median', t('page.median'), median, t('page.resolved_count', { n: s.resolution.resolved }))}
${kpi('well', t('page.well_share'), resolvedShare === null ? '–' : escape(percent(locale, resolvedShare)), `${s.outcomes.well_resolved} / ${s.total}`)}
${kpi('satisfaction', t('page.satisfaction'), mean === null ? '–' : `${escape(decimal(locale, Math.round(mean * 100) / 100))} / 5`, t('page.answers', { n: answers }))}
</section>
<h2 id="by-kind-week">${t('page.by_kind_week')}</h2>
<div class="panel">${kindWeekChart(locale, s)}
<div class="table-wrap"><table id="kind-week-table" aria-labelledby="by-kind-week"><thead><tr><th scope="col">${t('page.week')}</th>${kindHeads}<th scope="col">${t('page.total_col')}</th></tr></thead>
<tbody>${weekRows}${kindTotals}</tbody></table></div></div>
<div class="columns">
<section><h2 id="outcomes">${t('page.outcomes')}</h2>
<div class="table-wrap"><table id="outcomes-table" aria-labelledby="outcomes"><thead><tr><th scope="col">${t('page.outcome')}</th><th scope="col">${t('page.count')}</th><th scope="col">${t('page.share')}</th></tr></thead>
<tbody>${outcomeRows}</tbody></table></div></section>
<section><h2 id="satisfaction">${t('page.satisfaction_weeks')}</h2>
<div class="panel">${satisfactionChart(locale, s)}
<div class="table-wrap"><table id="satisfaction-table" aria-labelledby="satisfaction"><thead><tr><th scope="col">${t('page.week')}</th><th scope="col">${t('page.count')}</th><th scope="col">${t('page.mean')}</th><th scope="col">${t('page.satisfied')}</th></tr></thead>
<tbody>${satisfactionRows || none(4)}</tbody></table></div></div></section>
</div>
<h2 id="stores">${t('page.stores')}</h2>
<div class="table-wrap"><table id="stores-table" aria-labelledby="stores"><thead><tr><th scope="col">${t('page.store')}</th><th scope="col">${t('page.total_col')}</th>${SUMMARY_OUTCOMES.map((o) => `<th scope="col">${t(`incident.outcome.${o}`)}</th>`).join('')}<th scope="col">${t('page.median')}</th><th scope="col">${t('page.mean')}</th><th scope="col">${t('page.count')}</th></tr></thead>
<tbody>${storeRows || none(9)}</tbody></table></div>`;
  }
  return `<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
${staffHead(translate(locale, 'page.title'), viewer)}</head><body>
${staffHeader(locale, viewer)}
<main class="page incidents">
<h1>${t('page.title')}</h1>
${form}
${input.error ? `<p class="alert" role="alert">${escape(input.error)}</p>` : ''}
${body}
</main>
</body></html>`;
}

/** A signed-in person's bad query: answered with its message, not counted against the address as a terminal's would be. */
function staffRefusal(reply: FastifyReply, error: unknown) {
  if (!(error instanceof HqError)) throw error;
  return reply.code(error.status).send({ error: { code: error.code, message: error.message } });
}

/** Customers' incidents (incidents-report.ts): the report for marketing, service and admins; one member's timeline for service and admins. */
export function registerIncidentRoutes(app: FastifyInstance, ctx: HqContext, staff: Guards): void {
  app.get('/v1/incidents/summary', { onRequest: staff.api('incidents') }, async (request, reply) => {
    try {
      return await incidentSummary(ctx, parseSummaryQuery(request.query as Record<string, unknown>, ctx.clock.now()));
    } catch (error) {
      return staffRefusal(reply, error);
    }
  });
  app.get('/v1/members/:id/incidents', { onRequest: staff.api('incident_timeline') }, async (request, reply) => {
    try {
      return await memberIncidentTimeline(ctx, (request.params as { id: string }).id);
    } catch (error) {
      return staffRefusal(reply, error);
    }
  });
  app.get('/incidents', { onRequest: staff.page('incidents') }, async (request, reply) => {
    const raw = request.query as Record<string, unknown>;
    const lang = raw.lang === 'en' ? 'en' : 'fr';
    const viewer = principalOf(request);
    if (viewer.kind !== 'staff') throw new Error('the incidents page is for signed-in staff');
    const text = (name: string) => (typeof raw[name] === 'string' && raw[name] !== '' ? (raw[name] as string) : undefined);
    let page: IncidentsPageInput = { summary: null, query: { from: text('from'), to: text('to'), store: text('store') ?? null }, error: null, stores: await knownStores(ctx) };
    try {
      const query = parseSummaryQuery(raw, ctx.clock.now());
      page = { ...page, query, summary: await incidentSummary(ctx, query) };
    } catch (error) {
      if (!(error instanceof HqError)) throw error;
      page = { ...page, error: error.message };
      reply.code(400);
    }
    return reply.type('text/html; charset=utf-8').send(incidentsPage(lang, viewer.session, page));
  });
}
