import { createTranslator, type Catalog } from '../i18n/i18n';
import { ledgerEn, ledgerFr } from '../i18n/ledger';

/** The programme validator's problems (validate.ts), French first; `{name}` filled from the problem's params. */
export const programmeFr: Catalog = {
  'programme.not_object': 'Le programme doit être un objet JSON.',
  'programme.unknown_field': 'Champ inconnu : « {field} ».',
  'programme.missing_field': 'Champ obligatoire manquant.',
  'programme.field_invalid': 'Valeur refusée : {detail}.',
  'programme.instant': 'Date et heure attendues avec leur fuseau (ex. 2027-01-04T06:00:00+01:00).',
  'programme.version_id': 'Identifiant de version invalide (lettres, chiffres, « . », « _ », « - », 32 au plus).',
  'programme.reward_free': 'Une récompense ne peut pas coûter 0 point.',
  'programme.reward_duplicate': 'La récompense « {id} » est définie deux fois.',
  'programme.promotion_duplicate': 'La promotion « {id} » est définie deux fois.',
  'programme.promotions_contradict':
    'Les promotions « {a} » (×{aPercent} %) et « {b} » (×{bPercent} %) se chevauchent ({when}) avec des multiplicateurs différents : seule la plus forte s’appliquerait.',
  'programme.tier_shares_sum': 'Les parts des niveaux font {total} % au lieu de 100 % ({detail}).',
  'programme.tier_duplicate': 'Le niveau « {id} » est défini deux fois.',
  'programme.tier_unknown': 'Le niveau « {id} » n’existe pas (niveaux : {tiers}).',
  'programme.category_unknown': 'La catégorie « {category} » n’existe pas dans le catalogue.',
  'programme.tax_rate_unknown': 'Le taux de TVA {rate} pour « {category} » ne figure pas parmi les taux autorisés.',
  'programme.benefit_no_capacity': 'L’avantage « {id} » n’a aucune place : indiquez une capacité.',
  'programme.benefit_free': 'L’avantage « {id} » coûte 0 point : mettez un prix ou réservez-le par niveau.',
  'programme.benefit_unbookable': 'L’avantage « {id} » n’a ni prix en points ni niveau qui y donne droit : personne ne peut le réserver.',
  'programme.benefit_duplicate': 'L’avantage « {id} » est défini deux fois.',
  'programme.benefit_unknown': 'L’avantage « {id} » n’existe pas.',
  'programme.cadence_no_trigger': 'Des bons sont prévus mais ni un nombre de visites ni un nombre de points ne les déclenche.',
  'programme.cadence_free_voucher': 'Un bon de 0 € n’est pas une récompense.',
  'programme.regularity_streak': 'La série ({streak} semaines) est plus longue que la fenêtre de régularité ({window} semaines).',
  'programme.membership_free': 'Une adhésion payante ne peut pas coûter 0 €.',
  'programme.audience_unknown': 'Rien à réserver aux nouveaux membres : « {id} » ({kind}) n’existe pas.',
  'programme.audience_duplicate': '« {id} » est réservé deux fois.',
  'programme.unfair_new_members': 'Injuste envers les clients fidèles : {reason}',
  'programme.unfair_reward': 'la récompense « {id} » ({points} points) est réservée aux nouveaux membres et aucune récompense pour le même article à {points} points ou moins n’est ouverte aux membres de longue date.',
  'programme.unfair_promotion': 'la promotion « {id} » (×{percent} %) est réservée aux nouveaux membres et aucune promotion au moins aussi forte sur les mêmes jours, heures, dates et catégories n’est ouverte aux membres de longue date.',
};

export const programmeEn: Catalog = {
  'programme.not_object': 'The programme must be a JSON object.',
  'programme.unknown_field': 'Unknown field « {field} ».',
  'programme.missing_field': 'Required field missing.',
  'programme.field_invalid': 'Value refused: {detail}.',
  'programme.instant': 'A date and time with its offset is expected (e.g. 2027-01-04T06:00:00+01:00).',
  'programme.version_id': 'Invalid version id (letters, digits, « . », « _ », « - », at most 32).',
  'programme.reward_free': 'A reward cannot be priced at 0 points.',
  'programme.reward_duplicate': 'Reward « {id} » is defined twice.',
  'programme.promotion_duplicate': 'Promotion « {id} » is defined twice.',
  'programme.promotions_contradict':
    'Promotions « {a} » (×{aPercent} %) and « {b} » (×{bPercent} %) overlap ({when}) with different multipliers: only the stronger would apply.',
  'programme.tier_shares_sum': 'The tier shares add up to {total} %, not 100 % ({detail}).',
  'programme.tier_duplicate': 'Tier « {id} » is defined twice.',
  'programme.tier_unknown': 'Tier « {id} » does not exist (tiers: {tiers}).',
  'programme.category_unknown': 'Category « {category} » is not in the catalogue.',
  'programme.tax_rate_unknown': 'VAT rate {rate} for « {category} » is not one of the allowed rates.',
  'programme.benefit_no_capacity': 'Benefit « {id} » has no seats: give it a capacity.',
  'programme.benefit_free': 'Benefit « {id} » is priced at 0 points: give it a price or reserve it by tier.',
  'programme.benefit_unbookable': 'Benefit « {id} » has neither a price in points nor an entitled tier: nobody can book it.',
  'programme.benefit_duplicate': 'Benefit « {id} » is defined twice.',
  'programme.benefit_unknown': 'Benefit « {id} » does not exist.',
  'programme.cadence_no_trigger': 'Vouchers are planned but neither a number of visits nor a number of points triggers them.',
  'programme.cadence_free_voucher': 'A 0 € voucher is no reward.',
  'programme.regularity_streak': 'The streak ({streak} weeks) is longer than the regularity window ({window} weeks).',
  'programme.membership_free': 'A paid membership cannot cost 0 €.',
  'programme.audience_unknown': 'No {kind} « {id} » to reserve to new members.',
  'programme.audience_duplicate': '« {id} » is reserved twice.',
  'programme.unfair_new_members': 'Unfair to loyal customers: {reason}',
  'programme.unfair_reward': 'reward « {id} » ({points} points) is reserved to new members and no reward for the same article at {points} points or fewer is open to long-standing members.',
  'programme.unfair_promotion': 'promotion « {id} » (×{percent} %) is reserved to new members and no promotion at least as strong on the same days, hours, dates and categories is open to long-standing members.',
};

/** The programme's texts and the ledger's (the rules' field checks speak with `ledger.*` keys). */
export const translateProgramme = createTranslator({ fr: { ...ledgerFr, ...programmeFr }, en: { ...ledgerEn, ...programmeEn } });
