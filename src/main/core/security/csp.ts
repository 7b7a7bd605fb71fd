/**
 * One Content-Security-Policy for every screen, served by the Electron `app://`
 * protocol and by the web bridge alike: our own scripts and styles only, no
 * eval, no remote anything. `connect-src` admits the bridge's socket on
 * loopback; in Electron there is none to connect to.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self' ws://127.0.0.1:* ws://localhost:*",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
