/**
 * What the user was told, read from the workbench page by the driver (../workbenchMessages.ts), as the user reads it.
 */
import * as vscode from 'vscode';
import { ask } from './e2eBridge';

/** `text` as a regular expression that matches it literally. */
export const literally = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Waits for a notification in the workbench that contains `text`, and returns every notification shown then. Under
 * the driver the workbench shows no toasts, so the notification centre is opened to read them, and closed again so
 * that it covers nothing the next step clicks.
 */
export async function notificationSaying(text: string): Promise<string[]> {
  await vscode.commands.executeCommand('notifications.showList');
  try {
    return (await ask({ action: 'notifications', expect: literally(text), timeoutMs: 20_000 })).texts;
  } finally {
    await vscode.commands.executeCommand('notifications.hideList');
  }
}

/** Forgets the notifications shown so far, so that the next check sees only what follows. */
export async function clearNotifications(): Promise<void> {
  await vscode.commands.executeCommand('notifications.clearAll');
}
