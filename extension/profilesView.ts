import { EXPORT_FORMATS, FILE_EXPORT_FORMAT_IDS } from '../common/exportFormats';
import * as vscode from 'vscode';
import { DeleteRunRequest, ExportSelectionRequest, ListRunsRequest, type RunSummary } from '../common/protocol/agentProtocol';
import { quoteLabelValue } from '../common/selector';
import { openFlameGraphPanel } from './openProfileCommand';
import type { FlameGraphPanelServices } from './flameGraphPanel';
import { confirmModal, errorText, showError } from './userMessages';

/** The selector of one recorded run's samples. */
export function runSelector(sessionId: string): string {
  return `{session_id=${quoteLabelValue(sessionId)}}`;
}

/** A run's flame graph title: its name and the time it started. */
export function runTitle(name: string, startedAt: Date): string {
  return `${name} (${startedAt.toLocaleTimeString()})`;
}

/** How a run is named in lists: its launch configuration, else its command, else its session id. */
export function runName(run: RunSummary): string {
  return run.labels['launch_config'] || run.labels['command'] || `session ${run.sessionId}`;
}

/**
 * The "Profiles" view in Icicle's side bar: the recorded runs in the store, newest first, each with its branch,
 * time, length and samples. Clicking a run opens its flame graph; its context menu exports or deletes it. The list follows
 * the store: it refreshes when samples land, a recording ends, or the agent restarts.
 */
export class ProfilesView implements vscode.TreeDataProvider<RunSummary>, vscode.Disposable {
  static readonly viewId = 'icicle.profiles';
  private readonly onDidChangeEmitter = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.onDidChangeEmitter.event;
  private readonly disposables: vscode.Disposable[] = [];
  private refreshTimer: NodeJS.Timeout | undefined;
  /** The runs last listed, for the tests. */
  runs: RunSummary[] = [];

  constructor(private readonly services: FlameGraphPanelServices) {
    this.disposables.push(
      vscode.window.registerTreeDataProvider(ProfilesView.viewId, this),
      vscode.commands.registerCommand('icicle.profiles.refresh', () => this.refresh()),
      vscode.commands.registerCommand('icicle.profiles.open', (run: RunSummary) => this.open(run)),
      vscode.commands.registerCommand('icicle.profiles.export', (run: RunSummary) => this.exportRun(run)),
      vscode.commands.registerCommand('icicle.profiles.delete', (run: RunSummary, confirmed?: boolean) => this.deleteRun(run, confirmed === true)),
      services.agent.onDidStoreSamples(() => this.scheduleRefresh()),
      services.agent.onDidEndRecording(() => this.scheduleRefresh()),
      services.agent.onDidRestart(() => this.refresh()),
    );
  }

  refresh(): void {
    this.onDidChangeEmitter.fire();
  }

  /** At most one refresh a second however fast samples land. */
  private scheduleRefresh(): void {
    this.refreshTimer ??= setTimeout(() => {
      this.refreshTimer = undefined;
      this.refresh();
    }, 1000);
  }

  async getChildren(element?: RunSummary): Promise<RunSummary[]> {
    if (element) return [];
    try {
      const agent = await this.services.agent.connection();
      this.runs = (await agent.request(ListRunsRequest, { limit: 500 })).runs;
    } catch (error) {
      this.services.log.warn(`could not list the recorded runs: ${errorText(error)}`);
      this.runs = [];
    }
    return this.runs;
  }

  getTreeItem(run: RunSummary): vscode.TreeItem {
    const item = new vscode.TreeItem(runName(run), vscode.TreeItemCollapsibleState.None);
    const when = new Date(run.startMs);
    const seconds = (run.valueNs / 1e9).toFixed(run.valueNs < 1e10 ? 1 : 0);
    const branch = run.labels['branch'] ? `${run.labels['branch']}${run.labels['dirty'] === 'true' ? '*' : ''} · ` : '';
    item.description = `${branch}${when.toLocaleString()} · ${seconds} s`;
    // Plain text only: labels come from profiled programs and git, so nothing here is rendered as markup.
    item.tooltip = [
      runName(run),
      `${when.toLocaleString()}, ${run.samples.toLocaleString('en-US')} samples, ${seconds} s of CPU time`,
      ...Object.entries(run.labels).map(([key, value]) => `${key}: ${value}`),
      `session_id: ${run.sessionId}`,
    ].join('\n');
    item.iconPath = new vscode.ThemeIcon(run.labels['runtime'] === 'native' ? 'chip' : 'flame');
    item.contextValue = 'icicleRun';
    item.id = run.sessionId;
    item.command = { command: 'icicle.profiles.open', title: 'Open Flame Graph', arguments: [run] };
    item.accessibilityInformation = { label: `${runName(run)}, ${item.description}` };
    return item;
  }

  private open(run: RunSummary): void {
    const title = runTitle(runName(run), new Date(run.startMs));
    openFlameGraphPanel(this.services, { kind: 'selection', selector: runSelector(run.sessionId), title }, title);
  }

  private async exportRun(run: RunSummary): Promise<void> {
    const format = await vscode.window.showQuickPick(
      FILE_EXPORT_FORMAT_IDS.map(id => ({ ...EXPORT_FORMATS[id], format: id })),
      { title: `Export ${runName(run)}` },
    );
    if (!format) return;
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const name = `${runName(run).replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 60)}-${run.sessionId}.${format.extension}`;
    const target = await vscode.window.showSaveDialog({ defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined, title: `Export ${runName(run)} as ${format.label}` });
    if (!target) return;
    try {
      const agent = await this.services.agent.connection();
      const { bytes } = await agent.request(ExportSelectionRequest, { selector: runSelector(run.sessionId), format: format.format, path: target.fsPath });
      vscode.window.setStatusBarMessage(`Icicle: exported ${bytes.toLocaleString('en-US')} bytes`, 5000);
    } catch (error) {
      void showError(`Icicle could not export the run: ${errorText(error)}`);
    }
  }

  /** Deletes a run from the store after the user confirms (tests pass `confirmed`). */
  private async deleteRun(run: RunSummary, confirmed: boolean): Promise<boolean> {
    if (!confirmed) {
      const when = new Date(run.startMs).toLocaleString();
      const question = `Delete the run "${runName(run)}" of ${when} (${run.samples.toLocaleString('en-US')} samples) from Icicle's store?`;
      if (!(await confirmModal(question, 'Its samples are deleted from disk; this cannot be undone.', 'Delete'))) return false;
    }
    try {
      const agent = await this.services.agent.connection();
      const { deletedSamples } = await agent.request(DeleteRunRequest, { sessionId: run.sessionId });
      vscode.window.setStatusBarMessage(`Icicle: deleted ${deletedSamples.toLocaleString('en-US')} samples`, 5000);
      this.refresh();
      return true;
    } catch (error) {
      void showError(`Icicle could not delete the run: ${errorText(error)}`);
      return false;
    }
  }

  dispose(): void {
    clearTimeout(this.refreshTimer);
    this.disposables.forEach(d => d.dispose());
    this.onDidChangeEmitter.dispose();
  }
}
