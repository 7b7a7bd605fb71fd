import { useCallback, useEffect, useState } from 'react';
import type { EventPayload, OfferView } from '../../shared/contract';
import { formatPoints } from '../../shared/domain/receipt-layout';
import { useApp, useEvent } from '../common/app-context';
import { formatEuros } from '../common/euro-amount';
import { QrCode } from '../common/QrCode';
import './offers.css';

/** What the sheet says after an answer: a message key of customer.offers.* or benefits.*. */
type Note = 'accepted' | 'booked' | 'fewer' | { refused: string } | null;

/**
 * The offers the core found in the member's basket (offers.shown), each with
 * « Ça m'intéresse » / « Non merci », and « Moins de sollicitations » for the
 * member who would rather not be asked (issue 16 items 3 and 5). Only for the
 * member on the screen: another member's offers are never kept.
 */
export function OffersPanel({ memberId }: { memberId: string }) {
  const { api, t, locale } = useApp();
  const [offers, setOffers] = useState<OfferView[]>([]);
  const [note, setNote] = useState<Note>(null);
  const [busy, setBusy] = useState(false);
  const [share, setShare] = useState<{ url: string; expiresOn: string } | 'unavailable' | null>(null);
  useEffect(() => {
    setOffers([]);
    setNote(null);
    setShare(null);
  }, [memberId]);
  const onShown = useCallback(
    (shown: EventPayload<'offers.shown'>) => {
      if (shown.memberId === memberId) setOffers(shown.offers);
    },
    [memberId],
  );
  useEvent('offers.shown', onShown);

  async function answer(ruleId: string, choice: 'accepted' | 'refused') {
    if (busy) return;
    setBusy(true);
    let next: Note = choice === 'accepted' ? 'accepted' : null;
    try {
      const done = await api.call('offers.answer', { ruleId, answer: choice });
      if (done.booked) next = 'booked';
      else if (done.bookingRefused) next = { refused: done.bookingRefused };
    } catch {
      // Answered elsewhere or the visit ended: the card goes all the same.
    } finally {
      setBusy(false);
      setOffers((current) => current.filter((o) => o.ruleId !== ruleId));
      if (next) setNote(next);
    }
  }

  async function ask(ruleId: string) {
    if (busy) return;
    setBusy(true);
    try {
      setShare(await api.call('share.link', { kind: 'offer', id: ruleId }));
    } catch {
      // Not enrolled with HQ, or the offer left the screen meanwhile: nothing to scan.
      setShare('unavailable');
    } finally {
      setBusy(false);
    }
  }

  async function fewer() {
    if (busy) return;
    setBusy(true);
    try {
      await api.call('offers.fewerContacts', { on: true });
      setOffers([]);
      setNote('fewer');
    } catch {
      // The customer may try again: nothing was recorded.
    } finally {
      setBusy(false);
    }
  }

  if (offers.length === 0) {
    return note ? (
      <p className="offers-note" role="status" data-testid="customer-offers-note">
        {typeof note === 'object'
          ? t('customer.offers.not_booked', { reason: t(note.refused) })
          : t(note === 'fewer' ? 'customer.offers.fewer_done' : note === 'booked' ? 'customer.offers.booked' : 'customer.offers.accepted')}
      </p>
    ) : null;
  }
  const what = (offer: OfferView['offer']) =>
    offer.kind === 'voucher'
      ? t('customer.offers.voucher', { amount: formatEuros(locale, offer.cents) })
      : offer.kind === 'bonus_points'
        ? t('customer.offers.bonus_points', { points: formatPoints(locale, offer.points) })
        : t('customer.offers.booking');
  return (
    <>
    <section className="offers" aria-labelledby="offers-title" data-testid="customer-offers">
      <h2 id="offers-title" className="offers-title">
        {t('customer.offers.title')}
      </h2>
      <ul className="offers-list">
        {offers.map((offer) => (
          <li key={offer.ruleId} className="offer-card" data-testid={`customer-offer-${offer.ruleId}`}>
            <div className="offer-text">
              <p className="offer-label">{offer.label[locale]}</p>
              <p className="offer-what">{what(offer.offer)}</p>
            </div>
            <div className="offer-actions">
              <button type="button" className="offer-yes" disabled={busy} onClick={() => void answer(offer.ruleId, 'accepted')}>
                {t('customer.offers.interested')}
              </button>
              <button type="button" className="offer-no" disabled={busy} onClick={() => void answer(offer.ruleId, 'refused')}>
                {t('customer.offers.no_thanks')}
              </button>
              <button type="button" className="offer-share" disabled={busy} onClick={() => void ask(offer.ruleId)} data-testid={`customer-offer-share-${offer.ruleId}`}>
                {t('customer.share.ask')}
              </button>
            </div>
          </li>
        ))}
      </ul>
      <button type="button" className="offers-fewer" disabled={busy} onClick={() => void fewer()} data-testid="customer-offers-fewer">
        {t('customer.offers.fewer')}
      </button>
    </section>
    {/* Beside the sheet of offers, not in it: a transformed parent would pin this dialog to the sheet. */}
    {share && <ShareSheet share={share} onClose={() => setShare(null)} />}
    </>
  );
}

/** The QR for a friend's phone, over the offers; the only way out is the close button (or Escape). */
function ShareSheet({ share, onClose }: { share: { url: string; expiresOn: string } | 'unavailable'; onClose: () => void }) {
  const { t, locale } = useApp();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  const day = (iso: string) =>
    new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'fr-FR', { day: 'numeric', month: 'long', timeZone: 'UTC' }).format(new Date(`${iso}T00:00:00Z`));
  return (
    <div className="share-sheet" role="dialog" aria-modal="true" aria-labelledby="share-title" data-testid="customer-share">
      <h2 id="share-title">{t('customer.share.title')}</h2>
      {share === 'unavailable' ? (
        <p role="status">{t('customer.share.unavailable')}</p>
      ) : (
        <>
          <QrCode value={share.url} label={t('customer.share.qr_label')} className="share-qr" testId="customer-share-qr" />
          <p>{t('customer.share.scan')}</p>
          <p className="share-until">{t('customer.share.until', { day: day(share.expiresOn) })}</p>
          <a hidden href={share.url} data-testid="customer-share-url">
            {share.url}
          </a>
        </>
      )}
      <button type="button" className="share-close" autoFocus onClick={onClose}>
        {t('customer.share.close')}
      </button>
    </div>
  );
}
