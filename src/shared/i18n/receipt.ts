import type { Catalog } from './i18n';

/** The loyalty block printed under the till's ticket (42 columns: keep labels short). */
export const receiptFr: Catalog = {
  'receipt.title': 'Votre carte Fidèle',
  'receipt.member': 'Membre',
  'receipt.earned': 'Points gagnés',
  'receipt.redeemed': 'Points utilisés',
  'receipt.reversed': 'Points repris',
  'receipt.restored': 'Points rendus',
  'receipt.balance': 'Nouveau solde',
  'receipt.points': '{points} pts',
  'receipt.next_reward': 'Plus que {missing} pts pour : {label}',
  'receipt.expiring': '{points} pts expirent le {date}',
  'receipt.ticket': 'Ticket n° {number}',
  'receipt.purchase': "Montant de l'achat",
  'receipt.progress': '{percent} %',
  'receipt.card_caption': 'Votre carte, à présenter en caisse',
  'receipt.qr_hint': "Scannez ce code avec l'appli Fidèle",
  'receipt.thanks': 'Merci de votre fidélité, à bientôt !',
};

export const receiptEn: Catalog = {
  'receipt.title': 'Your Fidèle card',
  'receipt.member': 'Member',
  'receipt.earned': 'Points earned',
  'receipt.redeemed': 'Points used',
  'receipt.reversed': 'Points taken back',
  'receipt.restored': 'Points given back',
  'receipt.balance': 'New balance',
  'receipt.points': '{points} pts',
  'receipt.next_reward': 'Only {missing} pts to go for: {label}',
  'receipt.expiring': '{points} pts expire on {date}',
  'receipt.ticket': 'Receipt no. {number}',
  'receipt.purchase': 'Purchase',
  'receipt.progress': '{percent}%',
  'receipt.card_caption': 'Your card: show it at the till',
  'receipt.qr_hint': 'Scan this code with the Fidèle app',
  'receipt.thanks': 'Thank you for your loyalty, see you soon!',
};
