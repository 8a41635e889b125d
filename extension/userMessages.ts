import * as vscode from 'vscode';
import { describeError } from '../common/errors';

/**
 * Notifications shown to the user. Their text can contain file and function names from profiles, and VS Code
 * turns `[text](target)` in a notification into a link (commands included), so link syntax is broken up
 * before anything is shown. Stack traces never reach a notification; they go to the output channel.
 */
export function plainNotificationText(text: string): string {
  return text.replace(/\]\s*\(/g, '] (').slice(0, 2000);
}

export type MessageSeverity = 'error' | 'warning' | 'information';

/**
 * The notifications shown in this window, oldest first, at most 100: every notification Icicle shows goes through
 * this module, so this is what the user was told (the test API reads it to check that a fault gives one message).
 */
const shown: { severity: MessageSeverity; text: string }[] = [];

export function shownMessages(): readonly { severity: MessageSeverity; text: string }[] {
  return shown;
}

function notify(severity: MessageSeverity, message: string, actions: string[]): Thenable<string | undefined> {
  const text = plainNotificationText(message);
  shown.push({ severity, text });
  if (shown.length > 100) shown.shift();
  if (severity === 'error') return vscode.window.showErrorMessage(text, ...actions);
  if (severity === 'warning') return vscode.window.showWarningMessage(text, ...actions);
  return vscode.window.showInformationMessage(text, ...actions);
}

export async function showError(message: string, ...actions: string[]): Promise<string | undefined> {
  return notify('error', message, actions);
}

export async function showInformation(message: string, ...actions: string[]): Promise<string | undefined> {
  return notify('information', message, actions);
}

export async function showWarning(message: string, ...actions: string[]): Promise<string | undefined> {
  return notify('warning', message, actions);
}

/**
 * A modal question the user must answer before something irreversible (deleting a run): it is recorded like a
 * notification, and its text is made plain the same way, because it names runs whose labels come from profiles.
 */
export async function confirmModal(question: string, detail: string, action: string): Promise<boolean> {
  const text = plainNotificationText(question);
  shown.push({ severity: 'warning', text });
  if (shown.length > 100) shown.shift();
  return (await vscode.window.showWarningMessage(text, { modal: true, detail: plainNotificationText(detail) }, action)) === action;
}

/** The message of an error from another process or from a failed operation, fit for a notification. */
export function errorText(error: unknown): string {
  return describeError(error).split('\n')[0] ?? 'Unknown error';
}
