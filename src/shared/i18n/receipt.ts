import type { Catalog } from './i18n';

/** The loyalty block printed under the till's ticket (42 columns: keep labels short). */
export const receiptFr: Catalog = {
  'receipt.title': 'Votre carte Fidèle',
  'receipt.member': 'Membre',
  'receipt.earned': 'Points gagnés',
  'receipt.redeemed': 'Points utilisés',
  'receipt.balance': 'Nouveau solde',
  'receipt.points': '{points} pts',
  'receipt.next_reward': 'Plus que {missing} pts pour : {label}',
  'receipt.expiring': '{points} pts expirent le {date}',
};

export const receiptEn: Catalog = {
  'receipt.title': 'Your Fidèle card',
  'receipt.member': 'Member',
  'receipt.earned': 'Points earned',
  'receipt.redeemed': 'Points used',
  'receipt.balance': 'New balance',
  'receipt.points': '{points} pts',
  'receipt.next_reward': 'Only {missing} pts to go for: {label}',
  'receipt.expiring': '{points} pts expire on {date}',
};
