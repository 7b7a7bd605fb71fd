import { DataTable, WhenLoaded } from '../ViewParts';
import { useLocale, type Translate } from '../text';
import { useHqData } from '../use-hq-data';
import type { Locale } from '../../../shared/contract';
import { cellText, columnHeader, formatCount, formatDay, formatShare, type ChartData } from './chart-data';
import { DRAWINGS } from './ChartDrawings';
import { useDashboardText } from './dashboard-text';

/** The charts drawn from the latest nightly run: without one in the range there is nothing to draw. */
const FROM_A_RUN = new Set(['segments', 'flows', 'palive']);

/** What a chart states in a sentence, besides its drawing. */
function factOf(t: Translate, locale: Locale, data: ChartData): string | null {
  const f = data.facts;
  switch (data.chart) {
    case 'concentration':
      return Number(f.customers) > 0
        ? t('chart.concentration.fact', {
            share: formatShare(locale, Number(f.top20Share)),
            revenue: new Intl.NumberFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', { style: 'currency', currency: 'EUR', maximumFractionDigits: 0 }).format(Number(f.revenue)),
            customers: formatCount(locale, Number(f.customers)),
          })
        : null;
    case 'flows':
    case 'palive':
      return typeof f.asOf === 'string' ? t(`chart.${data.chart}.fact`, { day: formatDay(locale, f.asOf) }) : null;
    case 'calibration':
      return t('chart.calibration.fact', {
        day: formatDay(locale, String(f.calibrationEnd)),
        week: String(f.calibrationWeek),
        customers: formatCount(locale, Number(f.customers)),
        actual: formatCount(locale, Number(f.holdoutActual)),
        predicted: formatCount(locale, Number(f.holdoutBgnbd)),
      });
    default:
      return null;
  }
}

/** Whether a chart has anything to draw: a row with a number other than zero. */
function hasData(data: ChartData): boolean {
  return data.rows.some((r) => data.columns.some((c) => typeof r[c] === 'number' && r[c] !== 0 && c !== 'customerShare' && c !== 'week' && c !== 'from' && c !== 'to'));
}

/**
 * One chart of the dashboard: its <h2>, what it shows, the drawing (an
 * image for assistive technology, named by its heading), its figures as a
 * table and a CSV download of the same table.
 */
export function ChartCard({ chart, query, note }: { chart: string; query: string; note?: string }) {
  const t = useDashboardText();
  const locale = useLocale();
  const { result, reload } = useHqData<ChartData>(`/v1/dashboard/${chart}?${query}`);
  const headingId = `chart-${chart}`;
  const title = t(`chart.${chart}`);
  const Drawing = DRAWINGS[chart]!;
  return (
    <section className="chart-card" aria-labelledby={headingId} data-chart={chart}>
      <h2 id={headingId}>{title}</h2>
      <p className="chart-desc" id={`${headingId}-desc`}>
        {t(`chart.${chart}.desc`)}
      </p>
      {note === undefined ? null : <p className="chart-note">{note}</p>}
      <WhenLoaded result={result} reload={reload}>
        {(data) => {
          const fact = factOf(t, locale, data);
          return (
            <>
              {fact === null ? null : <p className="chart-fact">{fact}</p>}
              {typeof data.facts.paretoNote === 'string' ? <p className="chart-note">{t('chart.calibration.no_pareto')}</p> : null}
              {hasData(data) ? (
                <div className="chart-drawing" role="img" aria-labelledby={headingId} aria-describedby={`${headingId}-desc`}>
                  <Drawing data={data} />
                </div>
              ) : (
                <p className="chart-empty">{t(FROM_A_RUN.has(chart) ? 'dash.no_run' : 'dash.no_data')}</p>
              )}
              <div className="chart-actions">
                <details className="chart-table">
                  <summary>{t('dash.table')}</summary>
                  {/* A long table scrolls in its own box, which the keyboard can reach and scroll. */}
                  <div className="chart-table-scroll" tabIndex={0} role="region" aria-label={t('dash.table_region', { title })}>
                    <DataTable
                      labelledBy={headingId}
                      columns={data.columns.map((c) => columnHeader(t, chart, c))}
                      rows={data.rows}
                      empty={t('dash.no_data')}
                      row={(r) => (
                        <tr key={data.columns.map((c) => r[c]).join('|')}>
                          {data.columns.map((c, i) =>
                            i === 0 ? (
                              <th scope="row" key={c}>
                                {cellText(t, locale, chart, c, r[c])}
                              </th>
                            ) : (
                              <td key={c} className={typeof r[c] === 'number' ? 'num' : undefined}>
                                {cellText(t, locale, chart, c, r[c])}
                              </td>
                            ),
                          )}
                        </tr>
                      )}
                    />
                  </div>
                </details>
                <a className="button-quiet chart-csv" href={`/v1/dashboard/${chart}.csv?${query}`} download aria-label={t('dash.csv_label', { title })}>
                  {t('dash.csv')}
                </a>
              </div>
            </>
          );
        }}
      </WhenLoaded>
    </section>
  );
}
