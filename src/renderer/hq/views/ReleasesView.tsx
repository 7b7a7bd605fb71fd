import { useState, type FormEvent } from 'react';
import { hqFetch, HqApiError } from '../api';
import { DataTable, ViewHeader, WhenLoaded } from '../ViewParts';
import { formatNumber, formatTime, useLocale, viewText, type Translate } from '../text';
import { useHqData } from '../use-hq-data';
import type { ReleasesOverview, ReleaseSummary, RolloutProgress, RolloutView } from '../../../shared/updates/releases-overview';
import type { ConsoleView } from './view';

type Overview = Omit<ReleasesOverview, 'now'>;
type Rollout = RolloutView;
type Release = ReleaseSummary;

const PROGRESS_KEYS = ['onTarget', 'downloading', 'waiting', 'failed', 'pending', 'notReached'] as const;

const useText = viewText(
  {
    'rel.title': 'Versions et déploiements',
    'rel.intro':
      'Une version publiée n’atteint aucun terminal avant d’être déployée : par magasin ou par cohorte, sur un pourcentage des terminaux. Un déploiement suspendu n’est plus proposé à de nouveaux terminaux ; ceux qui l’ont reçu le gardent. Pour revenir en arrière, publiez la version précédente sous un nouveau numéro.',
    'rel.min_version': 'Version minimale imposée : {v}',
    'rel.rollouts': 'Déploiements',
    'rel.version': 'Version',
    'rel.scope': 'Magasins et cohortes',
    'rel.percent': 'Part des terminaux',
    'rel.state': 'État',
    'rel.progress': 'Avancement',
    'rel.actions': 'Actions',
    'rel.status.active': 'en cours',
    'rel.status.paused': 'suspendu',
    'rel.store': 'magasin {id}',
    'rel.cohort': 'cohorte {id}',
    'rel.p.onTarget': 'à jour',
    'rel.p.downloading': 'téléchargement',
    'rel.p.waiting': 'en attente',
    'rel.p.failed': 'échec',
    'rel.p.pending': 'pas commencé',
    'rel.p.notReached': 'non atteints',
    'rel.p.summary': '{n} sur {total} terminaux à jour',
    'rel.pause': 'Suspendre',
    'rel.resume': 'Reprendre',
    'rel.pause_label': 'Suspendre le déploiement de {v}',
    'rel.resume_label': 'Reprendre le déploiement de {v}',
    'rel.widen': 'Élargir',
    'rel.widen_of': 'Élargir le déploiement de {v}',
    'rel.widen_percent': 'Pourcentage (au moins {p})',
    'rel.add_stores': 'Magasins à ajouter (séparés par des virgules)',
    'rel.add_cohorts': 'Cohortes à ajouter',
    'rel.apply': 'Appliquer',
    'rel.paused_done': 'Déploiement de {v} suspendu.',
    'rel.resumed_done': 'Déploiement de {v} repris.',
    'rel.widened_done': 'Déploiement de {v} élargi.',
    'rel.new_rollout': 'Nouveau déploiement',
    'rel.choose_version': 'Version',
    'rel.stores_field': 'Magasins (séparés par des virgules)',
    'rel.cohorts_field': 'Cohortes (séparées par des virgules)',
    'rel.start': 'Déployer',
    'rel.started_done': 'Déploiement de {v} lancé.',
    'rel.releases': 'Versions publiées',
    'rel.channel': 'Canal',
    'rel.file': 'Fichier',
    'rel.size': 'Taille',
    'rel.published': 'Publiée le',
    'rel.by': 'Par',
    'rel.downgrade': 'retour arrière signé',
    'rel.channel.stable': 'stable',
    'rel.channel.pilot': 'pilote',
    'rel.stores': 'Magasins',
    'rel.store_col': 'Magasin',
    'rel.cohort_col': 'Cohorte',
    'rel.window_col': 'Fenêtre de maintenance',
    'rel.no_window': 'aucune (seule une version minimale s’installe)',
    'rel.no_cohort': '—',
    'rel.mb': '{n} Mo',
  },
  {
    'rel.title': 'Releases and rollouts',
    'rel.intro':
      'A published release reaches no terminal until it is rolled out: by store or cohort, to a percentage of the terminals. A paused rollout is offered to no new terminal; those that received it keep it. To roll back, publish the previous build under a new version.',
    'rel.min_version': 'Minimum version enforced: {v}',
    'rel.rollouts': 'Rollouts',
    'rel.version': 'Version',
    'rel.scope': 'Stores and cohorts',
    'rel.percent': 'Share of terminals',
    'rel.state': 'State',
    'rel.progress': 'Progress',
    'rel.actions': 'Actions',
    'rel.status.active': 'active',
    'rel.status.paused': 'paused',
    'rel.store': 'store {id}',
    'rel.cohort': 'cohort {id}',
    'rel.p.onTarget': 'on target',
    'rel.p.downloading': 'downloading',
    'rel.p.waiting': 'waiting',
    'rel.p.failed': 'failed',
    'rel.p.pending': 'not started',
    'rel.p.notReached': 'not reached',
    'rel.p.summary': '{n} of {total} terminals on target',
    'rel.pause': 'Pause',
    'rel.resume': 'Resume',
    'rel.pause_label': 'Pause the rollout of {v}',
    'rel.resume_label': 'Resume the rollout of {v}',
    'rel.widen': 'Widen',
    'rel.widen_of': 'Widen the rollout of {v}',
    'rel.widen_percent': 'Percentage (at least {p})',
    'rel.add_stores': 'Stores to add (comma-separated)',
    'rel.add_cohorts': 'Cohorts to add',
    'rel.apply': 'Apply',
    'rel.paused_done': 'Rollout of {v} paused.',
    'rel.resumed_done': 'Rollout of {v} resumed.',
    'rel.widened_done': 'Rollout of {v} widened.',
    'rel.new_rollout': 'New rollout',
    'rel.choose_version': 'Version',
    'rel.stores_field': 'Stores (comma-separated)',
    'rel.cohorts_field': 'Cohorts (comma-separated)',
    'rel.start': 'Roll out',
    'rel.started_done': 'Rollout of {v} started.',
    'rel.releases': 'Published releases',
    'rel.channel': 'Channel',
    'rel.file': 'File',
    'rel.size': 'Size',
    'rel.published': 'Published',
    'rel.by': 'By',
    'rel.downgrade': 'signed downgrade',
    'rel.channel.stable': 'stable',
    'rel.channel.pilot': 'pilot',
    'rel.stores': 'Stores',
    'rel.store_col': 'Store',
    'rel.cohort_col': 'Cohort',
    'rel.window_col': 'Maintenance window',
    'rel.no_window': 'none (only a minimum version installs)',
    'rel.no_cohort': '—',
    'rel.mb': '{n} MB',
  },
);

