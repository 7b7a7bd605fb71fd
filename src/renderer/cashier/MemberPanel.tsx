import { useId, useState } from 'react';
import { CONSENT_PURPOSES, type MemberDetail, type MemberSummary } from '../../shared/contract';
import { formatCardNumber } from '../../shared/domain/card-number';
import { formatFrenchPhone } from '../../shared/domain/phone';
import { formatPoints } from '../../shared/domain/receipt-layout';
import { formatDate } from '../../shared/i18n/i18n';
import { useApp } from '../common/app-context';
import { LastMove } from './LastMove';
import { ManualSale } from './ManualSale';
import { NfcPairing } from './NfcPairing';
import { TillPrivacyActions } from '../customer/privacy/TillPrivacyActions';
import { PointsSummary } from './PointsSummary';
import { useLedgerAccount } from './use-ledger-account';
import { VisitList } from './VisitList';
import { IncidentPanel } from './IncidentPanel';
import { RelationshipBadge } from './RelationshipBadge';
import { ValueHint } from './ValueHint';
import { TierLine } from '../common/TierLine';
import { VoucherLine } from '../common/VoucherLine';
import { BenefitsPanel } from '../common/BenefitsPanel';
import { SocialActions } from './SocialActions';
import { RegularityLine } from '../common/RegularityLine';
import { useRelationship } from './use-relationship';
import { useTerminalInfo } from '../common/use-terminal-info';

type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];

/** The latest recorded choice per purpose: the history keeps every change, the till shows where it stands. */
export function currentConsents(detail: MemberDetail): Map<ConsentPurpose, boolean> {
  const latest = new Map<ConsentPurpose, { granted: boolean; at: number }>();
  for (const record of detail.consents) {
    const seen = latest.get(record.purpose);
    if (!seen || record.recordedAt >= seen.at) latest.set(record.purpose, { granted: record.granted, at: record.recordedAt });
  }
  return new Map([...latest].map(([purpose, { granted }]) => [purpose, granted]));
}

type Translate = ReturnType<typeof useApp>['t'];

interface MemberPanelProps {
  memberId: string;
  /** What identify or select returned, shown at once while the full record loads. */
  member: MemberSummary | null;
  detail: MemberDetail | null;
  onNext(): void;
  /** Says something to screen-reader users, worded in whatever language is current. */
  announce(text: (t: Translate) => string): void;
  /** The journal failed its check at start: no sale or refund can be written, so none is offered. */
  loyaltySuspended: boolean;
}

