import { useId } from 'react';
import { CONSENT_PURPOSES, type MemberDetail, type MemberSummary } from '../../shared/contract';
import { formatCardNumber } from '../../shared/domain/card-number';
import { formatFrenchPhone } from '../../shared/domain/phone';
import { formatDate } from '../../shared/i18n/i18n';
import { useApp } from '../common/app-context';

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

interface MemberPanelProps {
  /** What identify or select returned, shown at once while the full record loads. */
  member: MemberSummary | null;
  detail: MemberDetail | null;
  onNext(): void;
}

export function MemberPanel({ member, detail, onNext }: MemberPanelProps) {
  const { t, locale } = useApp();
  const headingId = useId();
  const shown = detail ?? member;
  const consents = detail ? currentConsents(detail) : null;
  const otherCards = detail ? detail.cards.filter((c) => c !== detail.cardNumber) : [];

  return (
    <section className="panel member-panel" data-testid="cashier-member" aria-labelledby={headingId} aria-busy={!detail}>
      {shown ? (
        <>
          <header className="member-head">
            <h2 id={headingId}>
              {shown.firstName} {shown.lastName}
            </h2>
            <p className="member-card">
              <span className="label">{t('cashier.member.card')}</span> <span className="mono">{formatCardNumber(shown.cardNumber)}</span>
            </p>
          </header>
          <p className="member-since">{t('cashier.member.since', { date: formatDate(locale, shown.memberSince) })}</p>
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
      ) : (
        <h2 id={headingId} className="muted">
          {t('cashier.member.loading')}
        </h2>
      )}
      <div className="panel-actions">
        <button type="button" className="primary" onClick={onNext}>
          {t('cashier.member.next')}
        </button>
      </div>
    </section>
  );
}
