import { useState, type FormEvent } from 'react';
import { hqFetch } from '../api';
import { DataTable, ViewHeader, WhenLoaded } from '../ViewParts';
import { formatNumber, formatTime, useLocale, viewText } from '../text';
import { useHqData } from '../use-hq-data';
import type { ConsoleView } from './view';

/** GET /v1/social (src/hq/social/social-routes.ts). */
interface Cause {
  id: string;
  name: string;
  description: string;
  imageUrl: string | null;
  goalPoints: number;
  status: 'open' | 'closed';
  totalPoints: number;
  donations: number;
}
interface Social {
  hqTime: number;
  causes: Cause[];
  referrals: { pending: number; rewarded: number; capped: number };
}

const useText = viewText(
  {
    'ca.title': 'Causes et parrainages',
    'ca.intro': "Les causes auxquelles les membres donnent leurs points, avec les totaux de toute l'enseigne, et les parrainages par état. Aucun membre n'est nommé. Un remboursement ne reprend pas un don : il reprend les points au membre.",
    'ca.list': 'Causes',
    'ca.col.cause': 'Cause',
    'ca.col.total': 'Points donnés',
    'ca.col.goal': 'Objectif',
    'ca.col.donations': 'Dons',
    'ca.col.status': 'État',
    'ca.col.action': 'Action',
    'ca.open': 'Ouverte',
    'ca.closed': 'Terminée',
    'ca.close': 'Terminer la collecte',
    'ca.reopen': 'Rouvrir',
    'ca.empty': 'Aucune cause pour le moment.',
    'ca.new': 'Nouvelle cause',
    'ca.id': 'Identifiant (minuscules, tirets)',
    'ca.name': 'Nom',
    'ca.description': 'Description',
    'ca.image': "Adresse de l'image (https, facultative)",
    'ca.goal': 'Objectif (points)',
    'ca.save': 'Créer la cause',
    'ca.saved': 'Cause enregistrée.',
    'ca.referrals': 'Parrainages',
    'ca.ref.pending': 'En attente du premier achat : {n}',
    'ca.ref.rewarded': 'Récompensés : {n}',
    'ca.ref.capped': 'Au-delà du plafond mensuel : {n}',
    'ca.as_of': 'Au {time}.',
    'ca.refresh': 'Actualiser',
  },
  {
    'ca.title': 'Causes and referrals',
    'ca.intro': 'The causes members give their points to, with totals across the chain, and referrals by status. No member is named. A refund does not take a donation back: it claws the points back from the member.',
    'ca.list': 'Causes',
    'ca.col.cause': 'Cause',
    'ca.col.total': 'Points given',
    'ca.col.goal': 'Goal',
    'ca.col.donations': 'Donations',
    'ca.col.status': 'Status',
    'ca.col.action': 'Action',
    'ca.open': 'Open',
    'ca.closed': 'Closed',
    'ca.close': 'Close the collection',
    'ca.reopen': 'Reopen',
    'ca.empty': 'No cause yet.',
    'ca.new': 'New cause',
    'ca.id': 'Id (lower case, dashes)',
    'ca.name': 'Name',
    'ca.description': 'Description',
    'ca.image': 'Image address (https, optional)',
    'ca.goal': 'Goal (points)',
    'ca.save': 'Create the cause',
    'ca.saved': 'Cause saved.',
    'ca.referrals': 'Referrals',
    'ca.ref.pending': 'Awaiting the first purchase: {n}',
    'ca.ref.rewarded': 'Rewarded: {n}',
    'ca.ref.capped': 'Past the monthly cap: {n}',
    'ca.as_of': 'As of {time}.',
    'ca.refresh': 'Refresh',
  },
);

