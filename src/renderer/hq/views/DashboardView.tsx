import '../dashboard/dashboard.css';
import { useState, type FormEvent } from 'react';
import { ViewHeader } from '../ViewParts';
import { useLocale } from '../text';
import { useHqData } from '../use-hq-data';
import { ChartCard } from '../dashboard/ChartCard';
import { formatDay } from '../dashboard/chart-data';
import { useDashboardText } from '../dashboard/dashboard-text';
import type { ConsoleView } from './view';

/** The charts in the page's order; those of the nightly run describe the whole chain and take no store. */
const CHARTS: readonly { id: string; chainOnly: boolean }[] = [
  { id: 'concentration', chainOnly: false },
  { id: 'tiers', chainOnly: false },
  { id: 'segments', chainOnly: true },
  { id: 'flows', chainOnly: true },
  { id: 'palive', chainOnly: true },
  { id: 'calibration', chainOnly: false },
  { id: 'incidents', chainOnly: false },
  { id: 'points', chainOnly: false },
];

const DAY_MS = 86_400_000;

/** Today in the chain's zone, and two years before: the demo's history and a chain's seasons both show. */
function defaultRange(): { from: string; to: string } {
  const to = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  const from = new Date(Date.parse(`${to}T00:00:00Z`) - 729 * DAY_MS).toISOString().slice(0, 10);
  return { from, to };
}

interface Filters {
  from: string;
  to: string;
  store: string;
}

function queryOf(f: Filters, withStore: boolean): string {
  const q = new URLSearchParams({ from: f.from, to: f.to });
  if (withStore && f.store !== '') q.set('store', f.store);
  return q.toString();
}

function DashboardPage() {
  const t = useDashboardText();
  const locale = useLocale();
  const [draft, setDraft] = useState<Filters>(() => ({ ...defaultRange(), store: '' }));
  const [applied, setApplied] = useState<Filters>(draft);
  const [problem, setProblem] = useState<string | null>(null);
  const stores = useHqData<{ stores: { storeId: string; name: string }[] }>('/v1/dashboard/stores');
  const storeList = stores.result.state === 'ready' ? stores.result.data.stores : [];

  function apply(event: FormEvent) {
    event.preventDefault();
    if (draft.from === '' || draft.to === '' || draft.from > draft.to) {
      setProblem(t('dash.bad_range'));
      return;
    }
    setProblem(null);
    setApplied(draft);
  }

  const storeName = applied.store === '' ? t('dash.all_stores') : (storeList.find((s) => s.storeId === applied.store)?.name ?? applied.store);
  return (
    <>
      <ViewHeader title={t('dash.title')} />
      <p className="intro">{t('dash.intro')}</p>
      <form className="dash-filters" aria-labelledby="dash-filters" onSubmit={apply} noValidate>
        <h2 id="dash-filters" className="visually-hidden">
          {t('dash.filters')}
        </h2>
        <label>
          {t('dash.from')}
          <input type="date" value={draft.from} max={draft.to || undefined} onChange={(e) => setDraft({ ...draft, from: e.target.value })} />
        </label>
        <label>
          {t('dash.to')}
          <input type="date" value={draft.to} min={draft.from || undefined} onChange={(e) => setDraft({ ...draft, to: e.target.value })} />
        </label>
        <label>
          {t('dash.store')}
          <select value={draft.store} onChange={(e) => setDraft({ ...draft, store: e.target.value })}>
            <option value="">{t('dash.all_stores')}</option>
            {storeList.map((s) => (
              <option key={s.storeId} value={s.storeId}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="button-small">
          {t('dash.apply')}
        </button>
        <p className="dash-applied" role="status">
          {problem ?? t('dash.applied', { from: formatDay(locale, applied.from), to: formatDay(locale, applied.to), store: storeName })}
        </p>
      </form>
      <div className="chart-grid">
        {CHARTS.map((c) => (
          <ChartCard key={c.id} chart={c.id} query={queryOf(applied, !c.chainOnly)} note={c.chainOnly && applied.store !== '' ? t('dash.chain_only') : undefined} />
        ))}
      </div>
    </>
  );
}

export const dashboardView: ConsoleView = { id: 'dashboard', permission: 'aggregates', title: { fr: 'Tableau de bord', en: 'Dashboard' }, Component: DashboardPage };
