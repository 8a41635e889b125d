import { isAbsolute, resolve } from 'node:path';
import * as vscode from 'vscode';
import { SetSourcesRequest } from '../../common/protocol/agentProtocol';
import type { AgentSupervisor } from '../agentSupervisor';
import type { Log } from '../log';
import { errorText } from '../userMessages';

/**
 * The dataset folders of the `icicle.sources` setting, absolute: a relative one is the workspace folder's (the
 * first's), and without a folder it cannot be placed and is left out. Duplicates are one. In an untrusted workspace
 * only the user's own setting counts: a folder's settings could point the agent's Parquet decoder at any file.
 */
export function readSourceFolders(): string[] {
  const setting = vscode.workspace.getConfiguration('icicle');
  const configured = vscode.workspace.isTrusted ? setting.get<unknown>('sources', []) : setting.inspect<unknown>('sources')?.globalValue;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const folders = (Array.isArray(configured) ? configured : [])
    .filter((entry): entry is string => typeof entry === 'string' && entry.trim() !== '')
    .map(entry => (isAbsolute(entry) ? entry : folder === undefined ? undefined : resolve(folder, entry)))
    .filter((entry): entry is string => entry !== undefined);
  return [...new Set(folders)];
}

/**
 * Keeps the agent's list of datasets beside the store equal to `icicle.sources`: sent when the agent starts or
 * restarts and whenever the setting changes, so a change takes effect without a reload. The agent only reads them.
 */
export class DatasetSourcesSetting implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly agent: AgentSupervisor,
    private readonly log: Log,
  ) {
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration(event => {
        if (event.affectsConfiguration('icicle.sources')) void this.send();
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.send()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.send()),
      agent.onDidRestart(() => void this.send()),
    );
  }

  /** Sends the folders now; what the compare commands call first, so they never ask with a stale list. */
  async send(): Promise<string[]> {
    const folders = readSourceFolders();
    try {
      await (await this.agent.connection()).request(SetSourcesRequest, { folders });
    } catch (error) {
      this.log.warn(`could not give the agent the datasets of icicle.sources: ${errorText(error)}`);
    }
    return folders;
  }

  dispose(): void {
    this.disposables.forEach(d => d.dispose());
  }
}
