/**
 * What the IT view and the diagnostics bundle show of the terminal's logs and
 * state: IT staff read them, mail them and paste them into tickets, so a
 * member's email, phone number, card number or name never goes with them.
 * Patterns catch what free text may carry; names are only recognisable by the
 * field that holds them (`firstName`, `lastName`, `name`…).
 */

/** An email, or the mask the terminal shows of one (« c***@exemple.fr »: it still names the domain). */
const EMAIL = /[A-Za-z0-9._%+*-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;

/**
 * A run of 8 to 19 digits, optionally grouped by spaces, dots or dashes,
 * standing alone (not inside a word, an id or a longer digit run), with an
 * optional leading '+'.
 */
const DIGIT_RUN = /(?<![\dA-Za-z+])\+?\d(?:[ .-]?\d){7,18}(?![\dA-Za-z]|[ .-]?\d)/g;

/** Fields whose whole value is personal: a member's name, contact or card. */
const PERSONAL_KEY = /^(?:(?:first|last|full|display|member|customer|family|given)_?)?name$|^(?:e-?mail|phone|phone_?number|mobile|card|card_?number|address)$/i;

export const REDACTED = '[masqué]';

function digitRun(match: string): string {
  const digits = match.replace(/[^\d]/g, '');
  // Payment and loyalty cards are 12 to 19 digits: the last four say which card without giving it away.
  if (!match.startsWith('+') && digits.length >= 12) return `[carte …${digits.slice(-4)}]`;
  // International (+33…, 0033…) or a national number with its trunk 0 (06 12 34 56 78).
  if (match.startsWith('+') || (digits.startsWith('0') && digits.length >= 9 && digits.length <= 11)) return '[tél.]';
  return match;
}

/** Free text with emails, phone numbers and card numbers masked. */
export function redactText(text: string): string {
  return text.replace(EMAIL, '[email]').replace(DIGIT_RUN, digitRun);
}

export function isPersonalKey(key: string): boolean {
  return PERSONAL_KEY.test(key);
}

/** A JSON-like value with personal fields masked whole and every string run through redactText. */
export function redactValue(value: unknown): unknown {
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return value.map(redactValue);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      out[key] = isPersonalKey(key) && inner !== null && inner !== undefined && inner !== '' ? REDACTED : redactValue(inner);
    }
    return out;
  }
  return value;
}

/** One log line (JSON as the logger writes it, or plain text) redacted. */
export function redactLogLine(line: string): string {
  try {
    const parsed: unknown = JSON.parse(line);
    if (parsed !== null && typeof parsed === 'object') return JSON.stringify(redactValue(parsed));
  } catch {
    // Not JSON: a line some other writer printed.
  }
  return redactText(line);
}

/** Keys whose value is a secret in a terminal's configuration (a PIN's hash, a till's token hash, a key). */
const SECRET_KEY = /pin|hash|token|secret|password|passphrase|private|key$/i;

/** The configuration as a bundle may carry it: secrets out, credentials out of URLs. */
export function withoutSecrets(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/^(https?:\/\/)[^/@\s]*@/i, '$1');
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) out[key] = SECRET_KEY.test(key) && inner !== null && inner !== undefined ? '[retiré]' : withoutSecrets(inner);
    return out;
  }
  return value;
}
