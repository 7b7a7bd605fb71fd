import { useEffect, useLayoutEffect, useRef, useState, type FormEvent, type RefObject } from 'react';
import type { Consents, SessionState, TerminalInfo } from '../../shared/contract';
import { formatCardNumber } from '../../shared/domain/card-number';
import { ApiError } from '../api/client';
import { useApp, useEvent } from '../common/app-context';
import { applyEdit, PHONE_LAYOUT, TEXT_LAYOUT, type TextEdit } from '../common/keyboard-layout';
import { OnScreenKeyboard } from '../common/OnScreenKeyboard';
import { ConsentStep } from './ConsentStep';
import { blankDraft, fieldProblem, isTextField, liveProblem, OPTIONAL_FIELDS, sortIssues, STEPS, TEXT_FIELDS, type Draft, type Step, type TextField } from './enrolment-fields';
import { PrivacyNotice } from './PrivacyNotice';
import { SummaryStep } from './SummaryStep';
import { useIdleTimeout } from './use-idle-timeout';
import { ReferralCodeField } from './social/ReferralCodeField';

interface EnrolmentFlowProps {
  info: TerminalInfo;
  presetCardNumber: string | null;
  onSession(state: SessionState): void;
  onTimeout(): void;
}

/** Longest text each field takes, as the contract does: past it, typing stops rather than failing on submit. */
const MAX_LENGTH: Record<TextField, number> = { firstName: 240, lastName: 240, email: 320, phone: 40 };

/**
 * Self-enrolment, one question per screen. Fields are checked as they are
 * typed with the same rules the core applies, so the customer never goes on
 * with a field the core will refuse. All of it lives in this component's
 * state: when the enrolment ends, by whatever route, it unmounts and the
 * customer's details are gone.
 */
