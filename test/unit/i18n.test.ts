import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/shared/contract';
import { createTranslator } from '../../src/shared/i18n/i18n';
import { catalogs, translate } from '../../src/shared/i18n/messages';

describe('message catalogs', () => {
  it('French and English have the same keys', () => {
    expect(Object.keys(catalogs.en).sort()).toEqual(Object.keys(catalogs.fr).sort());
  });

  it('every error code a screen can receive has a message', () => {
    for (const code of ERROR_CODES) expect(catalogs.fr[`error.${code}`], code).toBeTruthy();
  });

  it('keeps the placeholders of each message in both languages', () => {
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(catalogs.fr)) expect(placeholders(catalogs.en[key]!), key).toEqual(placeholders(catalogs.fr[key]!));
  });

  it('fills placeholders, falls back to French, and shows an unknown key as itself', () => {
    const t = createTranslator({ fr: { hello: 'Bonjour {name}', only: 'seulement' }, en: { hello: 'Hello {name}' } });
    expect(t('fr', 'hello', { name: 'Zoë' })).toBe('Bonjour Zoë');
    expect(t('en', 'hello', { name: 'Zoë' })).toBe('Hello Zoë');
    expect(t('en', 'only')).toBe('seulement');
    expect(t('en', 'missing.key')).toBe('missing.key');
    expect(translate('fr', 'card.check_digit')).toMatch(/clé de contrôle/);
  });
});
