import type { Catalog } from './i18n';

/**
 * The cashier's customer-value hint (docs/value.md, « At the store »): a few
 * respectful words from HQ's segment and the last visit, never an amount.
 */
export const valueFr: Catalog = {
  'cashier.value.label': 'Repère fidélité',
  'cashier.value.most_valued': 'Client précieux',
  'cashier.value.growing': 'Vient de plus en plus',
  'cashier.value.steady': 'Client fidèle',
  'cashier.value.at_risk': 'À choyer',
  'cashier.value.lapsed': 'De retour parmi nous',
  'cashier.value.unseen_months': 'ne l’avons pas vu depuis {months} mois',
  'cashier.value.welcome_title': 'Bon retour !',
  'cashier.value.welcome_text': 'Ce client revient après une longue absence : accueillez-le chaleureusement.',
  'cashier.value.welcome_gesture': 'Geste proposé : {gesture}',
  'cashier.value.welcome_done': 'C’est noté',
};

export const valueEn: Catalog = {
  'cashier.value.label': 'Loyalty hint',
  'cashier.value.most_valued': 'Valued customer',
  'cashier.value.growing': 'Coming more and more',
  'cashier.value.steady': 'Loyal customer',
  'cashier.value.at_risk': 'Worth some care',
  'cashier.value.lapsed': 'Back with us',
  'cashier.value.unseen_months': 'not seen for {months} months',
  'cashier.value.welcome_title': 'Welcome back!',
  'cashier.value.welcome_text': 'This customer is back after a long absence: give them a warm welcome.',
  'cashier.value.welcome_gesture': 'Suggested gesture: {gesture}',
  'cashier.value.welcome_done': 'Noted',
};
