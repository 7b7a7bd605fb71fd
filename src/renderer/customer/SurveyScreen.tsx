import { useCallback, useEffect, useRef, useState } from 'react';
import { SURVEY_LOW_SCORE, SURVEY_SCORES, type EventPayload } from '../../shared/contract';
import { INCIDENT_KINDS, type IncidentKind } from '../../shared/domain/relationship-health';
import { useApp, useEvent } from '../common/app-context';

const THANKS_MS = 3_000;
const FACE_COLOURS = ['#c0392b', '#e67e22', '#b8a23a', '#6aa84f', '#1c6b3a'] as const;

/** A face drawn, not an emoji: the kiosk's fonts may have none. The mouth bends from a frown (1) to a smile (5). */
function Face({ score }: { score: number }) {
  const bend = (score - 3) * 7;
  return (
    <svg className="survey-face-icon" viewBox="0 0 64 64" width="96" height="96" aria-hidden="true" focusable="false">
      <circle cx="32" cy="32" r="29" fill={FACE_COLOURS[score - 1]} />
      <circle cx="22" cy="25" r="4" fill="#fff" />
      <circle cx="42" cy="25" r="4" fill="#fff" />
      <path d={`M18 ${44 - bend / 2} Q32 ${44 + bend} 46 ${44 - bend / 2}`} stroke="#fff" strokeWidth="4.5" fill="none" strokeLinecap="round" />
    </svg>
  );
}

export type SurveyStep = { askId: string; step: 'score' | 'kind' | 'thanks'; low: boolean };

/**
 * The question the core asked (survey.ask) until it goes (survey.closed: the
 * answer, its 20 s, or the next customer), then a short thank-you. Null when
 * nothing is asked: the customer screen shows what it showed before.
 */
export function useSurvey(): [SurveyStep | null, (next: SurveyStep | null) => void] {
  const [survey, setSurvey] = useState<SurveyStep | null>(null);
  const onAsk = useCallback((ask: EventPayload<'survey.ask'>) => setSurvey({ askId: ask.askId, step: 'score', low: false }), []);
  useEvent('survey.ask', onAsk);
  const onClosed = useCallback((closed: EventPayload<'survey.closed'>) => {
    // An answered question leaves its thank-you on screen for a moment; anything else goes at once.
    setSurvey((current) => (current?.askId === closed.askId && !(closed.reason === 'answered' && current.step === 'thanks') ? null : current));
  }, []);
  useEvent('survey.closed', onClosed);
  useEffect(() => {
    if (survey?.step !== 'thanks') return;
    const timer = setTimeout(() => setSurvey(null), THANKS_MS);
    return () => clearTimeout(timer);
  }, [survey]);
  return [survey, setSurvey];
}

/** One question, five large faces (buttons named by their words); after a low score, what went wrong. */
export function SurveyScreen({ survey, onStep }: { survey: SurveyStep; onStep(next: SurveyStep | null): void }) {
  const { api, t } = useApp();
  const heading = useRef<HTMLHeadingElement>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => heading.current?.focus(), [survey.step]);

  async function send(input: { score: number } | { kind: IncidentKind }, low: boolean) {
    if (busy) return;
    setBusy(true);
    try {
      const answer = await api.call('survey.answer', { askId: survey.askId, ...input });
      onStep({ askId: survey.askId, step: answer.next, low });
    } catch {
      // Closed meanwhile (its time ran out, the next customer): nothing to keep the customer for.
      onStep(null);
    } finally {
      setBusy(false);
    }
  }

  const skip = (
    <button type="button" className="survey-skip" onClick={() => onStep(null)}>
      {t('customer.survey.skip')}
    </button>
  );
  const [testId, title] =
    survey.step === 'thanks'
      ? ['customer-survey-thanks', survey.low ? 'customer.survey.thanks_low' : 'customer.survey.thanks']
      : survey.step === 'kind'
        ? ['customer-survey-kind', 'customer.survey.what']
        : ['customer-survey', 'customer.survey.question'];
  return (
    <section className={`survey survey-${survey.step}`} aria-labelledby="survey-title" data-testid={testId}>
      <h1 id="survey-title" ref={heading} tabIndex={-1} className="survey-title">
        {t(title)}
      </h1>
      {survey.step === 'kind' && (
        <>
          <p className="survey-hint">{t('customer.survey.what_hint')}</p>
          <div className="survey-kinds">
            {INCIDENT_KINDS.map((kind) => (
              <button key={kind} type="button" className="survey-kind" disabled={busy} onClick={() => void send({ kind }, true)}>
                {t(`customer.survey.kind.${kind}`)}
              </button>
            ))}
          </div>
          {skip}
        </>
      )}
      {survey.step === 'score' && (
        <>
          <div className="survey-faces" role="group" aria-label={t('customer.survey.faces')}>
            {SURVEY_SCORES.map((score) => (
              <button key={score} type="button" className={`survey-face survey-face-${score}`} disabled={busy} onClick={() => void send({ score }, score <= SURVEY_LOW_SCORE)}>
                <Face score={score} />
                <span className="survey-face-label">{t(`customer.survey.score.${score}`)}</span>
              </button>
            ))}
          </div>
          {skip}
        </>
      )}
    </section>
  );
}
