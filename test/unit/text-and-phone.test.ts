import { describe, expect, it } from 'vitest';
import { checkFrenchMobile, formatFrenchPhone, nationalDigits, phoneQueryDigits } from '../../src/shared/domain/phone';
import { checkEmail, checkName, cleanEmail, cleanName, foldForSearch, isWellFormedText, searchWords } from '../../src/shared/domain/text';

describe('names', () => {
  it.each(['Claire', 'Hélène', 'Jean-Pierre', "D'Almeida", 'D’Almeida', 'Le Bœuf-Dürr', 'Zoë', 'Nguyễn', 'Ørsted', '王芳', 'Åsa 🌻', 'Ana 👩🏽‍🍳', 'St. John'])(
    'accepts %s',
    (name) => {
      expect(checkName(name)).toBeNull();
    },
  );

  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['x'.repeat(61), 'too_long'],
    ['Claire\u0000', 'control_chars'],
    ['Claire\u202e', 'control_chars'],
    ['Claire\n', null],
    ['-- ', 'no_letter'],
    ['Claire2', 'bad_chars'],
    ["Robert'); DROP TABLE member;--", 'bad_chars'],
    ['<script>', 'bad_chars'],
  ])('judges %j as %s', (name, problem) => {
    expect(checkName(name)).toBe(problem);
  });

  it('stores the composed form with single spaces and a straight apostrophe', () => {
    expect(cleanName('  He\u0301le\u0300ne   D’Arc ')).toBe("Hélène D'Arc");
  });

  it('folds case, accents and ligatures for search', () => {
    expect(foldForSearch('HÉLÈNE Lefèvre')).toBe('helene lefevre');
    expect(foldForSearch('Bœuf Æsa Straße')).toBe('boeuf aesa strasse');
    expect(searchWords("Jean-Pierre D'Almeida")).toEqual(['jean', 'pierre', 'd', 'almeida']);
  });
});

describe('emails', () => {
  it.each(['claire@example.com', 'c.dupont+fidele@sous.example.org', 'zoë@exemple.fr'])('accepts %s', (email) => {
    expect(checkEmail(email)).toBeNull();
  });
  it.each(['claire', 'claire@', '@example.com', 'claire@example', 'cl aire@example.com', 'a@b..com', `${'x'.repeat(250)}@example.com`])(
    'refuses %s',
    (email) => {
      expect(checkEmail(email)).not.toBeNull();
    },
  );
  it('lower-cases the domain only', () => {
    expect(cleanEmail(' Claire.D@Example.COM ')).toBe('Claire.D@example.com');
  });
});

describe('well-formed text', () => {
  it.each(['Claire', 'Ana 👩🏽‍🍳', '\u{1F600}', '\ufffd', '\ufdcf', '\ufdf0', '\u{10fffd}', ''])('accepts %j', (text) => {
    expect(isWellFormedText(text)).toBe(true);
  });
  it.each([
    ['a lone high surrogate', 'ab\ud83d'],
    ['a high surrogate before a letter', '\ud83dx'],
    ['a lone low surrogate', '\ude00b'],
    ['two lows', '\ude00\ude00'],
    ['U+FDD0', '\ufdd0'],
    ['U+FDEF', 'x\ufdefx'],
    ['U+FFFE', '\ufffe'],
    ['U+FFFF', '\uffff'],
    ['U+1FFFE', '\u{1fffe}'],
    ['U+10FFFF', '\u{10ffff}'],
  ])('refuses %s', (_what, text) => {
    expect(isWellFormedText(text)).toBe(false);
  });
  it('is the rule of names and emails', () => {
    expect(checkName('Claire\ud800')).toBe('malformed');
    expect(checkEmail('claire\udfff@example.com')).toBe('malformed');
    expect(checkEmail('claire\ufffe@example.com')).toBe('malformed');
  });
});

describe('French mobiles', () => {
  it.each(['06 12 34 56 78', '06.12.34.56.78', '0612345678', '+33 6 12 34 56 78', '+33612345678', '0033 6 12 34 56 78', '+33 (0)6 12 34 56 78'])(
    'stores %s as E.164',
    (raw) => {
      expect(checkFrenchMobile(raw)).toEqual({ ok: true, e164: '+33612345678' });
    },
  );
  it('accepts 07 numbers', () => {
    expect(checkFrenchMobile('07 55 50 12 34')).toEqual({ ok: true, e164: '+33755501234' });
  });
  it.each([
    ['01 23 45 67 89', 'not_mobile'],
    ['09 87 65 43 21', 'not_mobile'],
    ['06 12 34 56', 'format'],
    ['06 12 34 56 78 9', 'format'],
    ['+44 7700 900123', 'format'],
    ['06-12-34-56-7a', 'format'],
    ['612345678', 'format'],
  ])('refuses %s (%s)', (raw, problem) => {
    expect(checkFrenchMobile(raw)).toEqual({ ok: false, problem });
  });
  it('formats and searches in the national form', () => {
    expect(formatFrenchPhone('+33612345678')).toBe('06 12 34 56 78');
    expect(nationalDigits('+33612345678')).toBe('0612345678');
    expect(phoneQueryDigits('+33 6 12')).toBe('0612');
    expect(phoneQueryDigits('06 12 34')).toBe('061234');
    expect(phoneQueryDigits('claire')).toBeNull();
  });
});
