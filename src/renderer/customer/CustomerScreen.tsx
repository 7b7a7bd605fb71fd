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
