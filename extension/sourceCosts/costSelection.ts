import { basename } from 'node:path';
import * as vscode from 'vscode';
import { gitLabels } from '../../common/gitLabels';
import { readSourceFolders } from '../compare/datasetSourcesSetting';
import type { Log } from '../log';
import { CHOOSE_COST_SELECTION_COMMAND, type CostsChangedNotification } from '../../common/protocol/languageServerProtocol';
import { describeProfileType } from '../../common/profileTypes';
import { parseSelector, quoteLabelValue } from '../../common/selector';
import { defaultSourceSelection, sourceSelectionSchema, type SourceSelection } from '../../common/sourceSelection';
import { shortCostDescription } from './costStatusText';

/** The selection the user pinned in the picker (the key predates following, so a choice made before still holds). */
const PINNED_KEY = 'icicle.costSelection';
/** The profile the costs followed last, so that a reopened window shows what the user looked at before. */
const FOLLOWED_KEY = 'icicle.costSelection.followed';

/**
 * A profile the source's costs can follow: the samples a flame graph shows, what it is called there, and the type its
 * picker shows (allocated bytes, say; absent: CPU time, else the samples' first type).
 */
export interface FollowedProfile {
  selector: string;
  name: string;
  profileType?: string;
  /** The dataset of `icicle.sources` the samples are read from (a dataset's flame graph); absent: the store. */
  source?: string;
}

/**
 * Which samples the source's costs come from. Unless the user pinned a selection in the picker, the costs follow what
 * the user is looking at: the flame graph that was last in front (an opened file, a recorded run, a typed selector)
 * or the run that last started storing samples in this window, whichever came last. Before either, the latest run
 * of the current branch. Both the pinned choice and the followed profile are kept per workspace, so a reopened
 * window shows the same costs. A status bar item names the source; clicking it opens the picker.
 */