const ids = (text: string): string[] =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

function scopeText(t: Translate, r: Pick<Rollout, 'stores' | 'cohorts'>): string {
  return [...r.cohorts.map((id) => t('rel.cohort', { id })), ...r.stores.map((id) => t('rel.store', { id }))].join(', ');
}

function ProgressCell({ t, p }: { t: Translate; p: RolloutProgress }) {
  return (
    <div className="rollout-progress">
      <progress max={Math.max(p.inScope, 1)} value={p.onTarget} aria-label={t('rel.p.summary', { n: p.onTarget, total: p.inScope })} />
      <ul className="counts">
        {PROGRESS_KEYS.map((k) => (
          <li key={k} className={k === 'failed' && p.failed > 0 ? 'bad' : undefined} data-count={k}>
            {t(`rel.p.${k}`)} <strong>{p[k]}</strong>
          </li>
        ))}
      </ul>
    </div>
  );
}

function WidenForm({ t, r, onDone }: { t: Translate; r: Rollout; onDone: (change: { percent: number; stores: string[]; cohorts: string[] }) => Promise<void> }) {
  const [percent, setPercent] = useState(String(r.percent));
  const [stores, setStores] = useState('');
  const [cohorts, setCohorts] = useState('');
  const id = `widen-${r.rolloutId}`;
  async function submit(e: FormEvent) {
    e.preventDefault();
    await onDone({ percent: Number(percent), stores: ids(stores), cohorts: ids(cohorts) });
  }
  return (
    <details className="widen">
      <summary>{t('rel.widen')}</summary>
      <form onSubmit={(e) => void submit(e)} aria-label={t('rel.widen_of', { v: r.version })} className="inline-form">
        <label htmlFor={`${id}-percent`}>{t('rel.widen_percent', { p: r.percent })}</label>
        <input id={`${id}-percent`} type="number" min={r.percent} max={100} step={1} value={percent} onChange={(e) => setPercent(e.target.value)} />
        <label htmlFor={`${id}-stores`}>{t('rel.add_stores')}</label>
        <input id={`${id}-stores`} value={stores} onChange={(e) => setStores(e.target.value)} />
        <label htmlFor={`${id}-cohorts`}>{t('rel.add_cohorts')}</label>
        <input id={`${id}-cohorts`} value={cohorts} onChange={(e) => setCohorts(e.target.value)} />
        <button type="submit" className="button-small">
          {t('rel.apply')}
        </button>
      </form>
    </details>
  );
}

