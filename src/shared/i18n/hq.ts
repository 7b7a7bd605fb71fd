import { createTranslator, type Catalog } from './i18n';

/** HQ's fleet page for IT staff, French first. */
export const hqFr: Catalog = {
  'hq.fleet.title': 'Fidèle — Siège : parc de terminaux',
  'hq.fleet.terminals': 'Terminaux',
  'hq.fleet.terminal': 'Terminal',
  'hq.fleet.store': 'Magasin',
  'hq.fleet.app_version': 'Version',
  'hq.fleet.last_contact': 'Dernier contact',
  'hq.fleet.never': 'jamais',
  'hq.fleet.backlog': 'En attente',
  'hq.fleet.cursor': 'Reçu jusqu’au n°',
  'hq.fleet.status': 'État',
  'hq.fleet.status.active': 'actif',
  'hq.fleet.status.revoked': 'révoqué',
  'hq.fleet.status.frozen': 'flux gelé',
  'hq.fleet.frozen_streams': 'Flux gelés',
  'hq.fleet.none': 'Aucun',
  'hq.fleet.reason': 'Motif',
  'hq.fleet.audit': 'Journal d’audit (derniers refus)',
  'hq.fleet.when': 'Quand',
  'hq.fleet.action': 'Action',
  'hq.fleet.code': 'Code',
  'hq.fleet.message': 'Détail',
  'hq.fleet.unknown': '—',
};

export const hqEn: Catalog = {
  'hq.fleet.title': 'Fidèle — Headquarters: terminal fleet',
  'hq.fleet.terminals': 'Terminals',
  'hq.fleet.terminal': 'Terminal',
  'hq.fleet.store': 'Store',
  'hq.fleet.app_version': 'Version',
  'hq.fleet.last_contact': 'Last contact',
  'hq.fleet.never': 'never',
  'hq.fleet.backlog': 'Backlog',
  'hq.fleet.cursor': 'Received through seq',
  'hq.fleet.status': 'Status',
  'hq.fleet.status.active': 'active',
  'hq.fleet.status.revoked': 'revoked',
  'hq.fleet.status.frozen': 'stream frozen',
  'hq.fleet.frozen_streams': 'Frozen streams',
  'hq.fleet.none': 'None',
  'hq.fleet.reason': 'Reason',
  'hq.fleet.audit': 'Audit log (latest refusals)',
  'hq.fleet.when': 'When',
  'hq.fleet.action': 'Action',
  'hq.fleet.code': 'Code',
  'hq.fleet.message': 'Detail',
  'hq.fleet.unknown': '—',
};

export const translateHq = createTranslator({ fr: hqFr, en: hqEn });