export function EnrolmentFlow({ info, presetCardNumber, onSession, onTimeout }: EnrolmentFlowProps) {
  const { api, t, locale } = useApp();
  const [stepIndex, setStepIndex] = useState(0);
  const [draft, setDraft] = useState<Draft>(blankDraft);
  const [attempted, setAttempted] = useState<Partial<Record<TextField, boolean>>>({});
  const [serverErrors, setServerErrors] = useState<Partial<Record<TextField, string>>>({});
  const [generalErrors, setGeneralErrors] = useState<string[]>([]);
  const [submitting, setSubmitting] = useState(false);
  const [privacyOpen, setPrivacyOpen] = useState(false);
  // A friend's referral code (issue 16 item 1): typed on the last page, or their QR read at the till.
  const [referralCode, setReferralCode] = useState('');
  useEvent('enrolment.referral', ({ code }) => {
    setReferralCode(code);
    setGeneralErrors([]);
  });
  const inputRef = useRef<HTMLInputElement>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const pendingCaret = useRef<number | null>(null);

  useIdleTimeout(info.enrolmentIdleMs, onTimeout);

  const step: Step = STEPS[stepIndex]!;
  const field = isTextField(step) ? step : null;

  // A new question: put the caret in its field, or the reader on its title.
  useEffect(() => {
    if (isTextField(step)) {
      const input = inputRef.current;
      input?.focus();
      input?.setSelectionRange(input.value.length, input.value.length);
    } else {
      headingRef.current?.focus();
    }
  }, [step]);

  // A key pressed while nothing has the focus (the customer tapped the
  // background) still types into the field on screen.
  useEffect(() => {
    if (!isTextField(step)) return;
    const refocus = () => {
      const active = document.activeElement;
      if (active === null || active === document.body) inputRef.current?.focus();
    };
    document.addEventListener('keydown', refocus, { capture: true });
    return () => document.removeEventListener('keydown', refocus, { capture: true });
  }, [step]);

  // After an on-screen key, put the caret back where the key left it.
  useLayoutEffect(() => {
    const input = inputRef.current;
    if (pendingCaret.current === null || !input) return;
    input.focus();
    input.setSelectionRange(pendingCaret.current, pendingCaret.current);
    pendingCaret.current = null;
  }, [draft]);

  function setField(name: TextField, value: string) {
    setDraft((d) => ({ ...d, [name]: value }));
    setServerErrors((e) => (e[name] ? { ...e, [name]: undefined } : e));
    setGeneralErrors([]);
  }

  function onKeyboardEdit(edit: TextEdit) {
    const input = inputRef.current;
    if (!field || !input) return;
    const value = draft[field];
    const next = applyEdit({ value, start: input.selectionStart ?? value.length, end: input.selectionEnd ?? value.length }, edit);
    if (next.value.length > MAX_LENGTH[field]) return;
    pendingCaret.current = next.start;
    setField(field, next.value);
  }

  function goTo(index: number) {
    setStepIndex(Math.max(0, Math.min(STEPS.length - 1, index)));
  }

  function next() {
    if (field) {
      setAttempted((a) => ({ ...a, [field]: true }));
      if (fieldProblem(field, draft[field]) !== null || serverErrors[field]) {
        inputRef.current?.focus();
        return;
      }
    }
    goTo(stepIndex + 1);
  }

  function onFieldSubmit(event: FormEvent) {
    event.preventDefault();
    next();
  }

  async function abandon() {
    try {
      onSession(await api.call('enrolment.cancel', { reason: 'abandoned' }));
    } catch {
      onSession({ phase: 'idle' });
    }
  }

  async function submit() {
    // The core checks again, but a field that is wrong here is wrong there.
    const wrong = TEXT_FIELDS.find((f) => fieldProblem(f, draft[f]) !== null);
    if (wrong) {
      setAttempted((a) => ({ ...a, [wrong]: true }));
      goTo(STEPS.indexOf(wrong));
      return;
    }
    setSubmitting(true);
    setGeneralErrors([]);
    try {
      await api.call('enrolment.submit', {
        firstName: draft.firstName,
        lastName: draft.lastName,
        email: draft.email,
        phone: draft.phone,
        consents: draft.consents,
        consentWordingVersion: info.consentWordingVersion,
        locale,
        ...(referralCode.trim() ? { referralCode } : {}),
      });
      // `session.changed` takes the screen to the new card.
    } catch (e) {
      setSubmitting(false);
      if (!(e instanceof ApiError)) {
        setGeneralErrors(['error.internal']);
        return;
      }
      const sorted = sortIssues(e.issues);
      setServerErrors(sorted.fields);
      const hasFieldErrors = Object.keys(sorted.fields).length > 0;
      const general = [...sorted.general];
      if (hasFieldErrors) general.unshift('customer.enrol.fix_fields');
      if (general.length === 0) general.push(`error.${e.code}`);
      setGeneralErrors(general);
    }
  }

  const title = t(`customer.enrol.step.${step}`);
  const progress = { step: stepIndex + 1, total: STEPS.length };

  return (
    <section className="enrol" aria-labelledby="enrol-step-title">
      <header className="enrol-bar">
        <div className="enrol-bar-actions">
          <button type="button" className="enrol-abandon" onClick={() => void abandon()}>
            {t('customer.enrol.abandon')}
          </button>
          {stepIndex > 0 && (
            <button type="button" className="enrol-back" onClick={() => goTo(stepIndex - 1)}>
              <span aria-hidden="true">← </span>
              {t('customer.enrol.back')}
            </button>
          )}
        </div>
        <div className="enrol-progress">
          {/* The page's level-one heading: each step's question is a level-two heading under it. */}
          <h1 className="enrol-progress-title">{t('customer.enrol.title')}</h1>
          <span className="enrol-progress-step">{t('customer.enrol.progress', progress)}</span>
          <ol className="enrol-dots" aria-hidden="true">
            {STEPS.map((s, i) => (
              <li key={s} className={i < stepIndex ? 'done' : i === stepIndex ? 'current' : ''} />
            ))}
          </ol>
        </div>
        {/* The language switch sits in this corner. */}
        <span />
      </header>
      <p className="visually-hidden" aria-live="polite">
        {t('customer.enrol.announce', { ...progress, title })}
      </p>

      {field ? (
        <>
          <form className="enrol-field" onSubmit={onFieldSubmit} noValidate autoComplete="off">
            <h2 id="enrol-step-title" className="enrol-step-title" ref={headingRef} tabIndex={-1}>
              {title}
            </h2>
            <FieldInput
              field={field}
              value={draft[field]}
              problem={serverErrors[field] ?? liveProblem(field, draft[field], attempted[field] ?? false)}
              inputRef={inputRef}
              onChange={(value) => setField(field, value)}
            />
          </form>
          <OnScreenKeyboard layout={field === 'phone' ? PHONE_LAYOUT : TEXT_LAYOUT} onEdit={onKeyboardEdit} onEnter={next} />
        </>
      ) : (
        <div className="enrol-page">
          <h2 id="enrol-step-title" className="enrol-step-title" ref={headingRef} tabIndex={-1}>
            {title}
          </h2>
          {step === 'consents' ? (
            <ConsentStep
              consents={draft.consents}
              onChange={(consents: Consents) => setDraft((d) => ({ ...d, consents }))}
              onShowPrivacy={() => setPrivacyOpen(true)}
            />
          ) : (
            <SummaryStep
              draft={draft}
              fieldErrors={serverErrors}
              generalErrors={generalErrors}
              presetCard={presetCardNumber ? formatCardNumber(presetCardNumber) : null}
              onEdit={(f) => goTo(STEPS.indexOf(f))}
            />
          )}
          <div className="enrol-nav">
            {step === 'summary' && (
              <ReferralCodeField
                value={referralCode}
                onChange={(value) => {
                  setReferralCode(value);
                  setGeneralErrors([]);
                }}
              />
            )}
            {step === 'consents' ? (
              <button type="button" className="primary" onClick={next}>
                {t('customer.enrol.next')}
              </button>
            ) : (
              <button type="button" className="primary enrol-submit" onClick={() => void submit()} disabled={submitting}>
                {submitting ? t('customer.enrol.submitting') : t('customer.enrol.submit')}
              </button>
            )}
          </div>
        </div>
      )}
      {privacyOpen && <PrivacyNotice url={info.privacyNoticeUrl} onClose={() => setPrivacyOpen(false)} />}
    </section>
  );
}

