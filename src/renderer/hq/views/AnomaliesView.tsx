import { useState } from 'react';
import { hqFetch, HqApiError } from '../api';
import { DataTable, ViewHeader, WhenLoaded } from '../ViewParts';
import { formatAge, formatNumber, formatTime, useLocale, viewText, type Translate } from '../text';
import { useHqData } from '../use-hq-data';
import type { AnomalyReport as AnomalyList, SyncAnomaly as Anomaly } from '../../../shared/sync/anomalies';
import type { ConsoleView } from './view';

const KINDS_FR: Record<string, string> = {
  'kind.offline_overdraft': 'Découvert hors ligne',
  'kind.overdraft': 'Découvert',
  'kind.hold_overdrawn': 'Réservation dépassée',
  'kind.clock_skew': 'Horloge décalée',
  'kind.card_conflict': 'Conflit de carte',
  'kind.member_conflict': 'Conflit de fiche membre',
  'kind.provisional_conflict': 'Conflit de carte provisoire',
  'kind.entry_id_collision': 'Identifiant d’écriture en double',
  'kind.incident_malformed': 'Incident client illisible',
  'kind.stream_frozen': 'Flux gelé ({code})',
};

const KINDS_EN: Record<string, string> = {
  'kind.offline_overdraft': 'Offline overdraft',
  'kind.overdraft': 'Overdraft',
  'kind.hold_overdrawn': 'Hold overdrawn',
  'kind.clock_skew': 'Clock skew',
  'kind.card_conflict': 'Card conflict',
  'kind.member_conflict': 'Member record conflict',
  'kind.provisional_conflict': 'Provisional card conflict',
  'kind.entry_id_collision': 'Duplicate entry id',
  'kind.incident_malformed': 'Unreadable customer incident',
  'kind.stream_frozen': 'Stream frozen ({code})',
};

const useText = viewText(
  {
    ...KINDS_FR,
    'anomalies.title': 'Anomalies de synchronisation',
    'anomalies.intro': 'Ce que le siège a relevé en recevant les écritures des caisses. Une anomalie reste ouverte tant que personne ne l’a traitée.',
    'anomalies.by_kind': 'Par type',
    'anomalies.kind': 'Type',
    'anomalies.open': 'Ouvertes',
    'anomalies.handled': 'Traitées',
    'anomalies.oldest': 'Plus ancienne ouverte',
    'anomalies.list': 'Liste',
    'anomalies.show': 'Afficher',
    'anomalies.show_open': 'Ouvertes seulement',
    'anomalies.show_all': 'Toutes',
    'anomalies.terminal': 'Terminal',
    'anomalies.customer': 'Client',
    'anomalies.detail': 'Détail',
    'anomalies.at': 'Relevée le',
    'anomalies.age': 'Âge',
    'anomalies.status': 'État',
    'anomalies.status.open': 'ouverte',
    'anomalies.status.handled': 'traitée par {by} le {at}',
    'anomalies.mark': 'Marquer comme traitée',
    'anomalies.mark_label': 'Marquer comme traitée : {kind}, {terminal}',
    'anomalies.marked': 'Anomalie marquée comme traitée.',
    'anomalies.none_open': 'Aucune anomalie ouverte.',
    'detail.overdraft': '{points} pts dépensés au-delà du solde',
    'detail.overdraft_late': '{points} pts dépensés au-delà du solde (opération arrivée en retard au siège)',
    'detail.reserved': ', dont {points} réservés par des réservations en cours',
    'detail.hold_overdrawn': 'réservation dépassée de {points} pts',
    'detail.correction': ' — correction {ref}',
    'detail.clock_behind': 'horloge de la caisse en retard de {amount}',
    'detail.clock_ahead': 'horloge de la caisse en avance de {amount}',
    'detail.minutes': '{n} min',
    'detail.seconds': '{n} s',
  },
  {
    ...KINDS_EN,
    'anomalies.title': 'Sync anomalies',
    'anomalies.intro': 'What HQ found while receiving the tills’ entries. An anomaly stays open until someone handles it.',
    'anomalies.by_kind': 'By kind',
    'anomalies.kind': 'Kind',
    'anomalies.open': 'Open',
    'anomalies.handled': 'Handled',
    'anomalies.oldest': 'Oldest open',
    'anomalies.list': 'List',
    'anomalies.show': 'Show',
    'anomalies.show_open': 'Open only',
    'anomalies.show_all': 'All',
    'anomalies.terminal': 'Terminal',
    'anomalies.customer': 'Customer',
    'anomalies.detail': 'Detail',
    'anomalies.at': 'Recorded',
    'anomalies.age': 'Age',
    'anomalies.status': 'Status',
    'anomalies.status.open': 'open',
    'anomalies.status.handled': 'handled by {by} on {at}',
    'anomalies.mark': 'Mark as handled',
    'anomalies.mark_label': 'Mark as handled: {kind}, {terminal}',
    'anomalies.marked': 'Anomaly marked as handled.',
    'anomalies.none_open': 'No open anomaly.',
    'detail.overdraft': '{points} pts spent beyond the balance',
    'detail.overdraft_late': '{points} pts spent beyond the balance (the entry reached HQ late)',
    'detail.reserved': ', {points} of them reserved by pending holds',
    'detail.hold_overdrawn': 'hold overdrawn by {points} pts',
    'detail.correction': ' — correction {ref}',
    'detail.clock_behind': 'till clock {amount} behind',
    'detail.clock_ahead': 'till clock {amount} ahead',
    'detail.minutes': '{n} min',
    'detail.seconds': '{n} s',
  },
);

