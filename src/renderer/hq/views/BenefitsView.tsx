import { DataTable, ViewHeader, WhenLoaded } from '../ViewParts';
import { formatNumber, formatTime, useLocale, viewText } from '../text';
import { useHqData } from '../use-hq-data';
import type { ConsoleView } from './view';

/** GET /v1/benefits (src/hq/benefits/benefit-routes.ts). */
interface BenefitSeats {
  benefit: { id: string; kind: 'service' | 'preview' | 'workshop'; label: { fr: string; en: string }; date: string; capacity: number; pricePoints: number | null; tiers: string[] };
  taken: number;
  left: number;
  booked: number;
  stores: Array<{ storeId: string; booked: number; allotted: number }>;
}

const useText = viewText(
  {
    'bn.title': 'Avantages et places',
    'bn.intro': "Les services, avant-premières et ateliers du programme en vigueur, avec leurs places dans toute l'enseigne : réservées, mises de côté pour les magasins (réservables hors ligne), restantes. Aucun membre n'est nommé.",
    'bn.list': 'Avantages',
    'bn.col.benefit': 'Avantage',
    'bn.col.date': 'Date',
    'bn.col.capacity': 'Capacité',
    'bn.col.booked': 'Réservées',
    'bn.col.left': 'Restantes',
    'bn.col.stores': 'Par magasin (réservées / mises de côté)',
    'bn.col.how': 'Accès',
    'bn.empty': "Le programme en vigueur ne propose aucun avantage.",
    'bn.kind.service': 'Service',
    'bn.kind.preview': 'Avant-première',
    'bn.kind.workshop': 'Atelier',
    'bn.points': '{points} points',
    'bn.tiers': 'statut {tiers}',
    'bn.as_of': 'Au {time}.',
    'bn.refresh': 'Actualiser',
  },
  {
    'bn.title': 'Benefits and seats',
    'bn.intro': 'The services, previews and workshops of the programme in force, with their seats across the chain: booked, set aside for stores (bookable offline), left. No member is named.',
    'bn.list': 'Benefits',
    'bn.col.benefit': 'Benefit',
    'bn.col.date': 'Date',
    'bn.col.capacity': 'Capacity',
    'bn.col.booked': 'Booked',
    'bn.col.left': 'Left',
    'bn.col.stores': 'By store (booked / set aside)',
    'bn.col.how': 'Access',
    'bn.empty': 'The programme in force offers no benefit.',
    'bn.kind.service': 'Service',
    'bn.kind.preview': 'Preview',
    'bn.kind.workshop': 'Workshop',
    'bn.points': '{points} points',
    'bn.tiers': '{tiers} status',
    'bn.as_of': 'As of {time}.',
    'bn.refresh': 'Refresh',
  },
);

/** Benefits and their seats chain-wide (issue 14 item 6): what marketing watches fill up. */
function BenefitsPage() {
  const t = useText();
  const locale = useLocale();
  const { result, reload } = useHqData<{ hqTime: number; benefits: BenefitSeats[] }>('/v1/benefits');
  return (
    <>
      <ViewHeader title={t('bn.title')}>
        <button type="button" className="button-quiet" onClick={reload}>
          {t('bn.refresh')}
        </button>
      </ViewHeader>
      <p className="intro">{t('bn.intro')}</p>
      <WhenLoaded result={result} reload={reload}>
        {(data) => (
          <section aria-labelledby="bn-list-h">
            <h2 id="bn-list-h">{t('bn.list')}</h2>
            <p>{t('bn.as_of', { time: formatTime(locale, data.hqTime) })}</p>
            <DataTable
              labelledBy="bn-list-h"
              id="bn-table"
              columns={[t('bn.col.benefit'), t('bn.col.date'), t('bn.col.how'), t('bn.col.capacity'), t('bn.col.booked'), t('bn.col.left'), t('bn.col.stores')]}
              rows={data.benefits}
              empty={t('bn.empty')}
              row={(b) => (
                <tr key={b.benefit.id} data-benefit={b.benefit.id}>
                  <th scope="row">
                    {t(`bn.kind.${b.benefit.kind}`)} · {b.benefit.label[locale]}
                  </th>
                  <td>{new Intl.DateTimeFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(`${b.benefit.date}T12:00:00Z`))}</td>
                  <td>
                    {[b.benefit.pricePoints !== null ? t('bn.points', { points: formatNumber(locale, b.benefit.pricePoints) }) : null, b.benefit.tiers.length > 0 ? t('bn.tiers', { tiers: b.benefit.tiers.join(', ') }) : null]
                      .filter((x) => x !== null)
                      .join(' · ')}
                  </td>
                  <td>{formatNumber(locale, b.benefit.capacity)}</td>
                  <td className="bn-booked">{formatNumber(locale, b.booked)}</td>
                  <td className="bn-left">{formatNumber(locale, b.left)}</td>
                  <td>{b.stores.map((s) => `${s.storeId} ${s.booked} / ${s.allotted}`).join(', ')}</td>
                </tr>
              )}
            />
          </section>
        )}
      </WhenLoaded>
    </>
  );
}

export const benefitsView: ConsoleView = { id: 'benefits', permission: 'aggregates', title: { fr: 'Avantages', en: 'Benefits' }, Component: BenefitsPage };
