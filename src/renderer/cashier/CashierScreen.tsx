import { useCallback, useEffect, useRef, useState } from 'react';
import type { EventPayload, IdentifyResult, MemberDetail, MemberSummary, SearchHit, SessionState } from '../../shared/contract';
import { formatCardNumber } from '../../shared/domain/card-number';
import { ConnectionBanner } from '../common/ConnectionBanner';
import { useApp, useEvent } from '../common/app-context';
import { EnrolmentBanner } from './EnrolmentBanner';
import { MemberLookup } from './MemberLookup';
import { MemberPanel } from './MemberPanel';
import { ScanMessage, type ScanOutcome } from './ScanMessage';
import { offerProductCode } from './product-codes';
import { StatusHeader } from './StatusHeader';
import { SurveyNotice } from './SurveyNotice';
import { errorText } from '../common/error-text';
import { useGlobalTyping } from './use-global-typing';
import { useSession } from './use-session';
import { useTerminalInfo } from '../common/use-terminal-info';

/** What the right-hand side shows about the customer at the till. */
type CustomerView =
  | { kind: 'empty' }
  | { kind: 'member'; memberId: string; member: MemberSummary | null; detail: MemberDetail | null }
  | ScanOutcome;

type Translate = ReturnType<typeof useApp>['t'];

/** Kept as a function of the translator so a language switch re-words it; `id` makes a repeat be announced again. */
interface Announcement {
  id: number;
  text(t: Translate): string;
}

const fullName = (m: { firstName: string; lastName: string }) => `${m.firstName} ${m.lastName}`;

