import { basename } from 'node:path';
import * as vscode from 'vscode';
import { LabelValuesRequest, SourceLabelValuesRequest } from '../../common/protocol/agentProtocol';
import { quoteLabelValue } from '../../common/selector';
import type { AgentConnection } from '../../common/agentConnection';

/** A comparison's base: a selector, of the store's samples or of a dataset of `icicle.sources` (its folder). */
export interface BaseChoice {
  selector: string;
  source?: string;
}

type Item = vscode.QuickPickItem & { choice?: BaseChoice; typed?: true };

/** The label whose values the picker offers: runs are told apart by branch ("my branch against CI's main"). */
const OFFERED_KEY = 'branch';
const OFFERED_LIMIT = 200;

/**
 * Asks for the base of "Compare Selections…" when datasets are configured: the store's branches and each dataset's
 * (read from its samples files' label columns by the agent), or a selector typed for the store. A dataset that cannot
 * be read is listed with why, and cannot be chosen. Undefined when the user cancelled.
 */
export async function pickBase(agent: AgentConnection, head: string, typeSelector: () => Thenable<string | undefined>): Promise<BaseChoice | undefined> {
  const [store, datasets] = await Promise.all([agent.request(LabelValuesRequest, { key: OFFERED_KEY, selector: '', limit: OFFERED_LIMIT }), agent.request(SourceLabelValuesRequest, { key: OFFERED_KEY, limit: OFFERED_LIMIT })]);
  const selectorOf = (value: string) => `{${OFFERED_KEY}=${quoteLabelValue(value)}}`;
  const items: Item[] = [{ label: "This workspace's store", kind: vscode.QuickPickItemKind.Separator }];
  items.push(...store.values.map(value => ({ label: selectorOf(value), description: 'store', choice: { selector: selectorOf(value) } })));
  for (const dataset of datasets.sources) {
    items.push({ label: `Dataset ${basename(dataset.folder)}`, kind: vscode.QuickPickItemKind.Separator });
    if (dataset.problem !== undefined) {
      items.push({ label: `$(warning) ${basename(dataset.folder)}`, description: dataset.folder, detail: dataset.problem });
      continue;
    }
    items.push(...dataset.values.map(value => ({ label: selectorOf(value), description: `dataset ${basename(dataset.folder)}`, detail: dataset.folder, choice: { selector: selectorOf(value), source: dataset.folder } })));
  }
  items.push({ label: '', kind: vscode.QuickPickItemKind.Separator }, { label: 'Type a selector…', description: "of the store's samples", typed: true });
  for (;;) {
    const picked = await vscode.window.showQuickPick(items, { title: `Compare ${head} against (base)`, placeHolder: 'A branch of the store or of a dataset of icicle.sources', matchOnDetail: true });
    if (picked === undefined) return undefined;
    if (picked.typed) {
      const selector = await typeSelector();
      return selector === undefined ? undefined : { selector };
    }
    // A dataset that cannot be read says why in its item; choosing it asks again.
    if (picked.choice) return picked.choice;
  }
}