/** Causes defined at HQ and their totals, referrals by status (issue 16 items 1 and 4). */
function CausesPage() {
  const t = useText();
  const locale = useLocale();
  const { result, reload } = useHqData<Social>('/v1/social');
  const [message, setMessage] = useState('');
  const [draft, setDraft] = useState({ id: '', name: '', description: '', imageUrl: '', goalPoints: '10000' });

  async function save(cause: Omit<Cause, 'totalPoints' | 'donations'>) {
    try {
      await hqFetch('/v1/admin/causes', { method: 'POST', body: cause });
      setMessage(t('ca.saved'));
      reload();
    } catch (error) {
      setMessage(error instanceof Error ? error.message : String(error));
    }
  }
  function create(event: FormEvent) {
    event.preventDefault();
    void save({ id: draft.id, name: draft.name, description: draft.description, imageUrl: draft.imageUrl.trim() || null, goalPoints: Number(draft.goalPoints), status: 'open' });
  }
  const field = (key: keyof typeof draft, label: string, type = 'text') => (
    <label style={{ display: 'grid', gap: '0.25rem', maxWidth: '32rem' }}>
      <span>{label}</span>
      <input type={type} value={draft[key]} onChange={(e) => setDraft((d) => ({ ...d, [key]: e.target.value }))} />
    </label>
  );

  return (
    <>
      <ViewHeader title={t('ca.title')}>
        <button type="button" className="button-quiet" onClick={reload}>
          {t('ca.refresh')}
        </button>
      </ViewHeader>
      <p className="intro">{t('ca.intro')}</p>
      <WhenLoaded result={result} reload={reload}>
        {(data) => (
          <>
            <section aria-labelledby="ca-list-h">
              <h2 id="ca-list-h">{t('ca.list')}</h2>
              <p>{t('ca.as_of', { time: formatTime(locale, data.hqTime) })}</p>
              <DataTable
                labelledBy="ca-list-h"
                id="ca-table"
                columns={[t('ca.col.cause'), t('ca.col.total'), t('ca.col.goal'), t('ca.col.donations'), t('ca.col.status'), t('ca.col.action')]}
                rows={data.causes}
                empty={t('ca.empty')}
                row={(c) => (
                  <tr key={c.id} data-cause={c.id}>
                    <th scope="row">{c.name}</th>
                    <td className="ca-total">{formatNumber(locale, c.totalPoints)}</td>
                    <td>{formatNumber(locale, c.goalPoints)}</td>
                    <td>{formatNumber(locale, c.donations)}</td>
                    <td>{t(c.status === 'open' ? 'ca.open' : 'ca.closed')}</td>
                    <td>
                      <button type="button" className="button-quiet" onClick={() => void save({ id: c.id, name: c.name, description: c.description, imageUrl: c.imageUrl, goalPoints: c.goalPoints, status: c.status === 'open' ? 'closed' : 'open' })}>
                        {t(c.status === 'open' ? 'ca.close' : 'ca.reopen')}
                      </button>
                    </td>
                  </tr>
                )}
              />
            </section>
            <section aria-labelledby="ca-ref-h">
              <h2 id="ca-ref-h">{t('ca.referrals')}</h2>
              <ul>
                <li>{t('ca.ref.pending', { n: formatNumber(locale, data.referrals.pending) })}</li>
                <li>{t('ca.ref.rewarded', { n: formatNumber(locale, data.referrals.rewarded) })}</li>
                <li>{t('ca.ref.capped', { n: formatNumber(locale, data.referrals.capped) })}</li>
              </ul>
            </section>
          </>
        )}
      </WhenLoaded>
      <section aria-labelledby="ca-new-h">
        <h2 id="ca-new-h">{t('ca.new')}</h2>
        <form style={{ display: 'grid', gap: '0.75rem', justifyItems: 'start' }} onSubmit={create}>
          {field('id', t('ca.id'))}
          {field('name', t('ca.name'))}
          {field('description', t('ca.description'))}
          {field('imageUrl', t('ca.image'))}
          {field('goalPoints', t('ca.goal'), 'number')}
          <button type="submit">{t('ca.save')}</button>
        </form>
        <p role="status">{message}</p>
      </section>
    </>
  );
}

export const causesView: ConsoleView = { id: 'causes', permission: 'aggregates', title: { fr: 'Causes', en: 'Causes' }, Component: CausesPage };
