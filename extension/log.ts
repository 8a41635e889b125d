import { appendFileSync } from 'node:fs';
import * as vscode from 'vscode';

/**
 * The "Icicle" output channel, shared by the extension and the processes it starts (their stderr is
 * forwarded here). Users read it when something goes wrong, so lines say what happened in words.
 */
export type Log = vscode.LogOutputChannel;

/**
 * The output channel. With ICICLE_LOG_FILE set (the editor tests set it), every line is also appended to that file,
 * so a failed run can be read after the editor has gone.
 */
export function createLog(): Log {
  const channel = vscode.window.createOutputChannel('Icicle', { log: true });
  const file = process.env['ICICLE_LOG_FILE'];
  if (!file) return channel;
  const mirror = (level: string, message: string): void => {
    try {
      appendFileSync(file, `${new Date().toISOString()} ${level} ${message}\n`);
    } catch {
      // A diagnostics copy must never break the extension.
    }
  };
  for (const level of ['trace', 'debug', 'info', 'warn', 'error'] as const) {
    const original = channel[level].bind(channel) as (message: string | Error, ...args: unknown[]) => void;
    (channel as unknown as Record<string, unknown>)[level] = (message: string | Error, ...args: unknown[]) => {
      mirror(level, message instanceof Error ? message.message : message);
      original(message, ...args);
    };
  }
  // The language client writes the server's console (its refreshes, its warnings) as plain lines.
  for (const method of ['append', 'appendLine'] as const) {
    const original = channel[method].bind(channel);
    channel[method] = (value: string) => {
      mirror('server', value.replace(/\n$/, ''));
      original(value);
    };
  }
  return channel;
}