export class CostSelection implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('icicle.costSelection', vscode.StatusBarAlignment.Right, 99);
  private pinned: SourceSelection | undefined;
  private followed: FollowedProfile | undefined;
  /** The selector of the costs shown now, as the language server resolved it, and their type. */
  private shownSelector = '';
  private shownType: string | undefined;
  /** Every type the samples shown hold, which the picker offers when there are several. */
  private shownTypes: readonly string[] = [];
  /** The profile last announced to follow, as `selector NUL type`. */
  private lastFollowed: string | undefined;

  constructor(
    private readonly memento: vscode.Memento,
    private readonly apply: (selection: SourceSelection) => void,
    private readonly log: Log,
  ) {
    this.item.name = 'Icicle Source Costs';
    this.item.command = CHOOSE_COST_SELECTION_COMMAND;
    this.item.text = '$(flame) costs';
    this.item.tooltip = 'Icicle: which samples the costs in the source come from. Click to choose.';
    this.item.show();
    const pinned = sourceSelectionSchema.safeParse(memento.get(PINNED_KEY));
    if (pinned.success) this.pinned = pinned.data;
    const followed = sourceSelectionSchema.safeParse({ kind: 'profile', ...(memento.get(FOLLOWED_KEY) as object | undefined) });
    if (followed.success && followed.data.kind === 'profile') {
      const { selector, name, profileType, source } = followed.data;
      this.followed = { selector, name, ...(profileType !== undefined ? { profileType } : {}), ...(source !== undefined ? { source } : {}) };
    }
  }

  /** The selection the source shows now: the pinned one, else the followed profile, else the branch's latest run. */
  async current(): Promise<SourceSelection> {
    if (this.pinned) return this.pinned;
    if (this.followed) return { kind: 'profile', ...this.followed };
    return defaultSourceSelection(await currentBranch());
  }

  /** Whether the user pinned a selection, which opening a profile does not change. */
  get isPinned(): boolean {
    return this.pinned !== undefined;
  }

  /**
   * Makes `profile` the source of the costs, unless a selection is pinned or its samples are shown already, in its
   * type (a view opened from the source itself, by "Show in flame graph", shows the costs' own samples and type under
   * a function's name). A view whose type picker changed is followed in the new type. The same view announced again
   * (a live run's view reloads twice a second) changes nothing, so a type chosen in the picker meanwhile stays.
   */
  follow(profile: FollowedProfile): void {
    const key = `${profile.selector}\u0000${profile.profileType ?? ''}\u0000${profile.source ?? ''}`;
    const repeated = key === this.lastFollowed;
    this.lastFollowed = key;
    if (repeated) return;
    const what = `${profile.selector}${profile.profileType !== undefined ? ` (${profile.profileType})` : ''}${profile.source !== undefined ? ` from the dataset ${profile.source}` : ''}`;
    if (this.pinned) {
      this.log.debug(`source costs stay pinned; not following ${what}`);
      return;
    }
    const sameType = (type: string | undefined) => profile.profileType === undefined || type === profile.profileType;
    // Unpinned, the costs shown are the followed profile's: a store's and a dataset's view of one selector differ.
    const sameSource = this.followed?.source === profile.source;
    if (sameSource && ((profile.selector === this.shownSelector && sameType(this.shownType)) || (this.followed?.selector === profile.selector && sameType(this.followed.profileType)))) return;
    this.log.info(`source costs follow ${what}`);
    this.followed = profile;
    void this.memento.update(FOLLOWED_KEY, profile);
    this.apply({ kind: 'profile', ...profile });
  }

  /** What the language server says the costs come from now. */
  showCosts(params: CostsChangedNotification.Params): void {
    this.shownSelector = params.selector;
    this.shownType = params.profileType;
    this.shownTypes = params.profileTypes ?? [];
    const none = params.files === 0;
    const pin = this.pinned ? ' It is pinned: opening a profile does not change it.' : ' It follows the flame graph you look at.';
    this.item.text = none ? '$(flame) no costs' : `$(${this.pinned ? 'pinned' : 'flame'}) ${shortCostDescription(params.description, params.profileType)}`;
    this.item.tooltip = none
      ? `Icicle: no costs to show in the source (${params.description}). Open a profile, profile a run, or click to choose other samples.`
      : `Icicle: the source shows costs from ${params.description} (${params.runs} ${params.runs === 1 ? 'run' : 'runs'}, ${params.files} files).${pin} Click to choose other samples.`;
  }

  async pick(): Promise<void> {
    const branch = await currentBranch();
    const onBranch = branch === undefined ? '{}' : `{branch=${quoteLabelValue(branch)}}`;
    const where = branch === undefined ? 'this workspace' : `branch ${branch}`;
    type Item = vscode.QuickPickItem & { selection?: SourceSelection; ask?: true; follow?: true; profileType?: string; source?: string };
    // The types of the samples shown, when they hold several (CPU time and allocated bytes of a run).
    const types: Item[] =
      this.shownTypes.length < 2
        ? []
        : [
            { label: 'Show', kind: vscode.QuickPickItemKind.Separator },
            ...this.shownTypes.map(profileType => ({
              label: describeProfileType(profileType),
              description: profileType === this.shownType ? 'shown now' : 'of the same samples',
              detail: 'Hovers, lenses and line heat show this type of cost.',
              profileType,
            })),
            { label: 'Samples', kind: vscode.QuickPickItemKind.Separator },
          ];
    const items: Item[] = [
      ...types,
      {
        label: 'Follow the flame graph in front',
        description: this.followed ? `now: ${this.followed.name}` : `now: latest run of ${where}`,
        detail: 'Opening a profile or a run shows its costs in the source (the default).',
        follow: true,
      },
      { label: `Latest run of ${where}`, selection: defaultSourceSelection(branch) },
      { label: `All runs of ${where}`, selection: { kind: 'allRuns', selector: onBranch } },
      { label: `Last hour of ${where}`, selection: { kind: 'recent', selector: onBranch, minutes: 60 } },
      { label: `Last day of ${where}`, selection: { kind: 'recent', selector: onBranch, minutes: 1440 } },
      { label: 'Latest run of anything', selection: { kind: 'latestRun', selector: '{}' } },
      { label: 'Label selection…', description: '{launch_config="…", runtime="node"}', ask: true },
      // CI's runs (datasets of icicle.sources), read only: its main's costs in the source beside the branch's.
      ...readSourceFolders().map(folder => ({ label: `Label selection from the dataset ${basename(folder)}…`, description: 'read only, from icicle.sources', detail: folder, ask: true as const, source: folder })),
    ];
    const picked = await vscode.window.showQuickPick(items, { title: 'Icicle: which samples should the source show?' });
    if (!picked) return;
    if (picked.profileType !== undefined) return this.chooseType(picked.profileType);
    if (picked.follow) return this.reset();
    let selection = picked.selection;
    if (picked.ask) {
      const source = picked.source;
      const selector = await vscode.window.showInputBox({
        title: source === undefined ? 'Icicle: a label selector' : `Icicle: a label selector of the dataset ${basename(source)}`,
        // A dataset is usually CI's, whose runs are of main rather than of this branch.
        value: source === undefined ? onBranch : '{branch="main"}',
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
      selection = { kind: 'allRuns', selector, ...(source !== undefined ? { source } : {}) };
    }
    if (selection) this.choose(selection);
  }

  /** Pins `selection`: the source shows it, in this workspace, until the user chooses again. */
  choose(selection: SourceSelection): void {
    this.pinned = selection;
    void this.memento.update(PINNED_KEY, selection);
    this.apply(selection);
  }

  /**
   * Shows another type of the same samples: the followed profile's, or (when pinned, or before anything was followed)
   * the selection's, pinned.
   */
  async chooseType(profileType: string): Promise<void> {
    if (!this.pinned && this.followed) {
      this.followed = { ...this.followed, profileType };
      void this.memento.update(FOLLOWED_KEY, this.followed);
      this.apply({ kind: 'profile', ...this.followed });
      return;
    }
    this.choose({ ...(await this.current()), profileType });
  }

  /** Unpins: the costs follow the flame graph in front again, starting with the one followed last. */
  async reset(): Promise<void> {
    this.pinned = undefined;
    // A view announced while pinned was not followed: announced again (the same view, or one like it), it now is.
    this.lastFollowed = undefined;
    await this.memento.update(PINNED_KEY, undefined);
    this.apply(await this.current());
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
