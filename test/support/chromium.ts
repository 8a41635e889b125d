import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's Chromium, headless, with the flags measured to work on these machines: no sandbox (tests run as
 * root), no GPU, and nothing that reaches the network (this machine's network is closed). ICICLE_CHROMIUM
 * points at another binary.
 */
export const CHROMIUM_PATH = process.env['ICICLE_CHROMIUM'] ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}
