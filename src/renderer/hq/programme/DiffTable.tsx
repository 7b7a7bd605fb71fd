import { DataTable } from '../ViewParts';
import type { Translate } from '../text';
import type { DiffLine } from './model';

const shown = (v: unknown): string => (v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v));

/** The shared diff's lines, one per changed value: where, before, after. */
export function DiffTable({ t, id, labelledBy, lines }: { t: Translate; id: string; labelledBy: string; lines: readonly DiffLine[] }) {
  return (
    <DataTable
      labelledBy={labelledBy}
      id={id}
      columns={[t('pg.diff.path'), t('pg.diff.before'), t('pg.diff.after')]}
      rows={lines}
      empty={t('pg.diff.none')}
      row={(l) => (
        <tr key={l.path} data-path={l.path}>
          <th scope="row">
            <code>{l.path}</code>
          </th>
          <td className="detail pg-before">{shown(l.before)}</td>
          <td className="detail pg-after">{shown(l.after)}</td>
        </tr>
      )}
    />
  );
}
