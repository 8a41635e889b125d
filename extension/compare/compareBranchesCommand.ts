import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { gitLabels } from '../../common/gitLabels';
import { CompareSelectionsRequest, DrainSpoolRequest } from '../../common/protocol/agentProtocol';
import type { ToCompareView } from '../../common/protocol/compareViewProtocol';
import { parseSelector, quoteLabelValue } from '../../common/selector';
import { baseBranch, localBranches } from '../gitBranches';
import type { AgentSupervisor } from '../agentSupervisor';
import type { Log } from '../log';
import type { ProbeTarget } from '../recording/probeEnvironment';
import { errorText, showError, showInformation } from '../userMessages';
import { datasetBranches, datasetLabels, datasetMergeBases, datasetName, mergeBaseItem, mergeBaseSelector, pickBase, type BaseChoice, type DatasetTyping } from './basePicker';
import type { MergeBaseCommit } from './mergeBaseCommits';
import { datasetBaseText, withDatasetCaution } from './datasetBase';
import { runBranches } from './branchRuns';
import type { DatasetSourcesSetting } from './datasetSourcesSetting';
import type { ComparePanel } from './comparePanel';
import { readMinShare } from '../viewSettings';

export interface CompareServices {
  agent: AgentSupervisor;
  log: Log;
  panel: ComparePanel;
  probeTarget(): ProbeTarget;
  /** The datasets of `icicle.sources`, which a comparison's base can come from. */
  sources: DatasetSourcesSetting;
}

type CommandChoice = vscode.QuickPickItem & { command: { executable: string; args: string[] } };

/** The base of "Compare Branches…": a branch of the repository, run here, or a dataset's branch (its runs, not run). */
interface BranchBase {
  branch: string;
  /** The dataset folder of `icicle.sources` whose runs of `branch` are the base. */
  source?: string;
  /** With `source`: only the dataset's runs of this commit (the head's merge base with `branch`, or the newest before it). */
  commit?: string;
}

type DatasetLabels = Awaited<ReturnType<typeof datasetLabels>>;

/**
 * Runs per branch unless the user asks otherwise, from README's power table: the fewest with which a +50% change of
 * a function of 5% of the run is flagged at least 90% of the time in the noise measured on a busy machine (1 s runs).
 * Three, the old default, found it 7 times in 100.
 */
const DEFAULT_RUNS_PER_BRANCH = 8;

/**
 * "Icicle: Compare Branches…": asks for two branches, what to run (a Node.js launch configuration or an npm script)
 * and how many times, runs both branches in temporary worktrees with profiling (branchRuns.ts), then shows the
 * comparison in the compare panel. With datasets in `icicle.sources`, the base can also be a dataset's branch (CI's
 * runs of main): only the head is run then, and compared with the dataset's runs. Progress and cancel in a
 * notification; nothing runs in an untrusted workspace.
 */
