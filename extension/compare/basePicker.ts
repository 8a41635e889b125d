import { basename } from 'node:path';
import * as vscode from 'vscode';
import { LabelValuesRequest, SourceLabelsRequest, SourceLabelValuesRequest } from '../../common/protocol/agentProtocol';
import { quoteLabelValue } from '../../common/selector';
import type { AgentConnection } from '../../common/agentConnection';
import { mergeBaseCommits, shortCommit, type MergeBaseCommit } from './mergeBaseCommits';
import { BRANCH_KEY, COMMIT_KEY, offeredSelectors } from './offeredBaseLabels';

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

/** At most this many of a dataset's commits are matched against the repository's history. */
const COMMITS_LIMIT = 10_000;

/**
 * Each readable dataset's branches at the head's merge base (mergeBaseCommits.ts), by dataset folder: what both base
 * pickers offer first. None without a repository. A dataset with more commits than the labels listed is asked for
 * them all (the merge base may be among those cut); a dataset branch the repository lacks has no entry.
 */
export async function datasetMergeBases(agent: AgentConnection, datasets: readonly SourceLabelsRequest.SourceLabels[], repo: string | undefined, head = 'HEAD'): Promise<Map<string, MergeBaseCommit[]>> {
  const found = new Map<string, MergeBaseCommit[]>();
  if (repo === undefined) return found;
  const commitsOf = (dataset: SourceLabelsRequest.SourceLabels) => dataset.labels.find(l => l.key === COMMIT_KEY);
  const readable = datasets.filter(d => d.problem === undefined && datasetBranches(d).length > 0 && commitsOf(d) !== undefined);
  const all = readable.some(d => commitsOf(d)!.truncated)
    ? new Map((await agent.request(SourceLabelValuesRequest, { key: COMMIT_KEY, limit: COMMITS_LIMIT })).sources.map(s => [s.folder, s.values]))
    : undefined;
  await Promise.all(readable.map(async d => found.set(d.folder, await mergeBaseCommits(repo, datasetBranches(d), all?.get(d.folder) ?? commitsOf(d)!.values, head))));
  return found;
}

/** The selector of a dataset branch at (or before) the merge base: its runs of that branch and commit. */
export function mergeBaseSelector(base: Pick<MergeBaseCommit, 'branch' | 'commit'>): string {
  return `{${BRANCH_KEY}=${quoteLabelValue(base.branch)}, ${COMMIT_KEY}=${quoteLabelValue(base.commit)}}`;
}

/**
 * How a picker names a dataset branch at the merge base: the branch and where, then which commit (and, when the
 * dataset has no runs of the merge base, that it has none and which commit before it is offered instead).
 */
export function mergeBaseItem(base: MergeBaseCommit, head: string, dataset: string): { label: string; description: string } {
  const ref = base.ref.replace(/^refs\/(heads|remotes)\//, '');
  return base.atMergeBase
    ? { label: `${base.branch} at the merge base`, description: `commit ${shortCommit(base.commit)}, where ${head} forked from ${ref}; dataset ${dataset}` }
    : {
        label: `${base.branch} before the merge base`,
        description: `the dataset has no runs of the merge base ${shortCommit(base.mergeBase)}; its newest commit of ${base.branch} before it: ${shortCommit(base.commit)}; dataset ${dataset}`,
      };
}

/**
 * Asks for the base of "Compare Selections…" when datasets are configured: the store's branches, then for each
 * dataset its branches at the merge base of the repository's HEAD (`repo`, the workspace's), its branches and its
 * other run labels with a few values (offeredBaseLabels.ts), and a selector typed for that dataset; last a selector
 * typed for the store. A dataset that cannot be read is listed with why, and cannot be
 * chosen. Undefined when the user cancelled.
 */
export async function pickBase(agent: AgentConnection, head: string, repo: string | undefined, typeSelector: (dataset?: DatasetTyping) => Thenable<string | undefined>): Promise<BaseChoice | undefined> {
  const [store, datasets] = await Promise.all([agent.request(LabelValuesRequest, { key: BRANCH_KEY, selector: '', limit: OFFERED_LIMIT }), datasetLabels(agent)]);
  const mergeBases = await datasetMergeBases(agent, datasets, repo);
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
    for (const base of mergeBases.get(dataset.folder) ?? []) {
      const selector = mergeBaseSelector(base);
      items.push({ ...mergeBaseItem(base, 'HEAD', name), detail: dataset.folder, choice: { selector, source: dataset.folder } });
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
