import { DataTable, ViewHeader, WhenLoaded } from '../ViewParts';
import { useLocale, viewText } from '../text';
import { useHqData } from '../use-hq-data';
import type { Locale } from '../../../shared/contract';
import type { ConsoleView } from './view';

/** GET /v1/offers/stats (src/hq/offers/offer-stats.ts): the chain's counts over the last 30 days. */
interface Counts {
  shown: number;
  accepted: number;
  refused: number;
  converted: number;
}
interface OfferStats {
  from: string;
  to: string;
  rules: Array<Counts & { ruleId: string }>;
  days: Array<Counts & { day: string }>;
}

const useText = viewText(
  {
    'of.title': 'Offres du panier',
    'of.intro':
      'Ce que les caisses ont montré des offres du programme, ce que les clients en ont dit et ce qu’un achat suivant a converti (dans les 14 jours, ce dont l’offre parlait), sur les 30 derniers jours. Des comptes seulement : aucune personne n’y figure.',
    'of.refresh': 'Actualiser',
    'of.chart': 'Par jour',
    'of.chart_label': 'Offres montrées, acceptées et converties par jour, du {from} au {to}',
    'of.rules': 'Par offre',
    'of.col.rule': 'Offre',
    'of.col.shown': 'Montrées',
    'of.col.accepted': 'Acceptées',
    'of.col.refused': 'Refusées',
    'of.col.converted': 'Converties',
    'of.col.rate': 'Acceptation',
    'of.empty': 'Aucune offre montrée sur la période.',
    'of.legend.shown': 'montrées',
    'of.legend.accepted': 'acceptées',
    'of.legend.converted': 'converties',
  },
  {
    'of.title': 'Basket offers',
    'of.intro':
      'What the tills showed of the programme’s offers, what customers said, and what a later purchase converted (within 14 days, what the offer was about), over the last 30 days. Counts only: no person appears here.',
    'of.refresh': 'Refresh',
    'of.chart': 'By day',
    'of.chart_label': 'Offers shown, accepted and converted by day, from {from} to {to}',
    'of.rules': 'By offer',
    'of.col.rule': 'Offer',
    'of.col.shown': 'Shown',
    'of.col.accepted': 'Accepted',
    'of.col.refused': 'Refused',
    'of.col.converted': 'Converted',
    'of.col.rate': 'Acceptance',
    'of.empty': 'No offer shown in the period.',
    'of.legend.shown': 'shown',
    'of.legend.accepted': 'accepted',
    'of.legend.converted': 'converted',
  },
);

const SERIES = [
  { key: 'shown', colour: '#9db8e3' },
  { key: 'accepted', colour: '#1f5fbf' },
  { key: 'converted', colour: '#1e7d45' },
] as const;

const share = (locale: Locale, part: number, whole: number) =>
  whole === 0 ? '—' : new Intl.NumberFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', { style: 'percent', maximumFractionDigits: 0 }).format(part / whole);
const shortDay = (locale: Locale, day: string) =>
  new Intl.DateTimeFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' }).format(new Date(`${day}T00:00:00Z`));

/** Three bars a day, drawn as SVG; the table beside says the same in words. */
function DayChart({ stats, label }: { stats: OfferStats; label: string }) {
  const t = useText();
  const locale = useLocale();
  const max = Math.max(1, ...stats.days.map((d) => d.shown));
  // Every day of the period has its slot, so a quiet day shows as a gap and the scale never stretches.
  const dayIndex = (day: string) => Math.round((Date.parse(`${day}T00:00:00Z`) - Date.parse(`${stats.from}T00:00:00Z`)) / 86_400_000);
  const slots = dayIndex(stats.to) + 1;
  const slot = 36;
  const height = 160;
  const width = slots * slot + 40;
  return (
    <figure className="offers-chart">
      <svg role="img" aria-label={label} viewBox={`0 0 ${width} ${height + 30}`} className="offers-svg">
        {stats.days.map((d) =>
          SERIES.map((s, k) => {
            const h = Math.round((d[s.key] / max) * height);
            return <rect key={`${d.day}-${s.key}`} x={30 + dayIndex(d.day) * slot + k * 10} y={height - h} width={9} height={h} fill={s.colour} />;
          }),
        )}
        {stats.days.map((d) => (
          <text key={d.day} x={30 + dayIndex(d.day) * slot + 14} y={height + 18} fontSize="10" textAnchor="middle" fill="#5d6b79">
            {shortDay(locale, d.day)}
          </text>
        ))}
        <line x1={28} x2={width} y1={height} y2={height} stroke="#b8c2cd" />
      </svg>
      <figcaption className="offers-legend">
        {SERIES.map((s) => (
          <span key={s.key}>
            <span className={`offers-swatch offers-swatch-${s.key}`} aria-hidden="true" /> {t(`of.legend.${s.key}`)}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

/** Marketing sees whether its offers land (issue 16 item 3): shown, accepted, refused, converted. */
function OffersPage() {
  const t = useText();
  const locale = useLocale();
  const { result, reload } = useHqData<OfferStats>('/v1/offers/stats');
  return (
    <>
      <ViewHeader title={t('of.title')}>
        <button type="button" className="button-quiet" onClick={reload}>
          {t('of.refresh')}
        </button>
      </ViewHeader>
      <p className="intro">{t('of.intro')}</p>
      <WhenLoaded result={result} reload={reload}>
        {(stats) => (
          <>
            <section aria-labelledby="of-chart-h">
              <h2 id="of-chart-h">{t('of.chart')}</h2>
              {stats.days.length === 0 ? <p>{t('of.empty')}</p> : <DayChart stats={stats} label={t('of.chart_label', { from: stats.from, to: stats.to })} />}
            </section>
            <section aria-labelledby="of-rules-h">
              <h2 id="of-rules-h">{t('of.rules')}</h2>
              <DataTable
                labelledBy="of-rules-h"
                id="offers-table"
                columns={[t('of.col.rule'), t('of.col.shown'), t('of.col.accepted'), t('of.col.refused'), t('of.col.converted'), t('of.col.rate')]}
                rows={stats.rules}
                empty={t('of.empty')}
                row={(r) => (
                  <tr key={r.ruleId}>
                    <th scope="row">
                      <code>{r.ruleId}</code>
                    </th>
                    <td>{r.shown}</td>
                    <td>{r.accepted}</td>
                    <td>{r.refused}</td>
                    <td>{r.converted}</td>
                    <td>{share(locale, r.accepted, r.shown)}</td>
                  </tr>
                )}
              />
            </section>
          </>
        )}
      </WhenLoaded>
    </>
  );
}

export const offersView: ConsoleView = { id: 'offers', permission: 'aggregates', title: { fr: 'Offres', en: 'Offers' }, Component: OffersPage };