export function CashierScreen() {
  const { api, t } = useApp();
  const info = useTerminalInfo();
  const inputRef = useRef<HTMLInputElement>(null);
  const [view, setViewState] = useState<CustomerView>({ kind: 'empty' });
  const viewRef = useRef(view);
  // Bumped on every change of view, so a member record that arrives late is dropped.
  const viewTicket = useRef(0);
  const [announcement, setAnnouncement] = useState<Announcement | null>(null);
  const [notice, setNotice] = useState<EventPayload<'notice'> | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);

  useEffect(() => {
    document.title = t('cashier.page_title');
  }, [t]);

  const setView = useCallback((next: CustomerView) => {
    viewTicket.current += 1;
    viewRef.current = next;
    setViewState(next);
  }, []);

  const announce = useCallback((text: (t: Translate) => string) => {
    setAnnouncement((previous) => ({ id: (previous?.id ?? 0) + 1, text }));
  }, []);

  const showMember = useCallback(
    (memberId: string, member: MemberSummary | null) => {
      const current = viewRef.current;
      // The session event and the call's reply both name the member: load once.
      if (current.kind === 'member' && current.memberId === memberId) {
        if (member && !current.member) {
          viewRef.current = { ...current, member };
          setViewState(viewRef.current);
        }
        return;
      }
      setView({ kind: 'member', memberId, member, detail: null });
      const ticket = viewTicket.current;
      api.call('member.get', { memberId }).then(
        (detail) => {
          if (ticket === viewTicket.current) setView({ kind: 'member', memberId, member: detail, detail });
        },
        (error: unknown) => {
          if (ticket === viewTicket.current) setActionError(error);
        },
      );
    },
    [api, setView],
  );

  const showResult = useCallback(
    (result: IdentifyResult, code: string | null) => {
      setNotice(null);
      setActionError(null);
      switch (result.kind) {
        case 'member':
          showMember(result.member.id, result.member);
          announce((t) => t('cashier.announce.identified', { name: fullName(result.member) }));
          return;
        case 'unknown_card':
          setView({ kind: 'unknown_card', cardNumber: result.cardNumber });
          announce((t) => t('cashier.announce.unknown', { card: formatCardNumber(result.cardNumber) }));
          return;
        case 'invalid':
          // An article's barcode leaves the customer at the till on screen; the notice says what was read.
          if (result.problem === 'product') {
            // An open manual sale adds the article (product-codes.ts); without one, the notice says what was read.
            if (code !== null && offerProductCode(code)) return;
            setNotice({ level: 'warning', key: 'card.product', at: Date.now(), audience: 'cashier' });
            announce((t) => t('card.product'));
            return;
          }
          setView({ kind: 'invalid', problem: result.problem, code });
          announce((t) => t('cashier.announce.invalid', { problem: t(`card.${result.problem}`) }));
          return;
      }
    },
    [announce, setView, showMember],
  );

  const onSession = useCallback(
    (state: SessionState) => {
      const current = viewRef.current;
      // A notice (a scan refused during an enrolment) is about the phase that just ended.
      setNotice(null);
      switch (state.phase) {
        case 'identified':
          showMember(state.memberId, null);
          return;
        case 'enrolled':
          if (current.kind !== 'member' || current.memberId !== state.memberId) {
            announce((t) => t('cashier.announce.enrolled', { name: state.greeting.firstName }));
          }
          showMember(state.memberId, null);
          return;
        case 'enrolling':
          // The customer screen now belongs to someone joining; whatever the till showed is stale.
          if (current.kind !== 'empty') setView({ kind: 'empty' });
          return;
        case 'idle':
          if (current.kind === 'member') setView({ kind: 'empty' });
          return;
      }
    },
    [announce, setView, showMember],
  );
  const session = useSession(onSession);

  const onScan = useCallback(
    (scan: EventPayload<'scan.read'>) => {
      // An ignored scan (held over the card, or during an enrolment) changes nothing; the core sends a notice when it matters.
      if (scan.result.kind !== 'ignored') showResult(scan.result, scan.productCode ?? null);
    },
    [showResult],
  );
  useEvent('scan.read', onScan);
  useEvent('notice', setNotice);
  useGlobalTyping(inputRef);

  const identify = useCallback(
    async (code: string) => {
      const result = await api.call('member.identify', { code, source: 'keyboard' });
      showResult(result, code);
    },
    [api, showResult],
  );

  const select = useCallback(
    async (hit: SearchHit) => {
      const member = await api.call('member.select', { memberId: hit.id });
      setNotice(null);
      setActionError(null);
      showMember(member.id, member);
      announce((t) => t('cashier.announce.identified', { name: fullName(member) }));
    },
    [announce, api, showMember],
  );

  /** Runs a button's command; its failure is shown, and focus returns to the input for the next scan. */
  async function command(run: () => Promise<void>) {
    setActionError(null);
    setNotice(null);
    try {
      await run();
    } catch (error) {
      setActionError(error);
    }
    inputRef.current?.focus();
  }

  const enrol = (presetCardNumber: string | null) =>
    command(async () => {
      await api.call('enrolment.start', { presetCardNumber });
      setView({ kind: 'empty' });
      announce((t) => t('cashier.announce.enrolling'));
    });

  const cancelEnrolment = () =>
    command(async () => {
      await api.call('enrolment.cancel', { reason: 'cashier' });
      announce((t) => t('cashier.announce.cancelled'));
    });

  const nextCustomer = () =>
    command(async () => {
      await api.call('session.clear', {});
      setView({ kind: 'empty' });
      announce((t) => t('cashier.announce.cleared'));
    });

  const enrolling = session?.phase === 'enrolling' ? session : null;

  return (
    <div className="cashier">
      <ConnectionBanner />
      <StatusHeader storeName={info?.storeName ?? ''} session={session} ledger={info?.ledger ?? null} />
      <main className="cashier-main">
        <div className="lookup-column">
          <MemberLookup inputRef={inputRef} onIdentify={identify} onSelect={select} />
          {!enrolling && (
            <div className="lookup-actions">
              <button type="button" onClick={() => void enrol(null)}>
                {t('cashier.enrol.new')}
              </button>
            </div>
          )}
        </div>
        <div className="customer-column">
          <SurveyNotice />
          {enrolling && <EnrolmentBanner presetCardNumber={enrolling.presetCardNumber} onCancel={() => void cancelEnrolment()} />}
          {notice && (
            <p className={`notice notice-${notice.level}`} role="status">
              {t(notice.key)}
            </p>
          )}
          {actionError !== null && (
            <div className="action-error" role="alert">
              {errorText(actionError, t).map((text) => (
                <p key={text}>{text}</p>
              ))}
            </div>
          )}
          <CustomerPanel
            view={view}
            enrolling={enrolling !== null}
            onEnrol={(card) => void enrol(card)}
            onNext={() => void nextCustomer()}
            announce={announce}
            loyaltySuspended={info?.ledger.state === 'damaged'}
          />
        </div>
      </main>
      <p className="visually-hidden" aria-live="polite">
        {announcement && <span key={announcement.id}>{announcement.text(t)}</span>}
      </p>
    </div>
  );
}

function CustomerPanel(props: {
  view: CustomerView;
  enrolling: boolean;
  onEnrol(card: string | null): void;
  onNext(): void;
  announce(text: (t: Translate) => string): void;
  loyaltySuspended: boolean;
}) {
  const { t } = useApp();
  const { view } = props;
  switch (view.kind) {
    case 'member':
      return (
        <MemberPanel
          key={view.memberId}
          memberId={view.memberId}
          member={view.member}
          detail={view.detail}
          onNext={props.onNext}
          announce={props.announce}
          loyaltySuspended={props.loyaltySuspended}
        />
      );
    case 'unknown_card':
    case 'invalid':
      return <ScanMessage outcome={view} onEnrol={props.onEnrol} />;
    case 'empty':
      if (props.enrolling) return null;
      return (
        <section className="panel empty-panel" aria-label={t('cashier.empty.title')}>
          <h2>{t('cashier.empty.title')}</h2>
          <p>{t('cashier.empty.body')}</p>
        </section>
      );
  }
}
