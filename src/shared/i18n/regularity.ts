import type { Catalog } from './i18n';

/** Regularity (issue 14 item 5): the same words on the cashier screen, the customer screen and the receipt (straight apostrophes: the printer's code page has them). */
export const regularityFr: Catalog = {
  'regularity.label': 'Régularité',
  'regularity.streak': "{weeks} semaines d'affilée !",
  'regularity.weeks': 'Venu {weeks} semaines sur les {window} dernières',
  'regularity.next': "Encore {weeks} semaines d'affilée pour {points} pts de bonus",
  'regularity.next_one': "Plus qu'une semaine pour {points} pts de bonus",
  'regularity.next_now': 'Un passage cette semaine : {points} pts de bonus',
  'regularity.bonus': 'Bonus régularité',
};

export const regularityEn: Catalog = {
  'regularity.label': 'Regularity',
  'regularity.streak': '{weeks} weeks in a row!',
  'regularity.weeks': 'Visited {weeks} of the last {window} weeks',
  'regularity.next': '{weeks} more weeks in a row for {points} bonus pts',
  'regularity.next_one': 'Just one more week for {points} bonus pts',
  'regularity.next_now': 'One visit this week: {points} bonus pts',
  'regularity.bonus': 'Regularity bonus',
};
