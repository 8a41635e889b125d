import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FlameGraphPanel, FlameGraphPanelServices } from './flameGraphPanel';
import { openFlameGraphPanel } from './openProfileCommand';

type SourceItem = vscode.QuickPickItem & { folder: string | undefined };

/**
 * "Icicle: Open Selection…": a flame graph of a label selector's samples (`{branch="main"}`). With datasets in
 * `icicle.sources`, it first asks where from: this workspace's store or one of them (CI's runs, read only).
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
  const selector = await vscode.window.showInputBox({
    title: `The samples to show, from ${where}`,
    prompt: 'A label selector; empty shows all the samples',
    placeHolder: '{branch="main"}',
    ignoreFocusOut: true,
  });
  if (selector === undefined) return undefined;
  const title = selector.trim() === '' ? 'All samples' : selector.trim();
  const tabTitle = folder === undefined ? title : `${title} from the dataset ${path.basename(folder)}`;
  return openFlameGraphPanel(services, { kind: 'selection', selector: selector.trim(), title, ...(folder !== undefined ? { source: folder } : {}) }, tabTitle);
}
