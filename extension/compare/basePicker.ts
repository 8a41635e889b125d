import { basename } from 'node:path';
import * as vscode from 'vscode';
import { LabelValuesRequest, SourceLabelsRequest } from '../../common/protocol/agentProtocol';
import { quoteLabelValue } from '../../common/selector';
import type { AgentConnection } from '../../common/agentConnection';
import { BRANCH_KEY, offeredSelectors } from './offeredBaseLabels';

/** A comparison's base: a selector, of the store's samples or of a dataset of `icicle.sources` (its folder). */
export interface BaseChoice {
  selector: string;
  source?: string;
}

/** What a selector typed for a dataset is asked with: the dataset, its label keys, and a first value to edit. */
export interface DatasetTyping {
  folder: string;
  keys: string[];
  value: string;
}

type Item = vscode.QuickPickItem & { choice?: BaseChoice; typed?: DatasetTyping | 'store' };

/** Values listed per label: the store's and each dataset's branches, and enough of other labels to tell few from many. */
const OFFERED_LIMIT = 200;

/** The datasets of `icicle.sources` with their labels, as the agent reads them (one that cannot be read says why). */
export async function datasetLabels(agent: AgentConnection): Promise<SourceLabelsRequest.SourceLabels[]> {
  return (await agent.request(SourceLabelsRequest, { limit: OFFERED_LIMIT })).sources;
}

/** A dataset as pickers name it: its folder's name. */
export function datasetName(folder: string): string {
  return basename(folder);
}

/** A dataset's branches (its `branch` label's values). */
export function datasetBranches(dataset: SourceLabelsRequest.SourceLabels): string[] {
  return dataset.labels.find(l => l.key === BRANCH_KEY)?.values ?? [];
}

/**
 * Asks for the base of "Compare Selections…" when datasets are configured: the store's branches, then for each
 * dataset its branches and its other run labels with a few values (offeredBaseLabels.ts), and a selector typed for
 * that dataset; last a selector typed for the store. A dataset that cannot be read is listed with why, and cannot be
 * chosen. Undefined when the user cancelled.
 */
export async function pickBase(agent: AgentConnection, head: string, typeSelector: (dataset?: DatasetTyping) => Thenable<string | undefined>): Promise<BaseChoice | undefined> {
  const [store, datasets] = await Promise.all([agent.request(LabelValuesRequest, { key: BRANCH_KEY, selector: '', limit: OFFERED_LIMIT }), datasetLabels(agent)]);
  const selectorOf = (value: string) => `{${BRANCH_KEY}=${quoteLabelValue(value)}}`;
  const items: Item[] = [{ label: "This workspace's store", kind: vscode.QuickPickItemKind.Separator }];
  items.push(...store.values.map(value => ({ label: selectorOf(value), description: 'store', choice: { selector: selectorOf(value) } })));
  for (const dataset of datasets) {
    const name = datasetName(dataset.folder);
    items.push({ label: `Dataset ${name}`, kind: vscode.QuickPickItemKind.Separator });
    if (dataset.problem !== undefined) {
      items.push({ label: `$(warning) ${name}`, description: dataset.folder, detail: dataset.problem });
      continue;
    }
    for (const offered of offeredSelectors(dataset.labels)) {
      items.push({ label: offered.selector, description: `dataset ${name}`, detail: dataset.folder, choice: { selector: offered.selector, source: dataset.folder } });
    }
    const keys = dataset.labels.map(l => l.key);
    const branches = datasetBranches(dataset);
    // Named in the description, not the label: typing the dataset's name keeps its selectors first, this one last.
    items.push({
      label: 'Type a selector…',
      description: `for the dataset ${name}${keys.length > 0 ? `; its labels: ${keys.join(', ')}` : ', which has no labels'}`,
      detail: dataset.folder,
      typed: { folder: dataset.folder, keys, value: branches.length > 0 ? selectorOf(branches[0]!) : '{}' },
    });
  }
  items.push({ label: '', kind: vscode.QuickPickItemKind.Separator }, { label: 'Type a selector…', description: "of the store's samples", typed: 'store' });
  for (;;) {
    const picked = await vscode.window.showQuickPick(items, { title: `Compare ${head} against (base)`, placeHolder: 'A branch or label of the store or of a dataset of icicle.sources', matchOnDescription: true, matchOnDetail: true });
    if (picked === undefined) return undefined;
    if (picked.typed !== undefined) {
      const dataset = picked.typed === 'store' ? undefined : picked.typed;
      const selector = await typeSelector(dataset);
      return selector === undefined ? undefined : { selector, ...(dataset ? { source: dataset.folder } : {}) };
    }
    // A dataset that cannot be read says why in its item; choosing it asks again.
    if (picked.choice) return picked.choice;
  }
}
