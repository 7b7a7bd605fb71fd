import type { Locale } from '../contract/schemas';
import { commonEn, commonFr } from './common';
import { cashierEn, cashierFr } from './cashier';
import { customerEn, customerFr } from './customer';
import { incidentsEn, incidentsFr } from './incidents';
import { ledgerEn, ledgerFr } from './ledger';
import { receiptEn, receiptFr } from './receipt';
import { syncEn, syncFr } from './sync';
import { valueEn, valueFr } from './value';
import { tiersEn, tiersFr } from './tiers';
import { regularityEn, regularityFr } from './regularity';
import { itEn, itFr } from './it';
import { updatesEn, updatesFr } from './updates';
import { offersEn, offersFr } from './offers';
import { socialEn, socialFr } from './social';
import { privacyEn, privacyFr } from './privacy';
import { benefitsEn, benefitsFr } from './benefits';
import { vouchersEn, vouchersFr } from './vouchers';
import { createTranslator, mergeCatalogs, type Catalog } from './i18n';

export const catalogs: Readonly<Record<Locale, Catalog>> = {
  fr: mergeCatalogs(commonFr, cashierFr, customerFr, ledgerFr, receiptFr, syncFr, incidentsFr, valueFr, tiersFr, regularityFr, itFr, updatesFr, offersFr, socialFr, privacyFr, benefitsFr, vouchersFr),
  en: mergeCatalogs(commonEn, cashierEn, customerEn, ledgerEn, receiptEn, syncEn, incidentsEn, valueEn, tiersEn, regularityEn, itEn, updatesEn, offersEn, socialEn, privacyEn, benefitsEn, vouchersEn),
};

export const translate = createTranslator(catalogs);