export async function compareBranchesCommand(services: CompareServices): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    void showInformation('Icicle runs and profiles programs only in a trusted workspace; trust this folder to compare branches.');
    return;
  }
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    void showInformation('Open a folder in a git repository to compare branches.');
    return;
  }
  const branches = await localBranches(folder.uri.fsPath);
  let datasets: DatasetLabels = [];
  try {
    // The datasets' branches are offered as bases: one branch of the repository is then enough to compare.
    if ((await services.sources.send()).length > 0) datasets = await datasetLabels(await services.agent.connection());
  } catch (error) {
    await services.panel.show({ type: 'error', message: `Icicle could not list the branches of the datasets of icicle.sources: ${errorText(error)}` });
    return;
  }
  const datasetBases = datasets.reduce((n, d) => n + datasetBranches(d).length, 0);
  if (branches.length < 2 && !(branches.length === 1 && datasetBases > 0)) {
    void showInformation(`Comparing needs a git repository with two branches, or one and a dataset of icicle.sources; ${folder.name} has ${branches.length === 0 ? 'none' : 'one'}.`);
    return;
  }
  const current = (await gitLabels(folder.uri.fsPath).catch(() => ({}) as Record<string, string>))['branch'];
  const configured = await baseBranch(folder.uri.fsPath, current, branches);
  // Undefined with one branch: the base is then a dataset's.
  const defaultBase: string | undefined = configured && configured !== current && branches.includes(configured) ? configured : branches.find(b => b !== current);
  const head = await pickBranch(branches, current ?? branches[0]!, 'The branch to measure (head)');
  if (!head) return;
  const others = branches.filter(b => b !== head);
  const preferred = defaultBase === head ? others[0] : defaultBase;
  let mergeBases = new Map<string, MergeBaseCommit[]>();
  try {
    if (datasets.length > 0) mergeBases = await datasetMergeBases(await services.agent.connection(), datasets, folder.uri.fsPath, `refs/heads/${head}`);
  } catch (error) {
    // Without them the datasets' plain branches are still offered.
    services.log.warn(`the merge bases of ${head} with the datasets' branches could not be listed: ${errorText(error)}`);
  }
  const base = await pickBranchBase(others, preferred, datasets, mergeBases, head, `Compare ${head} against (base)`);
  if (!base) return;
  const choice = await vscode.window.showQuickPick(await commandChoices(folder), { title: 'What should run on each branch?', placeHolder: 'A Node.js launch configuration or an npm script' });
  if (!choice) return;
  const repeat = await vscode.window.showInputBox({
    title: 'How many runs per branch?',
    value: String(DEFAULT_RUNS_PER_BRANCH),
    prompt: `With ${DEFAULT_RUNS_PER_BRANCH}, a function of 5% of the run that became 50% slower is found 9 times in 10 even on a noisy machine; more runs find smaller changes (README, "How many runs").`,
    validateInput: text => (/^\d+$/.test(text) && Number(text) >= 1 && Number(text) <= 50 ? undefined : 'A whole number from 1 to 50'),
  });
  if (!repeat) return;
  await compareBranches(services, {
    folder: folder.uri.fsPath,
    base: base.branch,
    head,
    command: choice.command,
    repeat: Number(repeat),
    ...(base.source ? { baseSource: base.source } : {}),
    ...(base.commit ? { baseCommit: base.commit } : {}),
  });
}

/**
 * Runs and shows a comparison; also what the editor tests call, without the pickers. With `baseSource` (a dataset
 * folder of `icicle.sources`), only the head is run, and the base is the dataset's runs of `base` (of `baseCommit`
 * alone when given: the branch at the head's merge base).
 */
