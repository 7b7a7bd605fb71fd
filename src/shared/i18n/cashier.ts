import type { Catalog } from './i18n';

/** Cashier screen strings. */
export const cashierFr: Catalog = {};

export const cashierEn: Catalog = {};
