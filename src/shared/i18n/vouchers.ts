import type { Catalog } from './i18n';

/** Basic members' vouchers (issue 14 item 4): the cashier screen, the customer screen and the receipt (straight apostrophes: the printer's code page has them). */
export const vouchersFr: Catalog = {
  'voucher.available': 'Bon de {amount} disponible',
  'voucher.valid_until': "Valable jusqu'au {date}",
  'voucher.apply': 'Utiliser le bon',
  'voucher.remove': 'Ne pas utiliser le bon',
  'voucher.applied': 'Bon de {amount} déduit',
  'voucher.next': 'Prochain bon de {amount} : encore {visits} passages ou {points} pts',
  'voucher.next_visits': 'Prochain bon de {amount} : encore {visits} passages',
  'voucher.next_points': 'Prochain bon de {amount} : encore {points} pts',
  'voucher.earned': 'Bon de {amount} gagné !',
  'voucher.receipt.used': 'Bon utilisé',
  'voucher.receipt.earned': "Bon de {amount} gagné, valable jusqu'au {date}",
  'voucher.receipt.waiting': "Bon de {amount} à utiliser avant le {date}",
};

export const vouchersEn: Catalog = {
  'voucher.available': '{amount} voucher available',
  'voucher.valid_until': 'Valid until {date}',
  'voucher.apply': 'Use the voucher',
  'voucher.remove': 'Do not use the voucher',
  'voucher.applied': '{amount} voucher taken off',
  'voucher.next': 'Next {amount} voucher: {visits} more visits or {points} pts',
  'voucher.next_visits': 'Next {amount} voucher: {visits} more visits',
  'voucher.next_points': 'Next {amount} voucher: {points} more pts',
  'voucher.earned': '{amount} voucher earned!',
  'voucher.receipt.used': 'Voucher used',
  'voucher.receipt.earned': '{amount} voucher earned, valid until {date}',
  'voucher.receipt.waiting': '{amount} voucher to use by {date}',
};
