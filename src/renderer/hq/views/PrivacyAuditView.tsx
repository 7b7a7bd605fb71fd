import { useState, type FormEvent } from 'react';
import { DataTable, ViewHeader, WhenLoaded } from '../ViewParts';
import { formatTime, useLocale, viewText } from '../text';
import { useHqData } from '../use-hq-data';
import type { ConsoleView } from './view';

/** GET /v1/privacy/audit (src/hq/privacy/routes.ts). */
interface AuditEntry {
  auditId: string;
  at: number;
  customerId: string;
  actor: string;
  actorRole: string;
  action: string;
  requestId: string | null;
  detail: Record<string, unknown>;
}

const ACTIONS = ['view', 'rectify', 'export', 'erase', 'erase_refused', 'consent', 'notice', 'access'] as const;

const useText = viewText(
  {
    'pa.title': 'Journal des accès aux données',
    'pa.intro':
      'Chaque consultation, rectification, export et effacement des données d’un membre au siège, avec qui l’a fait et la demande du membre qu’il sert. Le journal ne contient jamais les données elles-mêmes ; après un effacement, l’identifiant du membre ne renvoie plus à personne.',
    'pa.filter': 'Filtrer',
    'pa.member': 'Membre (identifiant)',
    'pa.request': 'Demande',
    'pa.action': 'Action',
    'pa.any': 'Toutes',
    'pa.apply': 'Afficher',
    'pa.list': 'Événements',
    'pa.col.at': 'Quand',
    'pa.col.action': 'Action',
    'pa.col.member': 'Membre',
    'pa.col.who': 'Par',
    'pa.col.request': 'Demande',
    'pa.col.detail': 'Détail',
    'pa.empty': 'Aucun événement pour ce filtre.',
    'pa.erased': 'Ce membre a été effacé : son identifiant est un pseudonyme.',
    'pa.refresh': 'Actualiser',
    'pa.a.view': 'Consultation',
    'pa.a.rectify': 'Rectification',
    'pa.a.export': 'Export',
    'pa.a.erase': 'Effacement',
    'pa.a.erase_refused': 'Effacement refusé',
    'pa.a.consent': 'Consentement',
    'pa.a.notice': 'Avis avant anonymisation',
    'pa.a.access': 'Accès du membre',
  },
  {
    'pa.title': 'Member data access log',
    'pa.intro':
      'Every view, rectification, export and erasure of a member’s data at HQ, with who did it and the member’s request it served. The log never holds the data itself; after an erasure, the member’s id points to no one.',
    'pa.filter': 'Filter',
    'pa.member': 'Member (id)',
    'pa.request': 'Request',
    'pa.action': 'Action',
    'pa.any': 'All',
    'pa.apply': 'Show',
    'pa.list': 'Events',
    'pa.col.at': 'When',
    'pa.col.action': 'Action',
    'pa.col.member': 'Member',
    'pa.col.who': 'By',
    'pa.col.request': 'Request',
    'pa.col.detail': 'Detail',
    'pa.empty': 'No event for this filter.',
    'pa.erased': 'This member was erased: their id is a pseudonym.',
    'pa.refresh': 'Refresh',
    'pa.a.view': 'View',
    'pa.a.rectify': 'Rectification',
    'pa.a.export': 'Export',
    'pa.a.erase': 'Erasure',
    'pa.a.erase_refused': 'Erasure refused',
    'pa.a.consent': 'Consent',
    'pa.a.notice': 'Notice before anonymisation',
    'pa.a.access': 'Member’s access',
  },
);

function pathOf(filter: { member: string; request: string; action: string }): string {
  const q = new URLSearchParams();
  if (filter.member) q.set('member', filter.member);
  if (filter.request) q.set('request', filter.request);
  if (filter.action) q.set('action', filter.action);
  q.set('limit', '500');
  return `/v1/privacy/audit?${q.toString()}`;
}

/** Customer service traces a member's request (issue 17 item 6): who opened, corrected, exported or erased what, and when. */
function PrivacyAuditPage() {
  const t = useText();
  const locale = useLocale();
  const [draft, setDraft] = useState({ member: '', request: '', action: '' });
  const [filter, setFilter] = useState(draft);
  const { result, reload } = useHqData<{ entries: AuditEntry[]; erased: boolean | null }>(pathOf(filter));
  const apply = (event: FormEvent) => {
    event.preventDefault();
    setFilter({ member: draft.member.trim(), request: draft.request.trim(), action: draft.action });
  };
  return (
    <>
      <ViewHeader title={t('pa.title')}>
        <button type="button" className="button-quiet" onClick={reload}>
          {t('pa.refresh')}
        </button>
      </ViewHeader>
      <p className="intro">{t('pa.intro')}</p>
      <form className="filters" aria-label={t('pa.filter')} onSubmit={apply}>
        <label>
          {t('pa.member')}
          <input name="member" value={draft.member} onChange={(e) => setDraft({ ...draft, member: e.target.value })} />
        </label>
        <label>
          {t('pa.request')}
          <input name="request" value={draft.request} onChange={(e) => setDraft({ ...draft, request: e.target.value })} />
        </label>
        <label>
          {t('pa.action')}
          <select name="action" value={draft.action} onChange={(e) => setDraft({ ...draft, action: e.target.value })}>
            <option value="">{t('pa.any')}</option>
            {ACTIONS.map((a) => (
              <option key={a} value={a}>
                {t(`pa.a.${a}`)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">{t('pa.apply')}</button>
      </form>
      <WhenLoaded result={result} reload={reload}>
        {(data) => (
          <section aria-labelledby="pa-list-h">
            <h2 id="pa-list-h">{t('pa.list')}</h2>
            {data.erased ? <p role="status">{t('pa.erased')}</p> : null}
            <DataTable
              labelledBy="pa-list-h"
              id="pa-table"
              columns={[t('pa.col.at'), t('pa.col.action'), t('pa.col.member'), t('pa.col.who'), t('pa.col.request'), t('pa.col.detail')]}
              rows={data.entries}
              empty={t('pa.empty')}
              row={(e) => (
                <tr key={e.auditId} data-action={e.action}>
                  <td>{formatTime(locale, e.at)}</td>
                  <th scope="row">{(ACTIONS as readonly string[]).includes(e.action) ? t(`pa.a.${e.action}`) : e.action}</th>
                  <td>
                    <code>{e.customerId}</code>
                  </td>
                  <td>
                    {e.actor} ({e.actorRole})
                  </td>
                  <td>{e.requestId ?? '—'}</td>
                  <td>
                    {Object.entries(e.detail)
                      .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : String(v)}`)
                      .join(' · ')}
                  </td>
                </tr>
              )}
            />
          </section>
        )}
      </WhenLoaded>
    </>
  );
}

export const privacyAuditView: ConsoleView = { id: 'privacy', permission: 'member', title: { fr: 'Accès aux données', en: 'Data access' }, Component: PrivacyAuditPage };
