export { startBrowserShell } from './browser-shell';
export type { BrowserShell, BrowserShellOptions } from './browser-shell';
export { generateToken, tokenMatches } from './token';
