import * as vscode from 'vscode';
import { gitLabels } from '../../common/gitLabels';
import type { CostsChangedNotification } from '../../common/protocol/languageServerProtocol';
import { parseSelector, quoteLabelValue } from '../../common/selector';
import { defaultSourceSelection, sourceSelectionSchema, type SourceSelection } from '../../common/sourceSelection';

const STATE_KEY = 'icicle.costSelection';
export const CHOOSE_COST_SELECTION_COMMAND = 'icicle.chooseCostSelection';

/**
 * Which samples the source's costs come from: a status bar item that says it, and a picker that changes it (latest
 * run of this branch, all its runs, the last hour or day, a label selector). The choice is kept per workspace; until
 * one is made, it is the latest run of the current branch (or of anything, when the branch has none).
 */
export class CostSelection implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('icicle.costSelection', vscode.StatusBarAlignment.Right, 99);
  private chosen: SourceSelection | undefined;

  constructor(
    private readonly memento: vscode.Memento,
    private readonly apply: (selection: SourceSelection) => void,
  ) {
    this.item.name = 'Icicle Source Costs';
    this.item.command = CHOOSE_COST_SELECTION_COMMAND;
    this.item.text = '$(flame) costs';
    this.item.tooltip = 'Icicle: which samples the costs in the source come from. Click to choose.';
    this.item.show();
    const saved = sourceSelectionSchema.safeParse(memento.get(STATE_KEY));
    if (saved.success) this.chosen = saved.data;
  }

  /** The selection to start the language server with. */
  async initial(): Promise<SourceSelection> {
    return this.chosen ?? defaultSourceSelection(await currentBranch());
  }

  /** What the language server says the costs come from now. */
  showCosts(params: CostsChangedNotification.Params): void {
    const none = params.files === 0;
    this.item.text = none ? '$(flame) no costs' : `$(flame) ${shortDescription(params.description)}`;
    this.item.tooltip = none
      ? `Icicle: no costs to show in the source (${params.description}). Profile a run, open a profile, or click to choose other samples.`
      : `Icicle: the source shows costs from ${params.description} (${params.runs} ${params.runs === 1 ? 'run' : 'runs'}, ${params.files} files). Click to choose other samples.`;
  }

  async pick(): Promise<void> {
    const branch = await currentBranch();
    const onBranch = branch === undefined ? '{}' : `{branch=${quoteLabelValue(branch)}}`;
    const where = branch === undefined ? 'this workspace' : `branch ${branch}`;
    const items: (vscode.QuickPickItem & { selection?: SourceSelection; ask?: true })[] = [
      { label: `Latest run of ${where}`, selection: defaultSourceSelection(branch) },
      { label: `All runs of ${where}`, selection: { kind: 'allRuns', selector: onBranch } },
      { label: `Last hour of ${where}`, selection: { kind: 'recent', selector: onBranch, minutes: 60 } },
      { label: `Last day of ${where}`, selection: { kind: 'recent', selector: onBranch, minutes: 1440 } },
      { label: 'Latest run of anything', selection: { kind: 'latestRun', selector: '{}' } },
      { label: 'Label selection…', description: '{launch_config="…", runtime="node"}', ask: true },
    ];
    const picked = await vscode.window.showQuickPick(items, { title: 'Icicle: which samples should the source show?' });
    if (!picked) return;
    let selection = picked.selection;
    if (picked.ask) {
      const selector = await vscode.window.showInputBox({
        title: 'Icicle: a label selector',
        value: onBranch,
        prompt: 'All samples the selector picks, e.g. {branch="main", launch_config="Launch Program"}',
        validateInput: text => {
          try {
            parseSelector(text);
            return undefined;
          } catch (error) {
            return (error as Error).message;
          }
        },
      });
      if (selector === undefined) return;
      selection = { kind: 'allRuns', selector };
    }
    if (selection) this.choose(selection);
  }

  /** Shows costs from `selection` from now on, in this workspace. */
  choose(selection: SourceSelection): void {
    this.chosen = selection;
    void this.memento.update(STATE_KEY, selection);
    this.apply(selection);
  }

  /** Forgets the choice: the default again (the latest run of the current branch). */
  async reset(): Promise<void> {
    this.chosen = undefined;
    await this.memento.update(STATE_KEY, undefined);
    this.apply(await this.initial());
  }

  get text(): string {
    return this.item.text;
  }

  dispose(): void {
    this.item.dispose();
  }
}

async function currentBranch(): Promise<string | undefined> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (!folder) return undefined;
  return (await gitLabels(folder).catch(() => ({}) as Record<string, string>))['branch'];
}

/** The status bar's short form: `latest run · main` of `branch="main", latest run (…)`. */
function shortDescription(description: string): string {
  const branch = /branch="([^"]*)"/.exec(description)?.[1];
  const what = /latest run|all runs|last [\w ]+/.exec(description)?.[0] ?? 'selection';
  return branch ? `${what} · ${branch}` : what;
}