export async function compareBranches(
  services: CompareServices,
  request: { folder: string; base: string; head: string; command: { executable: string; args: string[] }; repeat: number; baseSource?: string; baseCommit?: string },
): Promise<void> {
  const { baseSource, baseCommit } = request;
  // A dataset's base is its runs of the branch, whichever comparison recorded them, and of one commit when asked:
  // the panel then shows the whole selector, so the reader sees which commit the base is.
  const datasetSelector = baseCommit === undefined ? `{branch=${quoteLabelValue(request.base)}}` : mergeBaseSelector({ branch: request.base, commit: baseCommit });
  const baseText = baseSource === undefined ? request.base : datasetBaseText(baseCommit === undefined ? request.base : datasetSelector, baseSource);
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Icicle: comparing ${request.head} with ${baseText}`, cancellable: true },
    async (progress, token) => {
      const controller = new AbortController();
      token.onCancellationRequested(() => controller.abort());
      try {
        if (baseSource !== undefined) await services.sources.send();
        const agent = await services.agent.connection();
        let last = 0;
        const result = await runBranches({
          folder: request.folder,
          branches: baseSource === undefined ? [request.base, request.head] : [request.head],
          command: request.command,
          repeat: request.repeat,
          probe: services.probeTarget(),
          signal: controller.signal,
          drainSpool: async () => void (await agent.request(DrainSpoolRequest)),
          progress: (message, done, total) => {
            progress.report({ message, increment: total > 0 ? ((done - last) * 100) / total : 0 });
            last = done;
            // The panel says what the base is while the head runs: not run here, but a dataset's runs.
            void services.panel.show({ type: 'progress', message: baseSource === undefined ? message : `${message}; the base is ${baseText}`, done, total });
          },
        });
        const failed = result.runs.filter(r => r.exitCode !== 0);
        if (failed.length > 0) services.log.warn(`${failed.length} comparison run(s) exited with an error: ${failed.map(r => `${r.branch} ${r.exitCode}`).join(', ')}`);
        const side = (branch: string) => `{compare_id=${quoteLabelValue(result.compareId)}, branch=${quoteLabelValue(branch)}}`;
        const baseSelector = baseSource === undefined ? side(request.base) : datasetSelector;
        const compare = async (profileType?: string): Promise<ToCompareView> => {
          // Asked again of the agent as it is then (it may have restarted since), for the page's type picker.
          const answer = await (await services.agent.connection()).request(CompareSelectionsRequest, {
            base: baseSelector,
            head: side(request.head),
            tree: { minShare: readMinShare() },
            ...(baseSource === undefined ? {} : { baseSource }),
            ...(profileType ? { profileType } : {}),
          });
          const shown = { type: 'comparison' as const, ...answer, base: baseText, head: request.head };
          return baseSource === undefined ? shown : withDatasetCaution(shown, baseSource);
        };
        await services.panel.show(await compare(), compare);
      } catch (error) {
        const message = errorText(error);
        services.log.warn(`comparing ${request.head} with ${baseText} failed: ${message}`);
        await services.panel.show({ type: 'error', message: `Comparing ${request.head} with ${baseText} stopped: ${message}` });
        if (!controller.signal.aborted) void showError(`Icicle could not compare the branches: ${message}`);
      }
    },
  );
}

/**
 * "Icicle: Compare Selections…": two label selectors (by default this branch's runs against the base branch's), compared
 * from the samples already stored, in the compare panel.
 */
export async function compareSelectionsCommand(services: CompareServices): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const current = folder ? (await gitLabels(folder).catch(() => ({}) as Record<string, string>))['branch'] : undefined;
  const base = folder ? await baseBranch(folder, current) : undefined;
  const validate = (text: string) => {
    try {
      parseSelector(text);
      return undefined;
    } catch (error) {
      return (error as Error).message;
    }
  };
  const head = await vscode.window.showInputBox({ title: 'Compare: the samples to measure (head)', value: current ? `{branch=${quoteLabelValue(current)}}` : '{}', validateInput: validate });
  if (head === undefined) return;
  const typeBase = (dataset?: DatasetTyping) =>
    dataset === undefined
      ? vscode.window.showInputBox({ title: `Compare ${head} against (base)`, value: base ? `{branch=${quoteLabelValue(base)}}` : '{}', validateInput: validate })
      : vscode.window.showInputBox({
          title: `Compare ${head} against (base, from the dataset ${datasetName(dataset.folder)})`,
          value: dataset.value,
          prompt: dataset.keys.length > 0 ? `The dataset's labels: ${dataset.keys.join(', ')}` : 'The dataset has no labels: {} selects all its samples',
          validateInput: validate,
        });
  let chosen: BaseChoice | undefined;
  try {
    // With datasets configured, the base is picked among their branches and the store's; else typed, as before.
    chosen = (await services.sources.send()).length > 0 ? await pickBase(await services.agent.connection(), head, folder, typeBase) : await typeBase().then(selector => (selector === undefined ? undefined : { selector }));
  } catch (error) {
    await services.panel.show({ type: 'error', message: `Icicle could not list the bases to compare ${head} with: ${errorText(error)}` });
    return;
  }
  if (chosen === undefined) return;
  await compareSelections(services, { base: chosen.selector, head, ...(chosen.source ? { baseSource: chosen.source } : {}) });
}

/**
 * Compares two selectors of stored samples, or a dataset's base with the store's head, and shows the comparison in
 * the panel; what "Compare Selections…" runs once its sides are chosen, and what the editor tests call.
 */
export async function compareSelections(services: CompareServices, request: { base: string; head: string; baseSource?: string }): Promise<void> {
  const { base, head, baseSource } = request;
  const baseText = baseSource === undefined ? base : datasetBaseText(base, baseSource);
  try {
    if (baseSource !== undefined) await services.sources.send();
    const compare = async (profileType?: string): Promise<ToCompareView> => {
      const answer = await (await services.agent.connection()).request(CompareSelectionsRequest, { base, head, tree: { minShare: readMinShare() }, ...(baseSource ? { baseSource } : {}), ...(profileType ? { profileType } : {}) });
      const shown = { type: 'comparison' as const, ...answer, base: baseText };
      return baseSource === undefined ? shown : withDatasetCaution(shown, baseSource);
    };
    await services.panel.show(await compare(), compare);
  } catch (error) {
    await services.panel.show({ type: 'error', message: `Comparing ${head} with ${baseText} failed: ${errorText(error)}` });
  }
}

