import type { Catalog } from './i18n';

/** Customer screen strings. */
export const customerFr: Catalog = {};

export const customerEn: Catalog = {};
