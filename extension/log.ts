import * as vscode from 'vscode';

/**
 * The "Icicle" output channel, shared by the extension and the processes it starts (their stderr is
 * forwarded here). Users read it when something goes wrong, so lines say what happened in words.
 */
export type Log = vscode.LogOutputChannel;

export function createLog(): Log {
  return vscode.window.createOutputChannel('Icicle', { log: true });
}
