/**
 * A name as a screen shows it (issue 17 item 2): stored as the customer typed
 * it, shown with a sensible capitalisation. A name typed all in lower case or
 * all in capitals (« claire », « MARTIN ») is capitalised part by part, across
 * spaces, hyphens and apostrophes (« Jean-Pierre », « O'Brien »); the French
 * particles inside a name stay lower case (« de la Fontaine », « d'Artagnan »).
 * A name typed in mixed case (« McDonald », « van der Berg », « DeVito ») is the
 * customer's own choice and is shown exactly as typed.
 */
const PARTICLES = new Set(['de', 'du', 'des', 'la', 'le', 'les', 'd', 'l', 'van', 'von', 'der', 'den', 'y', 'e', 'di', 'da', 'del', 'dos']);

export function displayName(typed: string, locale = 'fr'): string {
  const name = typed.normalize('NFC').trim().replace(/\s+/g, ' ');
  const lower = name.toLocaleLowerCase(locale);
  const upper = name.toLocaleUpperCase(locale);
  const mixed = name !== lower && name !== upper;
  if (mixed) return name;
  let first = true;
  // Parts and the separators between them, kept in place.
  return lower.replace(/[^\s\-'’]+/gu, (part) => {
    const keep = !first && PARTICLES.has(part);
    first = false;
    return keep ? part : part.charAt(0).toLocaleUpperCase(locale) + part.slice(1);
  });
}