interface FieldInputProps {
  field: TextField;
  value: string;
  problem: string | null;
  inputRef: RefObject<HTMLInputElement | null>;
  onChange(value: string): void;
}

function FieldInput({ field, value, problem, inputRef, onChange }: FieldInputProps) {
  const { t } = useApp();
  const optional = OPTIONAL_FIELDS.has(field);
  const hint = field === 'email' ? t('customer.enrol.hint.email') : field === 'phone' ? t('customer.enrol.hint.phone') : null;
  return (
    <div className="enrol-input-group">
      <label htmlFor="enrol-input" className="enrol-label">
        {t(`customer.enrol.field.${field}`)}
      </label>
      <input
        id="enrol-input"
        ref={inputRef}
        key={field}
        className="enrol-input"
        type="text"
        // Our own keyboard is on the glass; keep the system one away.
        inputMode="none"
        autoComplete="off"
        autoCorrect="off"
        autoCapitalize={field === 'firstName' || field === 'lastName' ? 'words' : 'off'}
        spellCheck={false}
        maxLength={MAX_LENGTH[field]}
        value={value}
        aria-invalid={problem !== null}
        aria-describedby="enrol-hint enrol-error"
        onChange={(e) => onChange(e.target.value)}
      />
      <p id="enrol-hint" className="enrol-hint">
        {[hint, optional ? t('customer.enrol.optional') : null].filter(Boolean).join(' ')}
      </p>
      <p id="enrol-error" className="field-error enrol-error" aria-live="polite">
        {problem ? t(problem) : ''}
      </p>
    </div>
  );
}
