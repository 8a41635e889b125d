import * as vscode from 'vscode';
import type { Log } from './log';
import { locateSource } from './sourceLocator';
import { showWarning } from './userMessages';

/**
 * Opens the source of a flame-graph frame at its line, beside the flame graph and without taking focus from
 * it, so the user can keep clicking through frames. The user asked for this file by clicking, so absolute
 * paths outside the workspace are opened too; relative paths resolve only inside workspace folders.
 */
export async function openFrameSource(url: string, line: number, column: number, log: Log): Promise<void> {
  const located = locateSource(url);
  if (located.kind === 'none') {
    void vscode.window.setStatusBarMessage(located.reason, 5000);
    return;
  }
  const uri = located.kind === 'file' ? vscode.Uri.file(located.path) : await findInWorkspace(located.path);
  if (!uri || !(await exists(uri))) {
    log.info(`no file for frame source ${url}`);
    void showWarning(`Cannot open ${url}: the file is not on this machine or not in the workspace.`);
    return;
  }
  const position = new vscode.Position(Math.max(0, line - 1), Math.max(0, column - 1));
  await vscode.window.showTextDocument(uri, {
    viewColumn: vscode.ViewColumn.Beside,
    preserveFocus: true,
    preview: true,
    selection: new vscode.Range(position, position),
  });
}

async function findInWorkspace(relativePath: string): Promise<vscode.Uri | undefined> {
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const candidate = vscode.Uri.joinPath(folder.uri, relativePath);
    // joinPath normalises `..`; a path that climbs out of the folder is not looked for.
    if (!candidate.path.startsWith(folder.uri.path.replace(/\/?$/, '/'))) continue;
    if (await exists(candidate)) return candidate;
  }
  return undefined;
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    const stat = await vscode.workspace.fs.stat(uri);
    return (stat.type & vscode.FileType.File) !== 0;
  } catch {
    return false;
  }
}