function NewRolloutForm({ t, releases, onDone }: { t: Translate; releases: Release[]; onDone: (spec: { version: string; stores: string[]; cohorts: string[]; percent: number }) => Promise<boolean> }) {
  const [version, setVersion] = useState(releases[0]?.version ?? '');
  const [stores, setStores] = useState('');
  const [cohorts, setCohorts] = useState('');
  const [percent, setPercent] = useState('100');
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (await onDone({ version, stores: ids(stores), cohorts: ids(cohorts), percent: Number(percent) })) {
      setStores('');
      setCohorts('');
    }
  }
  return (
    <form className="rollout-form" onSubmit={(e) => void submit(e)} aria-labelledby="rel-new">
      <div>
        <label htmlFor="new-version">{t('rel.choose_version')}</label>
        <select id="new-version" value={version} onChange={(e) => setVersion(e.target.value)}>
          {releases.map((r) => (
            <option key={r.version} value={r.version}>
              {`${r.version} (${t(`rel.channel.${r.channel}`)})`}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor="new-stores">{t('rel.stores_field')}</label>
        <input id="new-stores" value={stores} onChange={(e) => setStores(e.target.value)} />
      </div>
      <div>
        <label htmlFor="new-cohorts">{t('rel.cohorts_field')}</label>
        <input id="new-cohorts" value={cohorts} onChange={(e) => setCohorts(e.target.value)} />
      </div>
      <div>
        <label htmlFor="new-percent">{t('rel.percent')}</label>
        <input id="new-percent" type="number" min={0} max={100} step={1} value={percent} onChange={(e) => setPercent(e.target.value)} />
      </div>
      <button type="submit" className="button-small" disabled={releases.length === 0}>
        {t('rel.start')}
      </button>
    </form>
  );
}

function ReleasesPage() {
  const t = useText();
  const locale = useLocale();
  const { result, reload } = useHqData<Overview>('/v1/releases');
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  async function act(key: string, path: string, body: unknown, done: string): Promise<boolean> {
    setBusy(key);
    try {
      await hqFetch(path, { method: 'POST', body });
      setNotice({ ok: true, text: done });
      reload();
      return true;
    } catch (error) {
      setNotice({ ok: false, text: t('console.error', { message: error instanceof HqApiError ? error.message : String(error) }) });
      return false;
    } finally {
      setBusy(null);
    }
  }

  return (
    <>
      <ViewHeader title={t('rel.title')}>
        <button type="button" className="button-quiet" onClick={reload}>
          {t('console.refresh')}
        </button>
      </ViewHeader>
      <p className="intro">{t('rel.intro')}</p>
      <p className={notice?.ok === false ? 'alert' : 'status-line'} role="status">
        {notice?.text ?? ''}
      </p>
      <WhenLoaded result={result} reload={reload}>
        {(o) => {
          const cohortOf = new Map(o.cohorts.map((c) => [c.storeId, c.cohort]));
          const windowOf = new Map(o.windows.map((w) => [w.storeId, w]));
          const stores = [...new Set([...o.stores, ...o.cohorts.map((c) => c.storeId), ...o.windows.map((w) => w.storeId)])].sort();
          return (
            <>
              <p className="min-version">{t('rel.min_version', { v: o.minAppVersion })}</p>
              <h2 id="rel-rollouts">{t('rel.rollouts')}</h2>
              <DataTable
                labelledBy="rel-rollouts"
                id="rollout-table"
                columns={[t('rel.version'), t('rel.scope'), t('rel.percent'), t('rel.state'), t('rel.progress'), t('rel.actions')]}
                rows={o.rollouts}
                empty={t('console.none')}
                row={(r) => (
                  <tr key={r.rolloutId} className={r.status} data-rollout={r.rolloutId} data-version={r.version}>
                    <th scope="row">{r.version}</th>
                    <td>{scopeText(t, r)}</td>
                    <td className="num">{`${r.percent} %`}</td>
                    <td>{t(`rel.status.${r.status}`)}</td>
                    <td>
                      <ProgressCell t={t} p={r.progress} />
                    </td>
                    <td>
                      <div className="actions">
                        {r.status === 'active' ? (
                          <button
                            type="button"
                            className="button-quiet"
                            disabled={busy === r.rolloutId}
                            aria-label={t('rel.pause_label', { v: r.version })}
                            onClick={() => void act(r.rolloutId, `/v1/releases/rollouts/${encodeURIComponent(r.rolloutId)}/pause`, {}, t('rel.paused_done', { v: r.version }))}
                          >
                            {t('rel.pause')}
                          </button>
                        ) : (
                          <button
                            type="button"
                            className="button-small"
                            disabled={busy === r.rolloutId}
                            aria-label={t('rel.resume_label', { v: r.version })}
                            onClick={() => void act(r.rolloutId, `/v1/releases/rollouts/${encodeURIComponent(r.rolloutId)}/resume`, {}, t('rel.resumed_done', { v: r.version }))}
                          >
                            {t('rel.resume')}
                          </button>
                        )}
                        <WidenForm
                          t={t}
                          r={r}
                          onDone={async (change) => {
                            await act(r.rolloutId, `/v1/releases/rollouts/${encodeURIComponent(r.rolloutId)}/widen`, change, t('rel.widened_done', { v: r.version }));
                          }}
                        />
                      </div>
                    </td>
                  </tr>
                )}
              />

              <h2 id="rel-new">{t('rel.new_rollout')}</h2>
              <NewRolloutForm
                t={t}
                releases={o.releases}
                onDone={(spec) => act('new', '/v1/releases/rollouts', spec, t('rel.started_done', { v: spec.version }))}
              />

              <div className="columns even">
                <section aria-labelledby="rel-releases">
                  <h2 id="rel-releases">{t('rel.releases')}</h2>
                  <DataTable
                    labelledBy="rel-releases"
                    id="release-table"
                    columns={[t('rel.version'), t('rel.channel'), t('rel.file'), t('rel.size'), t('rel.published'), t('rel.by')]}
                    rows={o.releases}
                    empty={t('console.none')}
                    row={(r) => (
                      <tr key={r.version}>
                        <th scope="row">
                          {r.version}
                          {r.allowDowngrade ? <span className="tag">{t('rel.downgrade')}</span> : null}
                        </th>
                        <td>{t(`rel.channel.${r.channel}`)}</td>
                        <td className="detail">{r.fileName}</td>
                        <td className="num nowrap">{t('rel.mb', { n: formatNumber(locale, Math.round((r.size / 1_048_576) * 10) / 10) })}</td>
                        <td>{formatTime(locale, r.publishedAt)}</td>
                        <td>{r.publishedBy}</td>
                      </tr>
                    )}
                  />
                </section>
                <section aria-labelledby="rel-stores">
                  <h2 id="rel-stores">{t('rel.stores')}</h2>
                  <DataTable
                    labelledBy="rel-stores"
                    id="store-table"
                    columns={[t('rel.store_col'), t('rel.cohort_col'), t('rel.window_col')]}
                    rows={stores}
                    empty={t('console.none')}
                    row={(s) => {
                      const w = windowOf.get(s);
                      return (
                        <tr key={s}>
                          <th scope="row">{s}</th>
                          <td>{cohortOf.get(s) ?? t('rel.no_cohort')}</td>
                          <td>{w ? `${w.start}–${w.end} (${w.timeZone})` : t('rel.no_window')}</td>
                        </tr>
                      );
                    }}
                  />
                </section>
              </div>
            </>
          );
        }}
      </WhenLoaded>
    </>
  );
}

export const releasesView: ConsoleView = { id: 'releases', permission: 'releases', title: { fr: 'Versions', en: 'Releases' }, Component: ReleasesPage };
