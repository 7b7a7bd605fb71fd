import { describe, expect, it } from 'vitest';
import { displayName } from '../../src/shared/i18n/name-case';

describe('displayName: stored as typed, shown with a sensible capitalisation', () => {
  it('capitalises a name typed all in lower case or all in capitals, part by part', () => {
    expect(displayName('claire')).toBe('Claire');
    expect(displayName('MARTIN')).toBe('Martin');
    expect(displayName('jean-pierre')).toBe('Jean-Pierre');
    expect(displayName("o'brien")).toBe("O'Brien");
    expect(displayName('  ÉLODIE   ')).toBe('Élodie');
  });

  it('keeps French particles lower case inside a name, never at its start', () => {
    expect(displayName('DE LA FONTAINE')).toBe('De la Fontaine');
    expect(displayName('jean de la fontaine')).toBe('Jean de la Fontaine');
    expect(displayName("charles d'artagnan")).toBe("Charles d'Artagnan");
  });

  it('shows a name typed in mixed case exactly as typed', () => {
    expect(displayName('McDonald')).toBe('McDonald');
    expect(displayName('van der Berg')).toBe('van der Berg');
    expect(displayName('DeVito')).toBe('DeVito');
  });
});