/**
 * The base of "Compare Branches…": the repository's other branches (run here) and, with datasets in `icicle.sources`,
 * each dataset's branches (its runs, not run again; the head's own name too: "my main against CI's main"), first those
 * at the head's merge base (`mergeBases`, by dataset folder). A dataset that cannot be read is listed with why and
 * cannot be chosen. Without datasets, the plain branch picker.
 */
async function pickBranchBase(
  branches: string[],
  preferred: string | undefined,
  datasets: DatasetLabels,
  mergeBases: ReadonlyMap<string, MergeBaseCommit[]>,
  head: string,
  title: string,
): Promise<BranchBase | undefined> {
  if (datasets.length === 0) return pickBranch(branches, preferred ?? branches[0]!, title).then(branch => (branch === undefined ? undefined : { branch }));
  type Item = vscode.QuickPickItem & { base?: BranchBase };
  const ordered = preferred === undefined ? branches : [preferred, ...branches.filter(b => b !== preferred)];
  const items: Item[] = [];
  if (ordered.length > 0) items.push({ label: 'Branches of this repository, run here', kind: vscode.QuickPickItemKind.Separator }, ...ordered.map(branch => ({ label: branch, description: 'run here', base: { branch } })));
  for (const dataset of datasets) {
    const name = datasetName(dataset.folder);
    items.push({ label: `Dataset ${name}: its runs, not run again`, kind: vscode.QuickPickItemKind.Separator });
    if (dataset.problem !== undefined) {
      items.push({ label: `$(warning) ${name}`, description: dataset.folder, detail: dataset.problem });
      continue;
    }
    items.push(...(mergeBases.get(dataset.folder) ?? []).map(m => ({ ...mergeBaseItem(m, head, name), detail: dataset.folder, base: { branch: m.branch, source: dataset.folder, commit: m.commit } })));
    items.push(...datasetBranches(dataset).map(branch => ({ label: branch, description: `runs of the dataset ${name}`, detail: dataset.folder, base: { branch, source: dataset.folder } })));
  }
  for (;;) {
    const picked = await vscode.window.showQuickPick(items, { title, placeHolder: 'A branch to run here, or a dataset branch whose runs are the base', matchOnDescription: true });
    if (picked === undefined) return undefined;
    // A dataset that cannot be read says why in its item; choosing it asks again.
    if (picked.base) return picked.base;
  }
}

async function pickBranch(branches: string[], preferred: string, title: string): Promise<string | undefined> {
  const items = [preferred, ...branches.filter(b => b !== preferred)].map(label => ({ label }));
  return (await vscode.window.showQuickPick(items, { title }))?.label;
}

/** Node.js launch configurations with a program, and the folder's npm scripts, as commands run from the folder. */
async function commandChoices(folder: vscode.WorkspaceFolder): Promise<CommandChoice[]> {
  const choices: CommandChoice[] = [];
  const launches = vscode.workspace.getConfiguration('launch', folder.uri).get<Record<string, unknown>[]>('configurations') ?? [];
  for (const config of launches) {
    const type = String(config['type'] ?? '');
    const program = config['program'];
    if (!['node', 'pwa-node'].includes(type) || typeof program !== 'string') continue;
    const relative = program.replace(/^\$\{workspaceFolder\}[\\/]?/, '');
    const args = Array.isArray(config['args']) ? config['args'].map(String) : [];
    const runtime = typeof config['runtimeExecutable'] === 'string' ? config['runtimeExecutable'] : 'node';
    choices.push({ label: String(config['name'] ?? relative), description: `${runtime} ${relative} ${args.join(' ')}`.trim(), command: { executable: runtime, args: [relative, ...args] } });
  }
  try {
    const pkg = JSON.parse(await readFile(join(folder.uri.fsPath, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
    for (const [name, script] of Object.entries(pkg.scripts ?? {})) choices.push({ label: `npm run ${name}`, description: script, command: { executable: 'npm', args: ['run', name] } });
  } catch {
    // No package.json, or not JSON: no scripts to offer.
  }
  return choices;
}
