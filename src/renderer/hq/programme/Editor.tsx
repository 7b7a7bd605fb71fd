import { useEffect, useMemo, useRef, useState } from 'react';
import { hqFetch, HqApiError } from '../api';
import { formatTime, useLocale, type Translate } from '../text';
import { DiffTable } from './DiffTable';
import { DraftForm, formFields } from './DraftForm';
import { ProblemList, ProblemsContext, TextField } from './fields';
import { basketLines, fieldId, homeOf, localOf, nextVersionId, setAt, startDraft, zonedInstant, type Draft, type PreviewLine, type Problem, type ProgrammeOverview, type PublishAnswer, type VersionSummary } from './model';
import { PreviewPanel } from './PreviewPanel';
import { answerOf, useValidation } from './use-validation';

/**
 * The draft: the form and the JSON view on the same document, checked by
 * HQ as it is typed; the preview beside it; publishing after a confirm step
 * that shows the diff with the version in force. Publish stays disabled
 * while the JSON does not parse, the check is on its way, or HQ finds an error.
 */
type Outcome = { ok: true; version: VersionSummary; warnings: Problem[] } | { ok: false; message: string; problems: Problem[] };

const pretty = (d: unknown) => JSON.stringify(d, null, 2);

const INSTANT_TEXT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

function initialLines(categories: string[]): PreviewLine[] {
  const pick = (c: string) => (categories.includes(c) ? c : (categories[0] ?? c));
  return [
    { category: pick('grocery'), price: '20', taxRateBp: 550 },
    { category: pick('bio'), price: '12,50', taxRateBp: 550 },
  ];
}

