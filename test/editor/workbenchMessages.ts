/**
 * What the workbench tells the user, read from the real page for the suite: its notifications, and the lines it logs
 * (where, while extension tests run, it puts the text of each modal dialog it refuses to show). The extension host
 * sees neither, so a test that checks what the user was told asks the driver to read it here.
 */
import type { Page } from 'playwright-core';
import type { BridgeRequest, BridgeResults } from './handshake';
import { pollUntil } from '../support/poll';

/**
 * The text of every notification shown now, each once. With the smoke-test driver on, the workbench shows no toasts
 * (notifications only reach the notification centre), so the suite opens the centre before it asks.
 */
async function shownNotifications(page: Page): Promise<string[]> {
  const texts = await page
    .locator('.notification-list-item-message')
    .evaluateAll(elements => elements.filter(e => e.getClientRects().length > 0).map(e => (e.textContent ?? '').trim()))
    .catch(() => [] as string[]);
  return [...new Set(texts.filter(Boolean))];
}

export async function notifications(page: Page, request: Extract<BridgeRequest, { action: 'notifications' }>): Promise<BridgeResults['notifications']> {
  const expected = new RegExp(request.expect);
  let texts: string[] = [];
  await pollUntil(
    async () => {
      texts = await shownNotifications(page);
      return texts.some(text => expected.test(text));
    },
    { timeoutMs: request.timeoutMs, what: `a notification matching /${request.expect}/`, details: () => `shown: ${JSON.stringify(texts)}` },
  );
  return { texts };
}

export async function pageConsole(lines: () => readonly string[], request: Extract<BridgeRequest, { action: 'pageConsole' }>): Promise<BridgeResults['pageConsole']> {
  const expected = new RegExp(request.expect);
  const matching = () => lines().filter(text => expected.test(text));
  await pollUntil(() => matching().length >= request.count, {
    timeoutMs: request.timeoutMs,
    what: `the page to log ${request.count} line(s) matching /${request.expect}/`,
  });
  return { lines: matching() };
}
