/**
 * What went wrong on the way to a server, in words an IT person can act on.
 * fetch() throws « TypeError: fetch failed » and keeps the reason in
 * `error.cause` (ECONNREFUSED, ENOTFOUND, a TLS refusal…); node-postgres
 * throws an AggregateError with an empty message when every address of a
 * host refused. This walks those wrappers down to the first useful words.
 */
interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  cause?: unknown;
  errors?: unknown;
}

const WORDS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_HEADERS_TIMEOUT: 'no answer in time',
  UND_ERR_SOCKET: 'connection closed by the other side',
  CERT_HAS_EXPIRED: 'certificate expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in chain',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'certificate not trusted',
  ERR_TLS_CERT_ALTNAME_INVALID: 'certificate for another host name',
};

/** Messages that only say « something failed »: the cause underneath says what. */
const VAGUE = /^(fetch failed|terminated|other side closed|)$/i;

function one(error: ErrorLike): string {
  const message = typeof error.message === 'string' ? error.message.trim() : '';
  const code = typeof error.code === 'string' ? error.code : '';
  const words = WORDS[code];
  if (words) return message && !VAGUE.test(message) && !message.includes(code) ? `${words} (${code}: ${message})` : `${words} (${message || code})`;
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timed out';
  return message || code || String(error.name ?? 'unknown error');
}

export function describeError(error: unknown, depth = 0): string {
  if (error === null || typeof error !== 'object') return String(error);
  const e = error as ErrorLike;
  const message = typeof e.message === 'string' ? e.message.trim() : '';
  const code = typeof e.code === 'string' ? e.code : '';
  if (depth < 5 && e.cause !== undefined && e.cause !== null && (VAGUE.test(message) || !WORDS[code])) {
    const below = describeError(e.cause, depth + 1);
    return VAGUE.test(message) ? below : `${one(e)}: ${below}`;
  }
  if (depth < 5 && Array.isArray(e.errors) && e.errors.length > 0 && (VAGUE.test(message) || !WORDS[code])) {
    const all = [...new Set(e.errors.map((x) => describeError(x, depth + 1)))];
    return all.join('; ');
  }
  return one(e);
}

/** « <url>: <cause> »; a URL's password is never repeated. */
export function describeFailure(url: string, error: unknown): string {
  return `${redactUrl(url)}: ${describeError(error)}`;
}

/** The URL with any password replaced by ***, for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
}
