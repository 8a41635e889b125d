import * as path from 'node:path';
import * as vscode from 'vscode';
import { LabelValuesRequest } from '../common/protocol/agentProtocol';
import { quoteLabelValue } from '../common/selector';
import type { FlameGraphPanel, FlameGraphPanelServices } from './flameGraphPanel';
import { openFlameGraphPanel } from './openProfileCommand';
import { errorText } from './userMessages';
import { datasetLabels } from './compare/basePicker';
import { BRANCH_KEY, offeredSelectors } from './compare/offeredBaseLabels';

type SourceItem = vscode.QuickPickItem & { folder: string | undefined };

/**
 * "Icicle: Open Selection…": a flame graph of a label selector's samples (`{branch="main"}`). With datasets in
 * `icicle.sources`, it first asks where from: this workspace's store or one of them (CI's runs, read only); then one
 * of that source's branches, or a selector typed.
 */
export async function openSelectionCommand(services: FlameGraphPanelServices): Promise<FlameGraphPanel | undefined> {
  // The agent gets the list first: the dataset chosen is one it knows.
  const folders = await services.sources.send();
  let folder: string | undefined;
  if (folders.length > 0) {
    const items: SourceItem[] = [
      { label: "This workspace's store", description: 'the profiles recorded or opened here', folder: undefined },
      ...folders.map(entry => ({ label: `Dataset ${path.basename(entry)}`, description: 'read only, from icicle.sources', detail: entry, folder: entry })),
    ];
    const picked = await vscode.window.showQuickPick(items, { title: 'Open a flame graph of samples from', placeHolder: "This workspace's store or a dataset of icicle.sources", matchOnDetail: true });
    if (picked === undefined) return undefined;
    folder = picked.folder;
  }
  const where = folder === undefined ? "this workspace's store" : `the dataset ${path.basename(folder)}`;
  const selector = await pickSelector(services, folder, `The samples to show, from ${where}`);
  if (selector === undefined) return undefined;
  const title = selector.trim() === '' ? 'All samples' : selector.trim();
  const tabTitle = folder === undefined ? title : `${title} from the dataset ${path.basename(folder)}`;
  return openFlameGraphPanel(services, { kind: 'selection', selector: selector.trim(), title, ...(folder !== undefined ? { source: folder } : {}) }, tabTitle);
}

type SelectorItem = vscode.QuickPickItem & { selector?: string; typed?: true };

/** The store's branches listed at most: runs are told apart by branch ("CI's main"). */
const OFFERED_LIMIT = 200;

/**
 * The selector to show: one of the store's branches, or of a dataset the selectors the compare panel's base picker
 * offers for it (its branches, then its run labels with a few values: offeredBaseLabels.ts), or one typed. A dataset
 * that cannot be read says why in the list; a selector typed for it then opens a panel that says it again.
 * Undefined when the user cancelled.
 */
async function pickSelector(services: FlameGraphPanelServices, folder: string | undefined, title: string): Promise<string | undefined> {
  const items: SelectorItem[] = [];
  try {
    const agent = await services.agent.connection();
    if (folder === undefined) {
      const { values } = await agent.request(LabelValuesRequest, { key: BRANCH_KEY, selector: '', limit: OFFERED_LIMIT });
      items.push(...values.map(value => selectorItem(BRANCH_KEY, `{${BRANCH_KEY}=${quoteLabelValue(value)}}`)));
    } else {
      const dataset = (await datasetLabels(agent)).find(entry => entry.folder === folder);
      if (dataset?.problem !== undefined) items.push({ label: `$(warning) ${path.basename(folder)}`, description: folder, detail: dataset.problem });
      items.push(...offeredSelectors(dataset?.labels ?? []).map(offered => selectorItem(offered.key, offered.selector)));
    }
  } catch (error) {
    // Without the list the selector is typed, as before the agent answered lists.
    services.log.warn(`could not list the selections to open: ${errorText(error)}`);
  }
  items.push({ label: '', kind: vscode.QuickPickItemKind.Separator }, { label: 'Type a selector…', description: 'any label selector; empty shows all the samples', typed: true });
  for (;;) {
    const picked = await vscode.window.showQuickPick(items, { title, placeHolder: 'A branch, or a selector typed', matchOnDetail: true });
    if (picked === undefined) return undefined;
    if (picked.selector !== undefined) return picked.selector;
    if (picked.typed) return typeSelector(title);
    // The row that says why a dataset cannot be read cannot be chosen: the list again.
  }
}

function selectorItem(key: string, selector: string): SelectorItem {
  return { label: selector, description: key, selector };
}

function typeSelector(title: string): Thenable<string | undefined> {
  return vscode.window.showInputBox({ title, prompt: 'A label selector; empty shows all the samples', placeHolder: '{branch="main"}', ignoreFocusOut: true });
}
