import { useCallback, useEffect, useRef, useState } from 'react';
import type { SessionState } from '../../shared/contract';
import { useApp, useConnected, useEvent } from '../common/app-context';
import { ConnectionBanner } from '../common/ConnectionBanner';
import { LocaleSwitch } from '../common/LocaleSwitch';
import { useTerminalInfo } from '../common/use-terminal-info';
import { EnrolledScreen } from './EnrolledScreen';
import { EnrolmentFlow } from './EnrolmentFlow';
import { GreetingScreen } from './GreetingScreen';
import { IdleScreen } from './IdleScreen';
import { NoticeToast } from './NoticeToast';
import { OffersPanel } from './OffersPanel';
import { BenefitsPanel } from '../common/BenefitsPanel';
import { SurveyScreen, useSurvey } from './SurveyScreen';
import { PrivacySelf } from './privacy/PrivacySelf';
import type { PrivacyChallengeView } from '../../shared/contract/privacy-self';

/**
 * The customer-facing touchscreen. It shows whatever the core's session says
 * (idle, greeting, enrolling, enrolled) and follows `session.changed`; the
 * only state of its own is the enrolment form, which is thrown away whenever
 * an enrolment ends.
 */
export function CustomerScreen() {
  const { api, t, setLocale } = useApp();
  const connected = useConnected();
  const info = useTerminalInfo();
  const [session, setSession] = useState<SessionState | null>(null);
  // A push that lands while `session.get` is in flight is newer than its answer.
  const pushedSince = useRef(0);
  const requested = useRef(0);

  const follow = useCallback((state: SessionState) => {
    pushedSince.current += 1;
    setSession(state);
  }, []);
  useEvent('session.changed', follow);

  const refresh = useCallback(() => {
    const ticket = ++requested.current;
    const pushesBefore = pushedSince.current;
    void api
      .call('session.get', {})
      .then((state) => {
        if (ticket === requested.current && pushesBefore === pushedSince.current) setSession(state);
      })
      .catch(() => undefined);
  }, [api]);

  // On start and after the web bridge reconnects: pushes sent meanwhile are lost.
  useEffect(() => {
    if (connected) refresh();
  }, [connected, refresh]);

  // Each customer starts in the terminal's language, whatever the last one chose.
  const phase = session?.phase;
  const previousPhase = useRef(phase);
  useEffect(() => {
    if (phase === 'idle' && previousPhase.current !== undefined && previousPhase.current !== 'idle' && info) setLocale(info.locale);
    previousPhase.current = phase;
  }, [phase, info, setLocale]);

  // The tab and window title follow the customer's language, as the rest of the screen does.
  useEffect(() => {
    document.title = t('customer.page_title');
  }, [t]);

  // « Mes données » (issue 17 item 2), opened here or by the till; it lasts while its member is shown, or past their erasure until closed.
  const [privacy, setPrivacy] = useState<{ memberId: string; challenge: PrivacyChallengeView | null; byTill: boolean; erased: boolean } | null>(null);
  useEvent(
    'privacy.self',
    useCallback((event) => {
      if (event.state === 'code_sent') setPrivacy((p) => ({ memberId: event.memberId, challenge: event.challenge, byTill: event.by === 'cashier' || (p?.byTill ?? false), erased: false }));
      else if (event.state === 'ended') setPrivacy(null);
      else if (event.state === 'erased') setPrivacy((p) => (p ? { ...p, erased: true } : p));
    }, []),
  );
  const shownId = session?.phase === 'identified' || session?.phase === 'enrolled' ? session.memberId : null;
  useEffect(() => {
    if (privacy && !privacy.erased && privacy.memberId !== shownId) setPrivacy(null);
  }, [privacy, shownId]);

  // Asked after a sale; it never outlives the next customer (the core closes it when they are identified).
  const [survey, setSurvey] = useSurvey();

  const timedOut = useCallback(() => {
    // Leave at once: whatever the core answers, the form must not stay on the glass.
    setSession({ phase: 'idle' });
    void api.call('enrolment.cancel', { reason: 'timeout' }).catch(() => undefined);
  }, [api]);

  let content;
  if (!info || !session) {
    content = (
      <>
        <h1 className="visually-hidden">{t('customer.heading')}</h1>
        <p className="customer-loading">{t('customer.loading')}</p>
      </>
    );
  } else if (privacy) {
    content = (
      <PrivacySelf key={privacy.memberId} memberId={privacy.memberId} info={info} challenge={privacy.challenge} startedByTill={privacy.byTill} onClose={() => setPrivacy(null)} />
    );
  } else if (survey && session.phase !== 'enrolling') {
    content = <SurveyScreen survey={survey} onStep={setSurvey} />;
  } else if (session.phase === 'idle') {
    content = <IdleScreen storeName={info.storeName} unknownCard={session.unknownCard} onSession={follow} />;
  } else if (session.phase === 'identified') {
    content = (
      <>
        <GreetingScreen memberId={session.memberId} greeting={session.greeting} />
        <OffersPanel memberId={session.memberId} />
        {session.greeting.firstName.trim() !== '' && <BenefitsPanel key={session.memberId} memberId={session.memberId} audience="customer" />}
        {session.greeting.firstName.trim() !== '' && (
          <button type="button" className="greeting-privacy" onClick={() => setPrivacy({ memberId: session.memberId, challenge: null, byTill: false, erased: false })} data-testid="customer-privacy-open">
            {t('privacy.self.open')}
          </button>
        )}
      </>
    );
  } else if (session.phase === 'enrolling') {
    content = <EnrolmentFlow key={session.since} info={info} presetCardNumber={session.presetCardNumber} onSession={follow} onTimeout={timedOut} />;
  } else {
    content = <EnrolledScreen greeting={session.greeting} walletQr={session.walletQr} idleMs={info.enrolmentIdleMs} onSession={follow} />;
  }

  return (
    <div className={`customer customer--${session?.phase ?? 'loading'}`}>
      <ConnectionBanner />
      {/* A landmark of its own: whatever a screen reader lands on belongs to one (WCAG 1.3.1). */}
      <header className="customer-corner">
        <LocaleSwitch />
      </header>
      <main className="customer-main">{content}</main>
      <NoticeToast />
    </div>
  );
}
