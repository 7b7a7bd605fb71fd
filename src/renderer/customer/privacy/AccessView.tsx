import { useState, type FormEvent } from 'react';
import { CONSENT_PURPOSES, type TerminalInfo } from '../../../shared/contract';
import type { PrivacyAccessView } from '../../../shared/contract/privacy-self';
import { formatCardNumber } from '../../../shared/domain/card-number';
import { formatFrenchPhone } from '../../../shared/domain/phone';
import { displayName } from '../../../shared/i18n/name-case';
import { formatDate } from '../../../shared/i18n/i18n';
import { useApp } from '../../common/app-context';
import { PHONE_LAYOUT, TEXT_LAYOUT } from '../../common/keyboard-layout';
import { OnScreenKeyboard } from '../../common/OnScreenKeyboard';
import { QrCode } from '../../common/QrCode';
import { fieldIssues, privacyErrorText } from './privacy-errors';

interface AccessViewProps {
  view: PrivacyAccessView;
  info: TerminalInfo;
  onView(view: PrivacyAccessView): void;
  onErased(receiptId: string): void;
}

type Draft = { firstName: string; lastName: string; email: string; phone: string };
const FIELDS = ['firstName', 'lastName', 'email', 'phone'] as const;
const FIELD_LABELS: Record<(typeof FIELDS)[number], string> = {
  firstName: 'privacy.self.field.first_name',
  lastName: 'privacy.self.field.last_name',
  email: 'privacy.self.field.email',
  phone: 'privacy.self.field.phone',
};

