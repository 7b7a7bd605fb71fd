import { useState } from 'react';
import { DataTable, WhenLoaded } from '../ViewParts';
import { formatTime, useLocale, type Translate } from '../text';
import { useHqData } from '../use-hq-data';
import { DiffTable } from './DiffTable';
import type { DiffAnswer, VersionSummary } from './model';

/** Every published version (the latest effective first), and the diff between any two of them. */
export function HistoryPanel({ t, history }: { t: Translate; history: readonly VersionSummary[] }) {
  const locale = useLocale();
  const [from, setFrom] = useState(history[1]?.version ?? 'default');
  const [to, setTo] = useState(history[0]?.version ?? 'default');
  const choices = [...history.map((v) => v.version), 'default'];
  const name = (v: string) => (v === 'default' ? t('pg.default_version') : v);
  return (
    <section aria-labelledby="pg-history-h">
      <h2 id="pg-history-h">{t('pg.history')}</h2>
      <DataTable
        labelledBy="pg-history-h"
        id="pg-history"
        columns={[t('pg.col.version'), t('pg.col.status'), t('pg.col.effective'), t('pg.col.published'), t('pg.col.by')]}
        rows={history}
        empty={t('pg.no_history')}
        row={(v) => (
          <tr key={v.version} data-version={v.version} className={v.status === 'current' ? 'pg-current' : undefined}>
            <th scope="row">{v.version}</th>
            <td>{t(`pg.status.${v.status}`)}</td>
            <td>{formatTime(locale, v.effectiveFrom)}</td>
            <td>{formatTime(locale, v.publishedAt)}</td>
            <td>{v.publishedBy}</td>
          </tr>
        )}
      />
      <h3 id="pg-compare-h">{t('pg.compare')}</h3>
      <div className="rollout-form pg-compare">
        <VersionSelect id="pg-diff-from" label={t('pg.diff.from')} value={from} onChange={setFrom} choices={choices} name={name} />
        <VersionSelect id="pg-diff-to" label={t('pg.diff.to')} value={to} onChange={setTo} choices={choices} name={name} />
      </div>
      <VersionDiff t={t} from={from} to={to} title={t('pg.diff.title', { from: name(from), to: name(to) })} />
    </section>
  );
}

function VersionDiff({ t, from, to, title }: { t: Translate; from: string; to: string; title: string }) {
  const { result, reload } = useHqData<DiffAnswer>(`/v1/programme/diff?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
  return (
    <>
      <h4 id="pg-diff-h">{title}</h4>
      <WhenLoaded result={result} reload={reload}>
        {(d) => <DiffTable t={t} id="pg-version-diff" labelledBy="pg-diff-h" lines={d.lines} />}
      </WhenLoaded>
    </>
  );
}

function VersionSelect({ id, label, value, onChange, choices, name }: { id: string; label: string; value: string; onChange: (v: string) => void; choices: string[]; name: (v: string) => string }) {
  return (
    <div>
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {choices.map((v) => (
          <option key={v} value={v}>
            {name(v)}
          </option>
        ))}
      </select>
    </div>
  );
}
