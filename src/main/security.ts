/**
 * The Content-Security-Policy of every renderer page, in both shells. Scripts only from the app
 * itself; no eval; connections only back to the app (the browser shell's WebSocket is same-origin).
 * Inline styles are allowed because React and xterm.js set element styles; inline scripts are not.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