/** What Fidèle holds on the member, and the four things they can do with it: consent, correct, copy, erase. */
export function AccessView({ view, info, onView, onErased }: AccessViewProps) {
  const { api, t, locale } = useApp();
  const [draft, setDraft] = useState<Draft | null>(null);
  const [issues, setIssues] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [link, setLink] = useState<{ url: string; expiresAt: number } | null>(null);
  const [confirmErase, setConfirmErase] = useState(false);
  const [busy, setBusy] = useState(false);
  // The field the on-screen keyboard types into: the last one touched.
  const [active, setActive] = useState<(typeof FIELDS)[number]>('email');
  const id = view.identity;
  const dateTime = (ms: number) => new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'fr-FR', { dateStyle: 'short', timeStyle: 'short', timeZone: 'Europe/Paris' }).format(new Date(ms));

  async function act<T>(action: () => Promise<T>): Promise<T | null> {
    setBusy(true);
    setError(null);
    try {
      return await action();
    } catch (e) {
      setIssues(fieldIssues(e));
      setError(privacyErrorText(e, t, locale));
      return null;
    } finally {
      setBusy(false);
    }
  }

  async function setConsent(purpose: (typeof CONSENT_PURPOSES)[number], granted: boolean) {
    const done = await act(() => api.call('member.setConsent', { memberId: view.memberId, purpose, granted, consentWordingVersion: info.consentWordingVersion }));
    // The history, oldest first: the last row per purpose is the consent.
    if (done) onView({ ...view, consents: [...new Map(done.consents.map((c) => [c.purpose, c])).values()] });
  }

  async function save(event?: FormEvent) {
    event?.preventDefault();
    if (!draft) return;
    setSaved(false);
    const next = await act(() => api.call('privacy.selfRectify', draft));
    if (next) {
      setDraft(null);
      setIssues({});
      setSaved(true);
      onView(next);
    }
  }

  async function exportData() {
    const answer = await act(() => api.call('privacy.selfExport', {}));
    if (answer) setLink(answer);
  }

  async function erase() {
    const answer = await act(() => api.call('privacy.selfErase', { confirm: true, confirmedForfeit: view.forfeit }));
    if (answer) onErased(answer.receiptId);
    // Refused (the points changed, a sale in flight): the screen shows HQ's figures again before another try.
    else void api.call('privacy.selfView', {}).then(onView, () => undefined);
  }

  const consentOf = (purpose: string) => view.consents.find((c) => c.purpose === purpose);

  return (
    <div className="privacy-view">
      <p className="field-error" role="alert">
        {error && !draft ? error : ''}
      </p>
      <div className="privacy-columns">
        <section className="privacy-card" aria-labelledby="privacy-identity">
          <h2 id="privacy-identity">{t('privacy.self.section.identity')}</h2>
          {draft ? (
            <form className="privacy-edit" onSubmit={(e) => void save(e)} noValidate>
              {FIELDS.map((field) => (
                <div key={field} className="privacy-edit-field">
                  <label htmlFor={`privacy-${field}`}>{t(FIELD_LABELS[field])}</label>
                  <input
                    id={`privacy-${field}`}
                    value={draft[field]}
                    inputMode={field === 'phone' ? 'tel' : field === 'email' ? 'email' : 'text'}
                    aria-invalid={issues[field] ? true : undefined}
                    aria-describedby={`privacy-${field}-error`}
                    onChange={(e) => setDraft({ ...draft, [field]: e.target.value })}
                    onFocus={() => setActive(field)}
                    data-testid={`privacy-edit-${field}`}
                  />
                  <p id={`privacy-${field}-error`} className="field-error" data-testid={`privacy-edit-${field}-error`}>
                    {issues[field] ? t(issues[field]) : ''}
                  </p>
                </div>
              ))}
              <p className="field-error" role="alert">
                {error && Object.keys(issues).length === 0 ? error : ''}
              </p>
              <div className="privacy-actions">
                <button type="submit" className="primary" disabled={busy} data-testid="privacy-save">
                  {t('privacy.self.save')}
                </button>
                <button type="button" onClick={() => (setDraft(null), setIssues({}), setError(null))}>
                  {t('privacy.self.cancel')}
                </button>
              </div>
            </form>
          ) : (
            <>
              <dl className="privacy-facts" data-testid="privacy-identity">
                <dt>{t('privacy.self.field.first_name')}</dt>
                <dd>{displayName(id.firstName, locale)}</dd>
                <dt>{t('privacy.self.field.last_name')}</dt>
                <dd>{displayName(id.lastName, locale)}</dd>
                <dt>{t('privacy.self.field.email')}</dt>
                <dd data-testid="privacy-email">{id.email ?? t('privacy.self.none')}</dd>
                <dt>{t('privacy.self.field.phone')}</dt>
                <dd>{id.phone ? formatFrenchPhone(id.phone) : t('privacy.self.none')}</dd>
                <dt>{t('privacy.self.field.cards')}</dt>
                <dd>{id.cards.map(formatCardNumber).join(', ')}</dd>
                <dt>{t('privacy.self.field.member_since')}</dt>
                <dd>{formatDate(locale, id.createdAt)}</dd>
              </dl>
              {saved && (
                <p role="status" className="privacy-ok" data-testid="privacy-saved">
                  {t('privacy.self.saved')}
                </p>
              )}
              <button
                type="button"
                onClick={() => setDraft({ firstName: id.firstName, lastName: id.lastName, email: id.email ?? '', phone: id.phone ? formatFrenchPhone(id.phone) : '' })}
                data-testid="privacy-edit"
              >
                {t('privacy.self.edit')}
              </button>
            </>
          )}
        </section>

        <section className="privacy-card" aria-labelledby="privacy-consents">
          <h2 id="privacy-consents">{t('privacy.self.section.consents')}</h2>
          <ul className="privacy-consents">
            {CONSENT_PURPOSES.map((purpose) => {
              const granted = consentOf(purpose)?.granted === true;
              return (
                <li key={purpose} data-testid={`privacy-consent-${purpose}`}>
                  <span>
                    <strong>{t(`customer.consent.${purpose}.title`)}</strong>
                    <span className={granted ? 'privacy-on' : 'privacy-off'}>{t(granted ? 'privacy.self.granted' : 'privacy.self.withdrawn')}</span>
                  </span>
                  <button type="button" disabled={busy} onClick={() => void setConsent(purpose, !granted)} data-testid={`privacy-consent-${purpose}-toggle`}>
                    {t(granted ? 'privacy.self.withdraw' : 'privacy.self.give')}
                  </button>
                </li>
              );
            })}
          </ul>
        </section>

        <section className="privacy-card" aria-labelledby="privacy-activity">
          <h2 id="privacy-activity">{t('privacy.self.section.activity')}</h2>
          <ul className="privacy-list" data-testid="privacy-activity">
            <li>{t('privacy.self.balance', { points: view.balance })}</li>
            <li>{t('privacy.self.visits', { count: view.visits.count })}</li>
            {view.visits.last !== null && <li>{t('privacy.self.last_visit', { date: formatDate(locale, view.visits.last) })}</li>}
            <li>{t('privacy.self.incidents', { count: view.incidents.length })}</li>
            {view.tierLabel && <li>{t('privacy.self.tier', { tier: view.tierLabel[locale] })}</li>}
            <li>{view.segment ? t('privacy.self.segment', { segment: view.segment }) : t('privacy.self.no_segment')}</li>
            {view.referrals === null ? <li>{t('privacy.self.referrals_none')}</li> : null}
          </ul>
          <h2 id="privacy-lookups">{t('privacy.self.section.lookups')}</h2>
          <ul className="privacy-list" aria-labelledby="privacy-lookups" data-testid="privacy-lookups">
            {view.lookups.length === 0 && <li>{t('privacy.self.lookups_none')}</li>}
            {view.lookups.slice(0, 4).map((l, i) => (
              <li key={`${l.at}-${i}`}>
                {t('privacy.self.lookup_line', {
                  date: dateTime(l.at),
                  by: l.by === 'cashier' ? t('privacy.self.by.cashier') : l.by,
                  via: t(`privacy.self.via.${l.via}`),
                })}
              </li>
            ))}
          </ul>
        </section>
      </div>

      {draft && (
        <OnScreenKeyboard
          layout={active === 'phone' ? PHONE_LAYOUT : TEXT_LAYOUT}
          onEdit={(edit) => setDraft((d) => d && { ...d, [active]: edit.kind === 'insert' ? d[active] + edit.text : d[active].slice(0, -1) })}
          onEnter={() => void save()}
        />
      )}
      <div className="privacy-bottom" hidden={draft !== null}>
        {link ? (
          <div className="privacy-export" data-testid="privacy-export">
            <QrCode className="privacy-export-qr" value={link.url} label={t('privacy.self.export_qr')} testId="privacy-export-qr" />
            <p>{t('privacy.self.export_ready', { time: dateTime(link.expiresAt) })}</p>
            <p className="privacy-url" data-testid="privacy-export-url">
              {link.url}
            </p>
          </div>
        ) : (
          <button type="button" onClick={() => void exportData()} disabled={busy} data-testid="privacy-export-button">
            {t('privacy.self.export')}
          </button>
        )}
        {confirmErase ? (
          <div className="privacy-erase" role="alertdialog" aria-labelledby="privacy-erase-title" aria-describedby="privacy-erase-body">
            <h2 id="privacy-erase-title">{t('privacy.self.erase_confirm_title')}</h2>
            <p id="privacy-erase-body">{t('privacy.self.erase_confirm_body', { points: view.forfeit })}</p>
            <div className="privacy-actions">
              <button type="button" className="danger" onClick={() => void erase()} disabled={busy} data-testid="privacy-erase-yes">
                {t('privacy.self.erase_yes')}
              </button>
              <button type="button" onClick={() => setConfirmErase(false)} autoFocus>
                {t('privacy.self.cancel')}
              </button>
            </div>
          </div>
        ) : (
          <button type="button" className="danger-outline" onClick={() => setConfirmErase(true)} data-testid="privacy-erase">
            {t('privacy.self.erase')}
          </button>
        )}
      </div>
    </div>
  );
}
