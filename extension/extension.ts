import * as vscode from 'vscode';
import { registerMcpServer } from './mcpServerDefinition';
import { registerReadOnlyLanguageModelTools } from './readOnlyLanguageModelTools';
import { describeError } from '../common/errors';
import { AgentSupervisor } from './agentSupervisor';
import { LanguageServerSupervisor } from './languageServerSupervisor';
import { createLog } from './log';
import { registerFrameCommands } from './frameCommands';
import { openProfileCommand, registerFlameGraphPanelSerializer } from './openProfileCommand';
import { openSelectionCommand } from './openSelectionCommand';
import { DebugProfiling } from './recording/debugProfiling';
import { PartialProfiling, isPartialMode } from './recording/partialProfiling';
import { PROFILING_MENU_COMMAND, ProfilingStatusBar } from './recording/profilingStatusBar';
import type { ProbeTarget } from './recording/probeEnvironment';
import { RecordingSessions } from './recording/recordingSessions';
import { ProcessProfiling } from './recording/processProfiling';
import { ScrapeTargets } from './recording/scrapeTargets';
import { TerminalProfiling } from './recording/terminalProfiling';
import { ProfileEditorProvider } from './profileEditorProvider';
import { FlameGraphPanel, type FlameGraphPanelServices } from './flameGraphPanel';
import { ProfilesView, runSelector, runTitle } from './profilesView';
import { showError, showWarning, shownMessages } from './userMessages';
import { compareBranches, compareBranchesCommand, compareSelections, compareSelectionsCommand } from './compare/compareBranchesCommand';
import { DatasetSourcesSetting } from './compare/datasetSourcesSetting';
import { ComparePanel } from './compare/comparePanel';
import { affectsCostSettings, readCostSettings } from './sourceCosts/costSettings';
import { CostSelection } from './sourceCosts/costSelection';
import { documentFunctions } from './sourceCosts/documentFunctions';
import { LineHeat, TOGGLE_LINE_HEAT_COMMAND } from './sourceCosts/lineHeat';
import { showFunction } from './sourceCosts/showFunction';
import { CHOOSE_COST_SELECTION_COMMAND, SHOW_FUNCTION_COMMAND } from '../common/protocol/languageServerProtocol';

/**
 * What `activate` returns: a small surface for the editor tests (and for other extensions), so tests
 * observe the extension through what it states rather than through its internals.
 */
export interface IcicleApi {
  /** Resolves once the agent and the language server have both answered their handshakes. */
  waitForReady(): Promise<void>;
  /** The flame graphs that are open. */
  panels(): { title: string; nodeCount: number; samples: number; state: string; selector: string | undefined }[];
  /** The notifications shown in this window, oldest first (extension/userMessages.ts). */
  messages(): readonly { severity: string; text: string }[];
  /** Process ids of the helper processes, for fault-injection tests. */
  processes(): { agent: number | undefined; languageServer: number | undefined };
  /** Runs being or having been profiled in this window, and the profiling status bar item's text. */
  recordings(): { sessionId: string; name: string; samples: number; state: string }[];
  profilingStatus(): string;
  /** The session ids of runs whose flame graph was opened for them. */
  runViews(): string[];
  /** Whether new terminals get the probe. */
  terminalProfiling(): boolean;
  /** The store the agent was started with (the setting's directory or the workspace's). */
  storeDirectory(): string;
  /** The session ids the Profiles view listed last, newest first. */
  listedRuns(): string[];
  /** Chooses which samples the source's costs come from, as the status bar picker does (undefined: the default). */
  setCostSelection(selection: { kind: 'latestRun' | 'allRuns'; selector: string } | undefined): void;
  /** The source-costs status bar item's text. */
  costStatus(): string;
  /** Turns line heat on or off; and the lines it last drew in a document, by heat level (0 coolest). */
  setLineHeat(on: boolean): void;
  lineHeat(uri: string): number[][] | undefined;
  /** Runs a branch comparison without the pickers, and what the compare panel shows now. */
  compareBranches(request: { folder: string; base: string; head: string; command: { executable: string; args: string[] }; repeat: number; baseSource?: string; baseCommit?: string }): Promise<void>;
  /** Compares two selectors without the pickers, the base maybe from a dataset of icicle.sources (its folder). */
  compareSelections(request: { base: string; head: string; baseSource?: string }): Promise<void>;
  comparison(): { type: string; changes?: { name: string; verdict: string; deltaPercent: number | null }[] };
}

