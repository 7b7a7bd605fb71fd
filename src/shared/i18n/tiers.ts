import type { Catalog } from './i18n';

/** Members' tiers (issue 14 item 3): the same words on the cashier screen, the customer screen and the receipt. */
export const tiersFr: Catalog = {
  'tier.member': 'Membre {tier}',
  'tier.gap': "Plus que {amount} € d'achats pour passer {next}",
  'tier.gap_reached': 'Seuil {next} atteint : votre statut sera revu au prochain classement',
  'tier.label': 'Statut',
};

export const tiersEn: Catalog = {
  'tier.member': '{tier} member',
  'tier.gap': 'Only €{amount} more in purchases to reach {next}',
  'tier.gap_reached': '{next} threshold reached: your status is reviewed at the next ranking',
  'tier.label': 'Status',
};
