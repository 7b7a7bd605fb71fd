import { useCallback, useEffect, useId, useState } from 'react';
import type { BenefitView, MemberBenefitsView } from '../../shared/contract';
import { formatPoints } from '../../shared/domain/receipt-layout';
import { useApp, useEvent } from './app-context';
import { errorText } from './error-text';
import { formatEuros } from './euro-amount';
import './benefits.css';

/**
 * Relational benefits and the paid membership (issue 14 items 6 and 7), the
 * same panel on the till and the customer screen: the membership's period
 * and what it gave back (« votre adhésion vous a rapporté 34 € cette
 * année »), renewal when it is due, then the workshops, previews and services
 * to come with their seats left and how this member books them. The customer
 * books for themselves; only the till cancels. Nothing shows when the
 * programme has neither. On the customer screen it opens from a button in
 * the corner, which carries the value-back line: the greeting keeps the
 * screen without scrolling, down to 1024×768.
 */
export function BenefitsPanel({ memberId, audience }: { memberId: string; audience: 'cashier' | 'customer' }) {
  const { api, t, locale } = useApp();
  const headingId = useId();
  const sheetId = useId();
  const [open, setOpen] = useState(false);
  const [view, setView] = useState<MemberBenefitsView | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ kind: 'done' | 'error'; lines: string[] } | null>(null);

  const load = useCallback(() => {
    api.call('benefits.list', { memberId }).then(setView, () => setView(null));
  }, [api, memberId]);
  useEffect(() => {
    setView(null);
    setMessage(null);
    load();
  }, [load]);
  useEvent(
    'benefits.changed',
    useCallback((changed) => changed.memberId === memberId && load(), [memberId, load]),
  );

  async function act(run: () => Promise<string>) {
    if (busy) return;
    setBusy(true);
    try {
      setMessage({ kind: 'done', lines: [await run()] });
    } catch (error) {
      setMessage({ kind: 'error', lines: errorText(error, t) });
    } finally {
      setBusy(false);
    }
  }
  const book = (b: BenefitView) =>
    act(async () => {
      const done = await api.call('benefits.book', { memberId, benefitId: b.id });
      setView(done.view);
      return t('benefits.done_booked', { label: b.label[locale] });
    });
  const cancel = (bookingId: string) =>
    act(async () => {
      setView(await api.call('benefits.cancel', { memberId, bookingId }));
      return t('benefits.done_cancelled');
    });

  if (!view || (view.benefits.length === 0 && !view.membership)) return null;
  const day = (iso: string, year = false) =>
    new Intl.DateTimeFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', { day: 'numeric', month: 'long', ...(year ? { year: 'numeric' } : {}), timeZone: 'UTC' }).format(
      new Date(`${iso}T12:00:00Z`),
    );
  const m = view.membership;
  const prefix = `${audience}-benefits`;
  const valueLine = m?.current ? t('benefits.membership.value', { amount: formatEuros(locale, m.valueCents) }) : null;
  const customer = audience === 'customer';
  const panel = (
    <section
      id={customer ? sheetId : undefined}
      hidden={customer && !open}
      className={`benefits benefits--${audience}${customer ? ' benefits-sheet' : ''}`}
      aria-labelledby={headingId}
      data-testid={prefix}
    >
      <div className="benefits-head">
        <h2 id={headingId} className="benefits-title">
          {t('benefits.title')}
        </h2>
        {customer && (
          <button type="button" className="benefits-close" onClick={() => setOpen(false)}>
            {t('benefits.close')}
          </button>
        )}
      </div>
      {m && (
        <div className="benefits-membership" data-testid={`${prefix}-membership`}>
          {m.current ? (
            <>
              <p className="benefits-value" data-testid={`${prefix}-value`}>
                {valueLine}
              </p>
              <p className="benefits-muted">
                {m.label[locale]} · {t('benefits.membership.until', { date: day(m.current.end, true) })}
                {m.next ? ` · ${t('benefits.membership.next', { start: day(m.next.start, true), end: day(m.next.end, true) })}` : ''}
              </p>
              {m.renewalOffered && (
                <p className="benefits-renew" data-testid={`${prefix}-renew`}>
                  {t('benefits.membership.renew', { date: day(m.current.end, true) })}
                </p>
              )}
            </>
          ) : (
            <p className="benefits-muted" data-testid={`${prefix}-offer`}>
              {t('benefits.membership.offer', { label: m.label[locale], price: formatEuros(locale, m.priceCents) })}
              {audience === 'cashier' && <span className="mono"> ({m.sku})</span>}
            </p>
          )}
        </div>
      )}
      {view.benefits.length === 0 ? (
        <p className="benefits-muted">{t('benefits.none')}</p>
      ) : (
        <ul className="benefits-list">
          {view.benefits.map((b) => (
            <li key={b.id} className="benefit" data-testid={`${prefix}-${b.id}`}>
              <div className="benefit-text">
                <p className="benefit-label">
                  <span className="benefit-kind">{t(`benefits.kind.${b.kind}`)}</span> {b.label[locale]}
                </p>
                <p className="benefits-muted">
                  {t('benefits.on', { date: day(b.date) })}
                  {b.seatsLeft !== null && (
                    <>
                      {' · '}
                      <span data-testid={`${prefix}-${b.id}-seats`}>
                        {b.seatsLeft === 0 ? t('benefits.seats_none') : b.seatsLeft === 1 ? t('benefits.seat_left') : t('benefits.seats_left', { count: b.seatsLeft })}
                      </span>
                    </>
                  )}
                </p>
              </div>
              <div className="benefit-actions">
                {b.booking ? (
                  <>
                    <span className="benefit-booked">
                      {b.booking.points > 0 ? t('benefits.booked_with', { points: formatPoints(locale, b.booking.points) }) : t('benefits.booked')}
                    </span>
                    {audience === 'cashier' && (
                      <button type="button" disabled={busy} onClick={() => void cancel(b.booking!.bookingId)}>
                        {t('benefits.cancel')}
                      </button>
                    )}
                  </>
                ) : b.bookable.ok ? (
                  <button type="button" className="primary" disabled={busy} onClick={() => void book(b)}>
                    {b.bookable.via === 'points'
                      ? t('benefits.book_points', { points: formatPoints(locale, b.bookable.points) })
                      : t(b.bookable.via === 'tier' ? 'benefits.book_tier' : 'benefits.book_membership')}
                  </button>
                ) : (
                  <span className="benefits-muted">{t(b.bookable.reason)}</span>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
      {message && (
        <p className={`benefits-message benefits-message--${message.kind}`} role={message.kind === 'error' ? 'alert' : 'status'} data-testid={`${prefix}-message`}>
          {message.lines.join(' ')}
        </p>
      )}
    </section>
  );
  if (!customer) return panel;
  const bookable = view.benefits.filter((b) => !b.booking && b.bookable.ok).length;
  return (
    <>
      <button type="button" className="benefits-toggle" aria-expanded={open} aria-controls={sheetId} onClick={() => setOpen((o) => !o)} data-testid="customer-benefits-open">
        <span className="benefits-toggle-title">{bookable > 0 ? t('benefits.open_count', { count: bookable }) : t('benefits.open')}</span>
        {valueLine && (
          <span className="benefits-toggle-value" data-testid="customer-benefits-summary">
            {valueLine}
          </span>
        )}
      </button>
      {panel}
    </>
  );
}