const VERSION = process.env.ICICLE_VERSION ?? '0.0.0-dev';
let stopServices: (() => Promise<void>) | undefined;

export function activate(context: vscode.ExtensionContext): IcicleApi {
  const log = createLog();
  context.subscriptions.push(log);
  log.info(`Icicle ${VERSION} activating`);

  // Without a folder open VS Code gives no workspace storage; profiles then go to the extension's global storage.
  const storeDirectory = vscode.Uri.joinPath(context.storageUri ?? context.globalStorageUri, 'store').fsPath;
  const agent = new AgentSupervisor(vscode.Uri.joinPath(context.extensionUri, 'out', 'agent', 'main.js').fsPath, VERSION, log, storeDirectory);
  // The agent starts first thing: a profile opened from the editor (which activates Icicle) waits for it.
  const agentReady = agent.connection();
  // The language server's costs: which samples (a status bar picker), its settings, and the line heat it feeds.
  const costSelection = new CostSelection(context.workspaceState, selection => languageServer.setSelection(selection), log);
  const lineHeat = new LineHeat(uri => languageServer.lineCosts(uri));
  const languageServer = new LanguageServerSupervisor(
    vscode.Uri.joinPath(context.extensionUri, 'out', 'language-server', 'server.js').fsPath,
    VERSION,
    log,
    {
      initializationOptions: async () => ({ agentSocket: agent.socketPath, selection: await costSelection.current(), settings: await readCostSettings() }),
      documentFunctions,
      costsChanged: params => {
        costSelection.showCosts(params);
        lineHeat.costsChanged();
      },
    },
  );
  context.subscriptions.push(
    costSelection,
    lineHeat,
    // The source shows the costs of the flame graph in front (unless the user pinned a selection).
    FlameGraphPanel.onDidComeToFront(profile => costSelection.follow(profile)),
    vscode.commands.registerCommand(CHOOSE_COST_SELECTION_COMMAND, () => costSelection.pick()),
    vscode.commands.registerCommand(TOGGLE_LINE_HEAT_COMMAND, () => lineHeat.toggle()),
    vscode.workspace.onDidChangeConfiguration(event => {
      if (affectsCostSettings(event)) void readCostSettings().then(settings => languageServer.setSettings(settings));
    }),
  );
  // `icicle mcp` on this store for the editor's chat and agents, where the editor can start MCP servers; in Restricted
  // Mode, where the editor will not start it, its read-only tools offered by the extension itself.
  const agentStore = async () => {
    await agentReady.catch(() => undefined);
    return agent.storeDirectory;
  };
  const declaredTools = (context.extension.packageJSON as { contributes?: { languageModelTools?: { name: string }[] } }).contributes?.languageModelTools ?? [];
  context.subscriptions.push(
    registerMcpServer(context.extensionUri, agentStore, VERSION),
    registerReadOnlyLanguageModelTools(declaredTools, { extensionUri: context.extensionUri, store: agentStore, version: VERSION }),
  );
  stopServices = async () => {
    await Promise.all([agent.dispose(), languageServer.dispose()]);
  };
  // The datasets of icicle.sources, which the flame graphs and the compare panel can show beside the store.
  const datasetSources = new DatasetSourcesSetting(agent, log);
  const services: FlameGraphPanelServices = { agent, log, extensionUri: context.extensionUri, sources: datasetSources };

  // Both processes start in the background; activation never waits for them. The language server starts once the
  // agent answers (or has failed to) and the profiles being opened have been shown: it reads its costs from the
  // agent, and on two cores its start would take half the machine from the agent and the flame graph while a
  // profile that activated Icicle is waiting to be drawn.
  const startLanguageServer = () => whenProfilesShown().then(() => languageServer.start());
  const languageServerReady = agentReady.then(startLanguageServer, startLanguageServer);
  const ready = Promise.all([agentReady, languageServerReady]).then(() => undefined);
  ready.catch(error => {
    log.error(describeError(error));
    void showError(`Icicle could not start: ${describeError(error)}`, 'Show Log').then(choice => choice && log.show());
  });

  const sessions = new RecordingSessions();
  const probeTarget = (): ProbeTarget => ({
    probeModule: vscode.Uri.joinPath(context.extensionUri, 'out', 'agent', 'nodeProbe.js').fsPath,
    socketPath: agent.socketPath,
    spoolDirectory: agent.spoolDirectory,
    intervalMicros: vscode.workspace.getConfiguration('icicle').get<number>('samplingIntervalMicroseconds', 1000),
    allocations: vscode.workspace.getConfiguration('icicle').get<boolean>('profile.allocations', false),
  });
  // Every recording the agent stores samples for (debug runs, processes, terminals) is counted in one place.
  // A run of this window that starts storing samples becomes the source's costs, which then grow as it runs.
  context.subscriptions.push(
    agent.onDidStoreSamples(({ sessionId, rows }) => {
      const recording = sessionId === undefined ? undefined : sessions.get(sessionId);
      const first = recording !== undefined && recording.samples === 0;
      sessions.addSamples(sessionId, rows);
      if (first) costSelection.follow({ selector: runSelector(recording.sessionId), name: runTitle(recording.name, recording.startedAt) });
    }),
  );
  // A store that cannot write (a full disk) is said once per episode; that it writes again, in the status bar.
  let storeProblemShown = false;
  context.subscriptions.push(
    agent.onDidChangeStoreProblem(problem => {
      if (problem !== undefined && !storeProblemShown) {
        storeProblemShown = true;
        void showWarning(`${problem} Profiled programs keep their samples meanwhile (up to 64 MB each), and Icicle stores them once it can write again.`);
      } else if (problem === undefined && storeProblemShown) {
        storeProblemShown = false;
        vscode.window.setStatusBarMessage('Icicle: the profile store writes again', 5000);
      }
    }),
  );
  const debugProfiling = new DebugProfiling(services, sessions, probeTarget);
  const partialProfiling = new PartialProfiling(services, sessions, debugProfiling, probeTarget);
  const statusBar = new ProfilingStatusBar(sessions);
  const terminalProfiling = new TerminalProfiling(context.environmentVariableCollection, probeTarget, sessions);
  const processProfiling = new ProcessProfiling(services, sessions, sessionId => debugProfiling.openRun(sessionId));
  const scrapeTargets = new ScrapeTargets(agent, log);
  const profilesView = new ProfilesView(services);
  const comparePanel = new ComparePanel(
    context.extensionUri,
    log,
    () => void vscode.commands.executeCommand('icicle.compareBranches'),
    () => void vscode.commands.executeCommand('icicle.compareSelections'),
  );
  const compareServices = { agent, log, panel: comparePanel, probeTarget, sources: datasetSources };
  context.subscriptions.push(
    comparePanel,
    datasetSources,
    vscode.commands.registerCommand('icicle.compareBranches', () => compareBranchesCommand(compareServices)),
    vscode.commands.registerCommand('icicle.compareSelections', () => compareSelectionsCommand(compareServices)),
  );
  void agent.connection().then(() => Promise.all([scrapeTargets.send(), datasetSources.send()]), () => undefined);
  context.subscriptions.push(registerFrameCommands());
  context.subscriptions.push(sessions, debugProfiling, partialProfiling, statusBar, terminalProfiling, processProfiling, scrapeTargets, profilesView);

  context.subscriptions.push(
    vscode.commands.registerCommand('icicle.startDebuggingWithProfiling', () => debugProfiling.startDebuggingWithProfiling()),
    // A mode given as an argument (tests, keybindings) skips the quick pick; the debug toolbar passes other things.
    vscode.commands.registerCommand('icicle.startProfiling', (mode?: unknown) => partialProfiling.start(isPartialMode(mode) ? mode : undefined)),
    vscode.commands.registerCommand('icicle.stopProfiling', () => partialProfiling.stop()),
    vscode.commands.registerCommand('icicle.profileProcess', (pid?: number) => processProfiling.profileProcessCommand(typeof pid === 'number' ? pid : undefined)),
    vscode.commands.registerCommand(PROFILING_MENU_COMMAND, () => debugProfiling.profilingMenu()),
    vscode.commands.registerCommand('icicle.openProfile', (uri?: vscode.Uri) => openProfileCommand(services, uri)),
    vscode.commands.registerCommand('icicle.openSelection', () => openSelectionCommand(services)),
    vscode.commands.registerCommand(SHOW_FUNCTION_COMMAND, (args: unknown) => showFunction(services, args)),
    registerFlameGraphPanelSerializer(services),
    vscode.commands.registerCommand('icicle.showLog', () => log.show()),
    vscode.commands.registerCommand('icicle.restartServices', async () => {
      await Promise.all([agent.restart(), languageServer.restart()]);
      vscode.window.setStatusBarMessage('Icicle: agent and language server restarted', 3000);
    }),
    vscode.window.registerCustomEditorProvider(ProfileEditorProvider.viewType, new ProfileEditorProvider(services), {
      supportsMultipleEditorsPerDocument: true,
    }),
  );

  return {
    waitForReady: () => ready,
    panels: () => FlameGraphPanel.openViews().map(view => ({ title: view.title, nodeCount: view.nodeCount, samples: view.sampleCount, state: view.loadState, selector: view.selector })),
    messages: () => shownMessages(),
    processes: () => ({ agent: agent.pid, languageServer: languageServer.pid }),
    recordings: () => sessions.all().map(r => ({ sessionId: r.sessionId, name: r.name, samples: r.samples, state: r.state })),
    profilingStatus: () => statusBar.text,
    runViews: () => [...debugProfiling.runViews.keys()],
    terminalProfiling: () => terminalProfiling.enabled,
    storeDirectory: () => agent.storeDirectory,
    listedRuns: () => profilesView.runs.map(r => r.sessionId),
    setCostSelection: selection => void (selection ? costSelection.choose(selection) : costSelection.reset()),
    costStatus: () => costSelection.text,
    setLineHeat: on => {
      if (lineHeat.isEnabled !== on) lineHeat.toggle();
    },
    lineHeat: uri => lineHeat.drawn.get(uri),
    compareBranches: request => compareBranches(compareServices, request),
    compareSelections: request => compareSelections(compareServices, request),
    comparison: () => comparePanel.shown,
  };
}

/**
 * Resolves once the profiles being opened in the window are shown (or have failed to load). VS Code makes a custom
 * editor's view only after activation, so a visible tab of Icicle's editor without a view yet counts as loading.
 */
function whenProfilesShown(): Promise<void> {
  const pending = () => {
    const views = FlameGraphPanel.openViews();
    const visibleEditors = vscode.window.tabGroups.all.filter(group => {
      const input = group.activeTab?.input;
      return input instanceof vscode.TabInputCustom && input.viewType === ProfileEditorProvider.viewType;
    }).length;
    return views.length < visibleEditors || views.some(view => view.loadState === 'loading');
  };
  return new Promise(resolve => {
    if (!pending()) return resolve();
    const check = () => {
      if (pending()) return;
      listeners.forEach(listener => listener.dispose());
      resolve();
    };
    const listeners = [FlameGraphPanel.onDidFinishLoading(check), vscode.window.tabGroups.onDidChangeTabs(check)];
  });
}

/** Stops the agent (which flushes) and the language server; VS Code waits for the returned promise. */
export async function deactivate(): Promise<void> {
  await stopServices?.();
}
