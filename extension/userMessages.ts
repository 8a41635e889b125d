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

export async function showError(message: string, ...actions: string[]): Promise<string | undefined> {
  return vscode.window.showErrorMessage(plainNotificationText(message), ...actions);
}

export async function showInformation(message: string, ...actions: string[]): Promise<string | undefined> {
  return vscode.window.showInformationMessage(plainNotificationText(message), ...actions);
}

export async function showWarning(message: string, ...actions: string[]): Promise<string | undefined> {
  return vscode.window.showWarningMessage(plainNotificationText(message), ...actions);
}

/** The message of an error from another process or from a failed operation, fit for a notification. */
export function errorText(error: unknown): string {
  return describeError(error).split('\n')[0] ?? 'Unknown error';
}
