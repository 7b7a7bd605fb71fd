/**
 * The Content-Security-Policy of every screen, served by the Electron `app://`
 * protocol and by the web bridge alike: our own scripts and styles only, no
 * eval, no remote anything. The one difference is `connect-src`: the bridge's
 * pages may open its own WebSocket and nothing else (not another port on
 * loopback, where any local process may listen); Electron's screens talk to
 * the core over IPC and connect nowhere.
 */
function policy(connectSrc: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${connectSrc}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Electron's `app://` screens: no network at all. */
export const ELECTRON_CSP = policy("'none'");

/**
 * The web bridge's screens: its socket at exactly the origins it serves
 * (`http://127.0.0.1:5170` gives `ws://127.0.0.1:5170`), nothing else.
 */
export function webBridgeCsp(origins: Iterable<string>): string {
  const sockets = [...origins].map((origin) => {
    const url = new URL(origin);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`not a web origin: ${origin}`);
    return `${url.protocol === 'https:' ? 'wss' : 'ws'}://${url.host}`;
  });
  if (sockets.length === 0) throw new Error('the web bridge serves from at least one origin');
  return policy(sockets.join(' '));
}
