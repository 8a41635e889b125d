import * as vscode from 'vscode';
import type { Log } from './log';
import { locateSource } from './sourceLocator';
import { showWarning } from './userMessages';
import { resolveInFolder, staysInside } from './workspacePaths';

/**
 * Opens the source of a flame-graph frame at its line, beside the flame graph and without taking focus from
 * it, so the user can keep clicking through frames. The user asked for this file by clicking, so absolute
 * paths outside the workspace are opened too; relative paths resolve only inside workspace folders, also once links
 * are followed (workspacePaths.ts), and a path that climbs out is not looked for at all.
 */
export async function openFrameSource(url: string, line: number, column: number, log: Log): Promise<void> {
  const located = locateSource(url);
  if (located.kind === 'none') {
    void vscode.window.setStatusBarMessage(located.reason, 5000);
    return;
  }
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (located.kind === 'relative' && folders.length > 0 && !folders.some(folder => resolveInFolder(folder.uri.path, located.path) !== undefined)) {
    log.info(`frame source ${url} leads out of every workspace folder; not looked for`);
    void showWarning(`Cannot open ${url}: the path leads out of the workspace, and Icicle looks for relative paths only inside workspace folders.`);
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
    const inside = resolveInFolder(folder.uri.path, relativePath);
    if (inside === undefined) continue;
    const candidate = folder.uri.with({ path: inside });
    if (!(await exists(candidate))) continue;
    // A link inside the folder (a cloned repository can hold one) may lead out of it.
    if (folder.uri.scheme === 'file' && !(await staysInside(folder.uri.fsPath, candidate.fsPath))) continue;
    return candidate;
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
