import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { PrivacyAccessView, PrivacyChallengeView } from '../../../shared/contract/privacy-self';
import type { TerminalInfo } from '../../../shared/contract';
import { useApp } from '../../common/app-context';
import { PHONE_LAYOUT } from '../../common/keyboard-layout';
import { OnScreenKeyboard } from '../../common/OnScreenKeyboard';
import { useIdleTimeout } from '../use-idle-timeout';
import { AccessView } from './AccessView';
import { NoticeSections } from './NoticeSections';
import { privacyErrorText } from './privacy-errors';
import './privacy.css';

interface PrivacySelfProps {
  memberId: string;
  info: TerminalInfo;
  /** A code the till already asked for: the customer goes straight to typing it. */
  challenge: PrivacyChallengeView | null;
  startedByTill: boolean;
  onClose(): void;
}

/**
 * « Mes données » on the customer screen (issue 17 item 2): the customer
 * asks for a code, types it, and then sees and acts on what Fidèle holds.
 * Nothing of it outlives this component: leaving (Terminer, the idle timeout,
 * the next customer) ends the proof in the core as well.
 */
export function PrivacySelf({ memberId, info, challenge: sent, startedByTill, onClose }: PrivacySelfProps) {
  const { api, t, locale } = useApp();
  const [challenge, setChallenge] = useState<PrivacyChallengeView | null>(sent);
  const [view, setView] = useState<PrivacyAccessView | null>(null);
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [noticeOpen, setNoticeOpen] = useState(false);
  const [erased, setErased] = useState<string | null>(null);
  const codeRef = useRef<HTMLInputElement>(null);
  const titleRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => setChallenge((c) => sent ?? c), [sent]);
  useEffect(() => {
    if (challenge && !view) codeRef.current?.focus();
  }, [challenge, view]);
  useEffect(() => {
    if (view) titleRef.current?.focus();
  }, [view]);

  function close() {
    void api.call('privacy.selfEnd', {}).catch(() => undefined);
    onClose();
  }
  // Personal data never stays on an unattended screen.
  useIdleTimeout(info.enrolmentIdleMs, close);

  async function run<T>(action: () => Promise<T>): Promise<T | null> {
    setBusy(true);
    setError(null);
    try {
      return await action();
    } catch (e) {
      setError(privacyErrorText(e, t, locale));
      return null;
    } finally {
      setBusy(false);
    }
  }

  async function ask(channel: 'email' | 'sms') {
    const answer = await run(() => api.call('privacy.selfStart', { memberId, channel }));
    if (answer) {
      setChallenge(answer);
      setCode('');
    }
  }

  async function verify(event?: FormEvent) {
    event?.preventDefault();
    const answer = await run(() => api.call('privacy.selfVerify', { code }));
    if (answer) setView(answer);
  }

  let body;
  if (erased) {
    body = (
      <p className="privacy-self-done" role="status" data-testid="privacy-erased">
        {t('privacy.self.erased', { receipt: erased })}
      </p>
    );
  } else if (view) {
    body = <AccessView view={view} info={info} onView={setView} onErased={setErased} />;
  } else if (challenge) {
    body = (
      <form className="privacy-code" onSubmit={(e) => void verify(e)}>
        <p role="status" data-testid="privacy-code-sent">
          {t('privacy.self.sent', { channel: t(`privacy.self.channel.${challenge.channel}`), destination: challenge.destination })}
        </p>
        <label className="enrol-label" htmlFor="privacy-code">
          {t('privacy.self.code_label')}
        </label>
        <input
          id="privacy-code"
          ref={codeRef}
          className="enrol-input privacy-code-input"
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={16}
          value={code}
          aria-invalid={error ? true : undefined}
          aria-describedby="privacy-error"
          onChange={(e) => setCode(e.target.value)}
          data-testid="privacy-code"
        />
        {/* A kiosk has no keyboard of its own: the keypad types into the field, as at enrolment. */}
        <OnScreenKeyboard
          layout={PHONE_LAYOUT}
          onEdit={(edit) => setCode((c) => (edit.kind === 'insert' ? (c + edit.text).replace(/\D/g, '').slice(0, 6) : c.slice(0, -1)))}
          onEnter={() => void verify()}
        />
        <div className="privacy-actions">
          <button type="submit" className="primary" disabled={busy || code.trim() === ''} data-testid="privacy-verify">
            {t('privacy.self.verify')}
          </button>
          <button type="button" onClick={() => void ask(challenge.channel)} disabled={busy}>
            {t('privacy.self.resend')}
          </button>
        </div>
      </form>
    );
  } else {
    body = (
      <div className="privacy-ask">
        <p>{t('privacy.self.intro')}</p>
        <div className="privacy-actions">
          <button type="button" className="primary" onClick={() => void ask('email')} disabled={busy} data-testid="privacy-send-email">
            {t('privacy.self.send_email')}
          </button>
          <button type="button" onClick={() => void ask('sms')} disabled={busy} data-testid="privacy-send-sms">
            {t('privacy.self.send_sms')}
          </button>
        </div>
      </div>
    );
  }

  return (
    <section className="privacy-self" aria-labelledby="privacy-self-title" data-testid="privacy-self">
      <div className="privacy-self-bar">
        <h1 id="privacy-self-title" ref={titleRef} tabIndex={-1}>
          {t('privacy.self.title')}
        </h1>
        <div className="privacy-actions">
          <button type="button" onClick={() => setNoticeOpen((o) => !o)} aria-expanded={noticeOpen} data-testid="privacy-notice-toggle">
            {t('privacy.self.notice')}
          </button>
          <button type="button" className="primary" onClick={close} data-testid="privacy-close">
            {t('privacy.self.close')}
          </button>
        </div>
      </div>
      {startedByTill && !view && !erased && <p className="privacy-self-by-till">{t('privacy.self.started_by_till')}</p>}
      <p id="privacy-error" className="field-error privacy-error" role="alert" data-testid="privacy-error">
        {error ?? ''}
      </p>
      {noticeOpen ? <NoticeSections url={info.privacyNoticeUrl} headingLevel={2} /> : body}
    </section>
  );
}
