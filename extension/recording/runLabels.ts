import type * as vscode from 'vscode';
import { gitLabels } from '../../common/gitLabels';

/**
 * The labels every launcher gives a run: the workspace folder and its git state, then the launcher's own
 * (session id, launcher, launch configuration), which win.
 */
export async function runLabels(folder: vscode.WorkspaceFolder | undefined, own: Record<string, string>): Promise<Record<string, string>> {
  if (!folder) return { ...own };
  return { ...(await gitLabels(folder.uri.fsPath)), workspace_folder: folder.name, ...own };
}