export function MemberPanel({ memberId, member, detail, onNext, announce, loyaltySuspended }: MemberPanelProps) {
  const { t, locale } = useApp();
  const headingId = useId();
  const ledger = useLedgerAccount(memberId);
  const relation = useRelationship(memberId);
  const info = useTerminalInfo();
  // No cashier logs in: the journal names the till screen of this terminal.
  const recordedBy = `caisse:${info?.terminalId ?? 'terminal'}`;
  const [manualOpen, setManualOpen] = useState(false);
  // The manual sale this screen just committed confirms itself; the other movements show in LastMove.
  const [ownReceipt, setOwnReceipt] = useState<string | null>(null);
  const shown = detail ?? member;
  const displayName = shown && (shown.firstName || shown.lastName) ? `${shown.firstName} ${shown.lastName}` : t('cashier.member.provisional');

  return (
    <section className="panel member-panel" data-testid="cashier-member" aria-labelledby={headingId} aria-busy={!detail}>
      {shown ? (
        <>
          <div className="member-side">
          <header className="member-head">
            <h2 id={headingId}>{displayName}</h2>
            <p className="member-card">
              <span className="label">{t('cashier.member.card')}</span> <span className="mono">{formatCardNumber(shown.cardNumber)}</span>
            </p>
          </header>
          <RelationshipBadge relationship={relation.relationship} />
          <ValueHint memberId={memberId} />
          <TierLine tier={ledger.account?.tier} testId="cashier-tier" />
          <VoucherLine voucher={ledger.account?.vouchers?.[0]} testId="cashier-member-voucher" />
          <RegularityLine regularity={ledger.account?.regularity} testId="cashier-regularity" />
          {!shown.firstName && !shown.lastName && <p className="member-provisional">{t('cashier.member.provisional_help')}</p>}
          <p className="member-since">{t('cashier.member.since', { date: formatDate(locale, shown.memberSince) })}</p>
          <PointsSummary account={ledger.account} error={ledger.error} />
          <div className="panel-actions member-actions">
            <button
              type="button"
              aria-expanded={manualOpen && !loyaltySuspended}
              aria-controls={`${headingId}-manual`}
              disabled={loyaltySuspended}
              aria-describedby={loyaltySuspended ? `${headingId}-suspended` : undefined}
              onClick={() => setManualOpen((open) => !open)}
            >
              {t('cashier.manual.open')}
            </button>
            <button type="button" className="primary" onClick={onNext}>
              {t('cashier.member.next')}
            </button>
          </div>
          {loyaltySuspended && (
            <p id={`${headingId}-suspended`} className="member-suspended">
              {t('cashier.ledger.no_sales')}
            </p>
          )}
          <NfcPairing key={`nfc-${memberId}`} memberId={memberId} />
          <TillPrivacyActions key={`privacy-${memberId}`} memberId={memberId} />
          <MemberFacts shown={shown} detail={detail} />
          </div>
          <div className="member-work">
          <LastMove memberId={memberId} name={displayName} ownReceipt={ownReceipt} />
          <div id={`${headingId}-manual`} className="member-sale" hidden={!manualOpen || loyaltySuspended}>
            {manualOpen && !loyaltySuspended && (
              <ManualSale
                key={memberId}
                memberId={memberId}
                onCleared={() => setOwnReceipt(null)}
                onCommitted={(sale) => {
                  setOwnReceipt(sale.receipt);
                  ledger.reload();
                  announce((t) =>
                    t('cashier.announce.sold', {
                      earned: formatPoints(locale, sale.pointsEarned),
                      redeemed: formatPoints(locale, sale.pointsRedeemed),
                      balance: formatPoints(locale, sale.balanceAfter),
                    }),
                  );
                }}
              />
            )}
          </div>
          <BenefitsPanel key={`benefits-${memberId}`} memberId={memberId} audience="cashier" />
          <SocialActions key={`social-${memberId}`} memberId={memberId} />
          <IncidentPanel key={`incidents-${memberId}`} memberId={memberId} relationship={relation.relationship} error={relation.error} recordedBy={recordedBy} announce={announce} />
          <VisitList
            key={`visits-${memberId}`}
            visits={ledger.account?.visits ?? null}
            refundable={!loyaltySuspended}
            onRefunded={(refund) => {
              ledger.reload();
              announce((t) =>
                t('cashier.announce.refunded', {
                  receipt: refund.receipt,
                  reversed: formatPoints(locale, refund.pointsReversed),
                  restored: formatPoints(locale, refund.pointsRestored),
                  balance: formatPoints(locale, refund.balanceAfter),
                }),
              );
            }}
          />
          </div>
        </>
      ) : (
        <h2 id={headingId} className="muted">
          {t('cashier.member.loading')}
        </h2>
      )}
      {!shown && (
        <div className="panel-actions">
          <button type="button" className="primary" onClick={onNext}>
            {t('cashier.member.next')}
          </button>
        </div>
      )}
    </section>
  );
}

/** Contact details and consents: needed now and then, so below the points, never in the way of a sale. */
function MemberFacts({ shown, detail }: { shown: MemberSummary; detail: MemberDetail | null }) {
  const { t } = useApp();
  const consents = detail ? currentConsents(detail) : null;
  const otherCards = detail ? detail.cards.filter((c) => c !== detail.cardNumber) : [];
  return (
    <>
          <h3 className="section-title">{t('cashier.member.label')}</h3>
      <dl className="facts">
        <div>
          <dt>{t('cashier.member.email')}</dt>
          <dd>{shown.email ?? <span className="muted">{t('cashier.member.not_given')}</span>}</dd>
        </div>
        <div>
          <dt>{t('cashier.member.phone')}</dt>
          <dd>{shown.phone ? formatFrenchPhone(shown.phone) : <span className="muted">{t('cashier.member.not_given')}</span>}</dd>
        </div>
        {otherCards.length > 0 && (
          <div>
            <dt>{t('cashier.member.other_cards')}</dt>
            <dd className="mono">{otherCards.map(formatCardNumber).join(', ')}</dd>
          </div>
        )}
      </dl>
      <h3 className="consents-title">{t('cashier.member.consents')}</h3>
      {consents ? (
        <ul className="consents">
          {CONSENT_PURPOSES.map((purpose) => {
            const granted = consents.get(purpose);
            const state = granted === undefined ? 'not_asked' : granted ? 'granted' : 'refused';
            return (
              <li key={purpose} className={`consent consent-${state}`}>
                <span>{t(`cashier.consent.${purpose}`)}</span>
                <span className="consent-state">
                  <span aria-hidden="true">{state === 'granted' ? '✓' : state === 'refused' ? '✗' : '–'}</span> {t(`cashier.consent.${state}`)}
                </span>
              </li>
            );
          })}
        </ul>
      ) : (
        <p className="muted">{t('cashier.member.loading')}</p>
      )}
    </>
  );
}
