import { ViewHeader, WhenLoaded } from '../ViewParts';
import { formatTime, useLocale } from '../text';
import { useHqData } from '../use-hq-data';
import { Editor } from '../programme/Editor';
import { HistoryPanel } from '../programme/HistoryPanel';
import type { ProgrammeOverview } from '../programme/model';
import { useProgrammeText } from '../programme/programme-text';
import type { ConsoleSession } from '../session';
import type { ConsoleView } from './view';

/**
 * The loyalty programme (issue 14 item 1): the version in force and the
 * next one, a draft edited with HQ's validator and a preview, publication
 * with an effective time after a look at the diff, and the history with a
 * diff between any two versions. Marketing edits (`programme`); admins read
 * (`aggregates`, as HQ's read routes).
 */
function ProgrammePage() {
  const t = useProgrammeText();
  const locale = useLocale();
  const { result, reload } = useHqData<ProgrammeOverview>('/v1/programme');
  const session = useHqData<ConsoleSession>('/v1/console/session');
  const canEdit = session.result.state === 'ready' && session.result.data.permissions.includes('programme');
  return (
    <>
      <ViewHeader title={t('pg.title')}>
        <button type="button" className="button-quiet" onClick={reload}>
          {t('console.refresh')}
        </button>
      </ViewHeader>
      <p className="intro">{t('pg.intro')}</p>
      <WhenLoaded result={result} reload={reload}>
        {(o) => {
          const next = o.future[0];
          return (
            <>
              <section aria-labelledby="pg-in-force-h" className="pg-card pg-in-force">
                <h2 id="pg-in-force-h">{t('pg.in_force')}</h2>
                <p id="pg-current">
                  {o.current
                    ? t('pg.in_force_line', { version: o.current.version, at: formatTime(locale, o.current.effectiveFrom), by: o.current.publishedBy })
                    : t('pg.in_force_none', { version: o.document.version })}
                </p>
                <p id="pg-next">{next ? t('pg.next', { version: next.version, at: formatTime(locale, next.effectiveFrom), by: next.publishedBy }) : t('pg.next_none')}</p>
              </section>
              {canEdit ? <Editor t={t} overview={o} onPublished={reload} /> : session.result.state === 'ready' ? <p className="intro">{t('pg.read_only')}</p> : null}
              <HistoryPanel key={o.history.map((v) => v.version).join(',')} t={t} history={o.history} />
            </>
          );
        }}
      </WhenLoaded>
    </>
  );
}

export const programmeView: ConsoleView = { id: 'programme', permission: 'aggregates', title: { fr: 'Programme', en: 'Programme' }, Component: ProgrammePage };
