// How every test and benchmark starts Chromium: Debian's package (Playwright's own browser
// downloads cannot reach their hosts here), with the flags that keep it off the network.
export const CHROMIUM_EXECUTABLE = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Launch options for playwright-core's chromium.launch and Playwright's launchOptions. */
export const chromiumLaunchOptions = () => ({
  executablePath: CHROMIUM_EXECUTABLE,
  args: [...CHROMIUM_ARGS],
});
