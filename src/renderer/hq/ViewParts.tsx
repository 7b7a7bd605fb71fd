import { Component, type ReactNode } from 'react';
import type { Loaded } from './use-hq-data';
import { useConsoleText } from './text';

/** A view's heading row: its one <h1>, and the actions that apply to the whole view. */
export function ViewHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="view-header">
      <h1 tabIndex={-1}>{title}</h1>
      {children === undefined ? null : <div className="view-actions">{children}</div>}
    </div>
  );
}

/** What a view shows while its data loads or when HQ refused: the view's content once it is there. */
export function WhenLoaded<T>({ result, reload, children }: { result: Loaded<T>; reload: () => void; children: (data: T) => ReactNode }) {
  const t = useConsoleText();
  if (result.state === 'loading') return <p role="status">{t('console.loading')}</p>;
  if (result.state === 'error' && result.error.status === 403) {
    // The role's limit (HQ checks every call): said plainly, no retry to offer.
    return (
      <p className="alert" role="alert">
        {t('console.forbidden.api', { message: result.error.message })}
      </p>
    );
  }
  if (result.state === 'error') {
    return (
      <div className="alert" role="alert">
        <p>{t('console.error', { message: result.error.message })}</p>
        <button type="button" className="button-quiet" onClick={reload}>
          {t('console.retry')}
        </button>
      </div>
    );
  }
  return <>{children(result.data)}</>;
}

/**
 * A table named by the heading whose id is `labelledBy`, one <th scope=col>
 * per column, and a row saying `empty` when there is nothing to list.
 */
export function DataTable<T>({
  labelledBy,
  id,
  columns,
  rows,
  empty,
  row,
}: {
  labelledBy: string;
  id?: string;
  columns: string[];
  rows: readonly T[];
  empty: string;
  row: (item: T) => ReactNode;
}) {
  return (
    <div className="table-wrap">
      <table aria-labelledby={labelledBy} id={id}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th scope="col" key={c}>
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={columns.length}>{empty}</td>
            </tr>
          ) : (
            rows.map(row)
          )}
        </tbody>
      </table>
    </div>
  );
}

/** A view that throws shows what went wrong in its place; the frame (navigation, sign out) stays usable. */
export class ViewErrorBoundary extends Component<{ title: string; children: ReactNode }, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override render() {
    if (this.state.error === null) return this.props.children;
    return (
      <div className="notice">
        <h1 tabIndex={-1}>{this.props.title}</h1>
        <p className="alert" role="alert">
          {this.state.error.message}
        </p>
      </div>
    );
  }
}