export function kindLabel(t: Translate, kind: string): string {
  if (kind.startsWith('stream_frozen_')) return t('kind.stream_frozen', { code: kind.slice('stream_frozen_'.length) });
  const label = t(`kind.${kind}`);
  return label === `kind.${kind}` ? kind : label;
}

/** What IT needs to act on, in words for the kinds HQ raises most; the raw fields for the rest. */
function detailText(t: Translate, kind: string, detail: Record<string, unknown>): string {
  const points = typeof detail.points === 'number' ? detail.points : null;
  const correction = typeof detail.correction === 'string' ? t('detail.correction', { ref: detail.correction }) : '';
  if ((kind === 'offline_overdraft' || kind === 'overdraft') && points !== null) {
    const reserved = typeof detail.reserved === 'number' && detail.reserved > 0 ? t('detail.reserved', { points: detail.reserved }) : '';
    return t(detail.late === true ? 'detail.overdraft_late' : 'detail.overdraft', { points }) + reserved + correction;
  }
  if (kind === 'hold_overdrawn' && points !== null) return t('detail.hold_overdrawn', { points }) + correction;
  if (kind === 'clock_skew' && typeof detail.skewMs === 'number') {
    const minutes = Math.round(Math.abs(detail.skewMs) / 60_000);
    const amount = minutes >= 1 ? t('detail.minutes', { n: minutes }) : t('detail.seconds', { n: Math.round(Math.abs(detail.skewMs) / 1000) });
    return t(detail.direction === 'ahead' ? 'detail.clock_ahead' : 'detail.clock_behind', { amount });
  }
  return Object.entries(detail)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' · ');
}

