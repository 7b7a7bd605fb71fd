import { useCallback, useEffect, useState } from 'react';
import type { EventPayload, OfferView } from '../../shared/contract';
import { formatPoints } from '../../shared/domain/receipt-layout';
import { useApp, useEvent } from '../common/app-context';
import { formatEuros } from '../common/euro-amount';
import './offers.css';

type Note = 'accepted' | 'fewer' | null;

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
  useEffect(() => {
    setOffers([]);
    setNote(null);
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
    try {
      await api.call('offers.answer', { ruleId, answer: choice });
    } catch {
      // Answered elsewhere or the visit ended: the card goes all the same.
    } finally {
      setBusy(false);
      setOffers((current) => current.filter((o) => o.ruleId !== ruleId));
      if (choice === 'accepted') setNote('accepted');
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
        {t(note === 'fewer' ? 'customer.offers.fewer_done' : 'customer.offers.accepted')}
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
            </div>
          </li>
        ))}
      </ul>
      <button type="button" className="offers-fewer" disabled={busy} onClick={() => void fewer()} data-testid="customer-offers-fewer">
        {t('customer.offers.fewer')}
      </button>
    </section>
  );
}
