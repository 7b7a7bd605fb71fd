/**
 * French mobile numbers. Customers type them every way there is
 * (06 12 34 56 78, 06.12.34.56.78, +33 6 12…, 0033 6…); we store E.164
 * (+33612345678) and search on the national form the cashier will type.
 */

export type PhoneProblem = 'format' | 'not_mobile';

export type PhoneCheck = { ok: true; e164: string } | { ok: false; problem: PhoneProblem };

function nationalSignificant(raw: string): string | null {
  const trimmed = raw.trim();
  if (!/^[+\d][\d\s.()-]*$/.test(trimmed)) return null;
  let digits = trimmed.replace(/\D/g, '');
  if (trimmed.startsWith('+')) {
    if (!digits.startsWith('33')) return null;
    digits = digits.slice(2);
  } else if (digits.startsWith('0033')) {
    digits = digits.slice(4);
  } else if (digits.startsWith('0')) {
    digits = digits.slice(1);
  } else {
    return null;
  }
  // "+33 (0)6…" is a common way of writing it.
  if (digits.length === 10 && digits.startsWith('0')) digits = digits.slice(1);
  return digits.length === 9 ? digits : null;
}

export function checkFrenchMobile(raw: string): PhoneCheck {
  const nsn = nationalSignificant(raw);
  if (nsn === null) return { ok: false, problem: 'format' };
  if (nsn[0] !== '6' && nsn[0] !== '7') return { ok: false, problem: 'not_mobile' };
  return { ok: true, e164: `+33${nsn}` };
}

/** +33612345678 → 06 12 34 56 78 */
export function formatFrenchPhone(e164: string): string {
  if (!e164.startsWith('+33') || e164.length !== 12) return e164;
  const national = `0${e164.slice(3)}`;
  return national.replace(/(\d{2})(?=\d)/g, '$1 ');
}

/** +33612345678 → 0612345678, the digits a cashier types when searching. */
export function nationalDigits(e164: string): string {
  return e164.startsWith('+33') ? `0${e164.slice(3)}` : e164.replace(/\D/g, '');
}

/**
 * The digits of a partial phone number typed into a search box, brought to the
 * national form (+33 6 12 → 0612), or null when the query is not phone-like.
 */
export function phoneQueryDigits(query: string): string | null {
  const trimmed = query.trim();
  if (!/^[+\d][\d\s.()-]*$/.test(trimmed)) return null;
  let digits = trimmed.replace(/\D/g, '');
  if (trimmed.startsWith('+33')) digits = `0${digits.slice(2)}`;
  else if (digits.startsWith('0033')) digits = `0${digits.slice(4)}`;
  return digits.length >= 2 ? digits : null;
}