export function Editor({ t, overview, onPublished }: { t: Translate; overview: ProgrammeOverview; onPublished: () => void }) {
  const locale = useLocale();
  const [draft, setDraft] = useState<Draft>(() => startDraft(overview));
  const [jsonText, setJsonText] = useState(() => pretty(draft));
  const [jsonError, setJsonError] = useState<string | null>(null);
  const [lines, setLines] = useState<PreviewLine[]>(() => initialLines(overview.document.categories));
  const [memberId, setMemberId] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const confirmHeading = useRef<HTMLHeadingElement>(null);
  const outcomeRef = useRef<HTMLDivElement>(null);

  const edit = (keys: Array<string | number>, value: unknown) => {
    const next = setAt(draft, keys, value);
    setDraft(next);
    setJsonText(pretty(next));
    setJsonError(null);
    setConfirming(false);
  };
  const editJson = (text: string) => {
    setJsonText(text);
    setConfirming(false);
    try {
      const parsed: unknown = JSON.parse(text);
      setDraft(parsed as Draft);
      setJsonError(null);
    } catch (error) {
      setJsonError(error instanceof Error ? error.message : String(error));
    }
  };

  const basket = basketLines(lines);
  const at = typeof draft.effectiveFrom === 'string' && INSTANT_TEXT.test(draft.effectiveFrom) ? draft.effectiveFrom : undefined;
  const basketRequest = basket ? { lines: basket, ...(at ? { at } : {}) } : undefined;
  const checked = useValidation(jsonError === null ? { document: draft, preview: { ...(basketRequest ? { basket: basketRequest } : {}), ...(memberId.trim() ? { memberId: memberId.trim() } : {}) } } : null);
  const current = useValidation(basketRequest ? { document: overview.document, preview: { basket: basketRequest } } : null);
  const answer = answerOf(checked);
  const problems = useMemo(() => answer?.problems ?? [], [answer]);
  const errors = problems.filter((p) => p.severity === 'error');
  const warnings = problems.filter((p) => p.severity === 'warning');
  const settled = checked.state === 'done';
  const canPublish = jsonError === null && settled && answer !== null && answer.ok;

  const fields = useMemo(() => formFields(draft), [draft]);
  const placed = useMemo(() => {
    const byHome = new Map<string | null, Problem[]>();
    for (const p of problems) {
      const home = homeOf(p.path, fields);
      byHome.set(home, [...(byHome.get(home) ?? []), p]);
    }
    return byHome;
  }, [problems, fields]);
  const problemsAt = useMemo(() => ({ at: (path: string) => placed.get(path) ?? [] }), [placed]);

  const timeZone = typeof draft.timeZone === 'string' && draft.timeZone !== '' ? draft.timeZone : 'Europe/Paris';
  const effectiveLocal = typeof draft.effectiveFrom === 'string' && INSTANT_TEXT.test(draft.effectiveFrom) ? localOf(Date.parse(draft.effectiveFrom), timeZone) : '';

  useEffect(() => {
    if (confirming) confirmHeading.current?.focus();
  }, [confirming]);
  useEffect(() => {
    if (outcome) outcomeRef.current?.focus();
  }, [outcome]);

  async function publish() {
    setBusy(true);
    try {
      const done = await hqFetch<PublishAnswer>('/v1/programme/publish', { method: 'POST', body: { document: draft } });
      setOutcome({ ok: true, version: done.version, warnings: done.problems.filter((p) => p.severity === 'warning') });
      setConfirming(false);
      // The next draft needs an id of its own; the rest stays as published, to go on from.
      edit(['version'], nextVersionId(done.version.version));
      onPublished();
    } catch (error) {
      const refused = error instanceof HqApiError && Array.isArray(error.details.problems) ? (error.details.problems as Problem[]) : [];
      setOutcome({ ok: false, message: error instanceof Error ? error.message : String(error), problems: refused });
      setConfirming(false);
    } finally {
      setBusy(false);
    }
  }

  const unplaced = placed.get(null) ?? [];
  return (
    <ProblemsContext.Provider value={problemsAt}>
      <section aria-labelledby="pg-draft-h" className="pg-draft">
        <h2 id="pg-draft-h">{t('pg.draft', { version: String(draft.version ?? '') })}</h2>
        <p className="intro">{t('pg.draft_intro', { version: overview.document.version })}</p>
        <div className="pg-layout">
          <div>
            <div className="pg-card">
              <h3>{t('pg.s.version')}</h3>
              <div className="pg-fields">
                <TextField path="version" label={t('pg.f.version')} value={String(draft.version ?? '')} onChange={(x) => edit(['version'], x)} />
                <TextField
                  path="effectiveFrom"
                  label={t('pg.f.effective', { zone: timeZone })}
                  type="datetime-local"
                  hint={typeof draft.effectiveFrom === 'string' ? t('pg.h.effective', { instant: draft.effectiveFrom }) : undefined}
                  value={effectiveLocal}
                  onChange={(x) => edit(['effectiveFrom'], zonedInstant(x, timeZone) ?? x)}
                />
              </div>
            </div>
            <DraftForm t={t} draft={draft} edit={edit} />
            <section aria-labelledby="pg-json-h" className="pg-card">
              <h3 id="pg-json-h">{t('pg.json')}</h3>
              <p className="pg-hint" id="pg-json-hint">
                {t('pg.json_hint')}
              </p>
              <label htmlFor="pg-json" className="pg-json-label">
                {t('pg.json_label')}
              </label>
              <textarea
                id="pg-json"
                className="pg-json"
                spellCheck={false}
                rows={18}
                value={jsonText}
                aria-invalid={jsonError !== null || unplaced.some((p) => p.severity === 'error') ? true : undefined}
                aria-describedby={['pg-json-hint', jsonError !== null ? 'pg-json-error' : null, unplaced.length > 0 ? `${fieldId('')}-json-problems` : null].filter(Boolean).join(' ')}
                onChange={(e) => editJson(e.target.value)}
              />
              {jsonError !== null ? (
                <p className="pg-problems error" id="pg-json-error">
                  {t('pg.json_error', { message: jsonError })}
                </p>
              ) : null}
              <ProblemList id={`${fieldId('')}-json-problems`} problems={unplaced} />
            </section>
          </div>

          <div className="pg-side">
            <section className="pg-card" aria-labelledby="pg-check-h">
              <h2 id="pg-check-h">{t('pg.check')}</h2>
              <div role="status" id="pg-check-status" className={errors.length > 0 || jsonError !== null ? 'pg-bad' : 'pg-good'}>
                {jsonError !== null
                  ? t('pg.check_json')
                  : checked.state === 'failed'
                    ? t('console.error', { message: checked.message })
                    : answer === null
                      ? t('pg.checking')
                      : errors.length > 0
                        ? t('pg.check_errors', { n: errors.length })
                        : t('pg.check_ok')}
                {warnings.length > 0 ? ` ${t('pg.check_warnings', { n: warnings.length })}` : ''}
              </div>
              {problems.length > 0 ? (
                <ul className="pg-summary">
                  {problems.map((p, i) => {
                    const home = homeOf(p.path, fields);
                    return (
                      <li key={`${p.path}-${p.key}-${i}`} className={p.severity}>
                        <a href={`#${home === null ? 'pg-json' : fieldId(home)}`}>
                          <code>{p.path || '(document)'}</code>
                        </a>{' '}
                        {p.severity === 'warning' ? <strong>{t('pg.warning')} </strong> : null}
                        {p[locale]}
                      </li>
                    );
                  })}
                </ul>
              ) : null}
            </section>

            <PreviewPanel
              t={t}
              draft={draft}
              categories={Array.isArray(draft.categories) ? (draft.categories as string[]) : overview.document.categories}
              taxRates={Array.isArray(draft.taxRatesBp) ? (draft.taxRatesBp as number[]) : overview.document.taxRatesBp}
              lines={lines}
              setLines={setLines}
              memberId={memberId}
              setMemberId={setMemberId}
              draftBasket={answer?.preview?.basket ?? null}
              currentBasket={answerOf(current)?.preview?.basket ?? null}
              member={answer?.preview?.member ?? null}
              draftValid={answer?.ok === true && jsonError === null}
            />

            <section className="pg-card" aria-labelledby="pg-publish-h">
              <h2 id="pg-publish-h">{t('pg.publish')}</h2>
              <p id="pg-publish-why">{canPublish ? t('pg.publish_ready', { version: String(draft.version), at: at ? formatTime(locale, Date.parse(at)) : '' }) : t('pg.publish_blocked')}</p>
              <button type="button" className="button-link" disabled={!canPublish || busy} aria-describedby="pg-publish-why" onClick={() => setConfirming(true)}>
                {t('pg.publish_button')}
              </button>
              {confirming && canPublish ? (
                <div className="pg-confirm" role="group" aria-labelledby="pg-confirm-h">
                  <h3 id="pg-confirm-h" tabIndex={-1} ref={confirmHeading}>
                    {t('pg.confirm_title', { version: String(draft.version), at: at ? formatTime(locale, Date.parse(at)) : '' })}
                  </h3>
                  <p>{t('pg.confirm_intro', { current: overview.document.version, n: answer?.preview?.diff.length ?? 0 })}</p>
                  <DiffTable t={t} id="pg-confirm-diff" labelledBy="pg-confirm-h" lines={answer?.preview?.diff ?? []} />
                  <div className="pg-confirm-actions">
                    <button type="button" className="button-link" disabled={busy} onClick={() => void publish()}>
                      {t('pg.confirm_yes')}
                    </button>
                    <button type="button" className="button-quiet" onClick={() => setConfirming(false)}>
                      {t('pg.confirm_no')}
                    </button>
                  </div>
                </div>
              ) : null}
              {outcome ? (
                <div ref={outcomeRef} tabIndex={-1} className={outcome.ok ? 'pg-success' : 'alert'} role={outcome.ok ? 'status' : 'alert'} id="pg-outcome">
                  {outcome.ok ? (
                    <p>{t('pg.published', { version: outcome.version.version, at: formatTime(locale, outcome.version.effectiveFrom), by: outcome.version.publishedBy })}</p>
                  ) : (
                    <>
                      <p>{t('pg.refused', { n: outcome.problems.filter((p) => p.severity === 'error').length })}</p>
                      {outcome.problems.length === 0 ? <p>{outcome.message}</p> : null}
                    </>
                  )}
                  <ProblemList id="pg-outcome-problems" problems={outcome.ok ? outcome.warnings : outcome.problems} />
                </div>
              ) : null}
            </section>
          </div>
        </div>
      </section>
    </ProblemsContext.Provider>
  );
}
