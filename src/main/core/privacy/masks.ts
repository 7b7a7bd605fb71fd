/**
 * What the cashier sees of a contact the terminal no longer keeps in full
 * (issue 17 item 5): enough to ask « c'est bien c***@exemple.fr ? », not
 * enough to write to the customer.
 */

/** claire.martin@exemple.fr → c***@exemple.fr (the domain kept: it rarely identifies anyone). */
export function maskEmail(email: string): string {
  const trimmed = email.trim();
  const at = trimmed.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${[...trimmed.slice(0, at)][0]}***@${trimmed.slice(at + 1).toLowerCase()}`;
}

/** +33612345678 → 06 ** ** ** 78: the kind of number and its last two digits. */
export function maskPhone(e164: string): string {
  const national = e164.startsWith('+33') && e164.length === 12 ? `0${e164.slice(3)}` : e164.replace(/\D/g, '');
  if (national.length < 4) return '** ** ** ** **';
  return `${national.slice(0, 2)} ** ** ** ${national.slice(-2)}`;
}