function AnomaliesPage() {
  const t = useText();
  const locale = useLocale();
  const [show, setShow] = useState<'open' | 'all'>('open');
  const { result, reload } = useHqData<AnomalyList>(`/v1/anomalies?status=${show}`);
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  async function markHandled(a: Anomaly) {
    setBusy(a.id);
    try {
      await hqFetch(`/v1/anomalies/${encodeURIComponent(a.id)}/handled`, { method: 'POST' });
      setNotice({ ok: true, text: t('anomalies.marked') });
      reload();
    } catch (error) {
      setNotice({ ok: false, text: t('console.error', { message: error instanceof HqApiError ? error.message : String(error) }) });
    } finally {
      setBusy(null);
    }
  }

  return (
    <>
      <ViewHeader title={t('anomalies.title')}>
        <button type="button" className="button-quiet" onClick={reload}>
          {t('console.refresh')}
        </button>
      </ViewHeader>
      <p className="intro">{t('anomalies.intro')}</p>
      <p className={notice?.ok === false ? 'alert' : 'status-line'} role="status">
        {notice?.text ?? ''}
      </p>
      <WhenLoaded result={result} reload={reload}>
        {(list) => (
          <>
            <h2 id="anomalies-by-kind">{t('anomalies.by_kind')}</h2>
            <DataTable
              labelledBy="anomalies-by-kind"
              id="anomaly-counts"
              columns={[t('anomalies.kind'), t('anomalies.open'), t('anomalies.handled'), t('anomalies.oldest')]}
              rows={list.counts}
              empty={t('console.none')}
              row={(c) => (
                <tr key={c.kind} className={c.open > 0 ? 'has-open' : undefined}>
                  <th scope="row">{kindLabel(t, c.kind)}</th>
                  <td className="num">{formatNumber(locale, c.open)}</td>
                  <td className="num">{formatNumber(locale, c.handled)}</td>
                  <td>{c.oldestOpenAt === null ? '–' : formatAge(locale, list.now - c.oldestOpenAt)}</td>
                </tr>
              )}
            />

            <div className="list-heading">
              <h2 id="anomalies-list">{t('anomalies.list')}</h2>
              <fieldset className="segmented">
                <legend>{t('anomalies.show')}</legend>
                {(['open', 'all'] as const).map((value) => (
                  <label key={value}>
                    <input type="radio" name="anomaly-filter" value={value} checked={show === value} onChange={() => setShow(value)} />
                    {t(value === 'open' ? 'anomalies.show_open' : 'anomalies.show_all')}
                  </label>
                ))}
              </fieldset>
            </div>
            <DataTable
              labelledBy="anomalies-list"
              id="anomaly-list"
              columns={[t('anomalies.kind'), t('anomalies.terminal'), t('anomalies.customer'), t('anomalies.detail'), t('anomalies.at'), t('anomalies.age'), t('anomalies.status')]}
              rows={list.anomalies}
              empty={t(show === 'open' ? 'anomalies.none_open' : 'console.none')}
              row={(a) => (
                <tr key={a.id} className={a.status}>
                  <th scope="row">{kindLabel(t, a.kind)}</th>
                  <td className="nowrap">{a.terminalId ?? '–'}</td>
                  <td>{a.customerId.startsWith('terminal:') ? '–' : a.customerId}</td>
                  <td className="detail">{detailText(t, a.kind, a.detail)}</td>
                  <td>{formatTime(locale, a.createdAt)}</td>
                  <td className="nowrap">{formatAge(locale, list.now - a.createdAt)}</td>
                  <td>
                    {a.status === 'handled' ? (
                      t('anomalies.status.handled', { by: a.handledBy ?? '?', at: a.handledAt === null ? '?' : formatTime(locale, a.handledAt) })
                    ) : (
                      <button
                        type="button"
                        className="button-small"
                        disabled={busy === a.id}
                        aria-label={t('anomalies.mark_label', { kind: kindLabel(t, a.kind), terminal: a.terminalId ?? '–' })}
                        onClick={() => void markHandled(a)}
                      >
                        {t('anomalies.mark')}
                      </button>
                    )}
                  </td>
                </tr>
              )}
            />
          </>
        )}
      </WhenLoaded>
    </>
  );
}

export const anomaliesView: ConsoleView = { id: 'anomalies', permission: 'fleet', title: { fr: 'Anomalies', en: 'Anomalies' }, Component: AnomaliesPage };
