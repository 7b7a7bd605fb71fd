import type { Catalog } from './i18n';

/** Offers from the basket (issue 16 items 3 and 5): the customer screen's offer card and the cashier's hint. */
export const offersFr: Catalog = {
  'customer.offers.title': 'Une offre pour vous',
  'customer.offers.voucher': '{amount} offerts sur votre prochain passage',
  'customer.offers.bonus_points': '+{points} points bonus',
  'customer.offers.booking': 'Réservez votre place',
  'customer.offers.interested': 'Ça m’intéresse',
  'customer.offers.no_thanks': 'Non merci',
  'customer.offers.accepted': 'C’est noté, la caisse s’en occupe.',
  'customer.offers.fewer': 'Moins de sollicitations',
  'customer.offers.fewer_done': 'C’est noté : nous ne vous proposerons plus d’offres.',
  'customer.share.ask': 'Demander l’avis d’un ami',
  'customer.share.title': 'Demandez l’avis d’un ami',
  'customer.share.scan': 'Votre ami(e) scanne ce code avec son téléphone : une page lui montre l’offre et le magasin, sans rien dire de vous.',
  'customer.share.until': 'Lien valable jusqu’au {day} inclus.',
  'customer.share.qr_label': 'QR code du lien à partager',
  'customer.share.close': 'Fermer',
  'customer.share.unavailable': 'Le partage n’est pas disponible pour le moment.',
  'cashier.offers.hint': 'Suggestion',
};

export const offersEn: Catalog = {
  'customer.offers.title': 'An offer for you',
  'customer.offers.voucher': '{amount} off your next visit',
  'customer.offers.bonus_points': '+{points} bonus points',
  'customer.offers.booking': 'Book your place',
  'customer.offers.interested': 'I’m interested',
  'customer.offers.no_thanks': 'No thanks',
  'customer.offers.accepted': 'Noted, the cashier will take care of it.',
  'customer.offers.fewer': 'Fewer offers, please',
  'customer.offers.fewer_done': 'Noted: we will not show you offers any more.',
  'customer.share.ask': 'Ask a friend',
  'customer.share.title': 'Ask a friend what they think',
  'customer.share.scan': 'Your friend scans this code with their phone: a page shows them the offer and the store, and nothing about you.',
  'customer.share.until': 'Link valid until {day} included.',
  'customer.share.qr_label': 'QR code of the link to share',
  'customer.share.close': 'Close',
  'customer.share.unavailable': 'Sharing is not available right now.',
  'cashier.offers.hint': 'Suggestion',
};
