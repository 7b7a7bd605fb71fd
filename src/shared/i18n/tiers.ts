import type { Catalog } from './i18n';

/** Members' tiers (issue 14 item 3): the same words on the cashier screen, the customer screen and the receipt. */
export const tiersFr: Catalog = {
  'tier.member': 'Membre {tier}',
  'tier.gap': "Plus que {amount} € d'achats pour passer {next}",
  'tier.label': 'Statut',
};

export const tiersEn: Catalog = {
  'tier.member': '{tier} member',
  'tier.gap': 'Only €{amount} more in purchases to reach {next}',
  'tier.label': 'Status',
};
