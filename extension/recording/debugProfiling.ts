import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { describeError } from '../../common/errors';
import { DrainSpoolRequest } from '../../common/protocol/agentProtocol';
import { openFlameGraphPanel } from '../openProfileCommand';
import { FlameGraphPanel, type FlameGraphPanelServices } from '../flameGraphPanel';
import { runSelector, runTitle } from '../profilesView';
import { showError, showInformation, showWarning } from '../userMessages';
import { probeEnvironment, type ProbeTarget } from './probeEnvironment';
import type { RecordingSessions } from './recordingSessions';
import { runLabels } from './runLabels';

/** Debug types of VS Code's JavaScript debugger (js-debug) that launch or attach to Node.js. */
export const NODE_DEBUG_TYPES = ['pwa-node', 'node', 'node-terminal'] as const;

/** The launch configuration fields Icicle adds: a request to profile, and the run's session id once resolved. */
interface ProfiledConfiguration extends vscode.DebugConfiguration {
  icicleProfile?: boolean;
  icicleSessionId?: string;
}

export const UNTRUSTED_WORKSPACE = 'Icicle does not profile in an untrusted workspace: a profiler runs code from the workspace. Trust the workspace to profile it.';

/**
 * Profiles Node.js debug sessions (F5): for a launch configuration that asks for it ("Icicle: Start Debugging with
 * Profiling") or for every session (the `icicle.profileDebugSessions` setting), the probe is added to the
 * program's environment before js-debug starts it. The run's samples are labelled with a new `session_id`, the
 * launch configuration, the workspace folder and the git state; when the session ends its flame graph opens.
 */
export class DebugProfiling implements vscode.DebugConfigurationProvider, vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  /** Debug sessions that started a recording (or had the probe loaded later), by VS Code's session id. */
  private readonly rootSessions = new Map<string, { session: vscode.DebugSession; sessionId: string }>();
  /** Flame graphs opened for runs, by session id, for the status bar's menu and the tests. */
  readonly runViews = new Map<string, FlameGraphPanel>();

  constructor(
    private readonly services: FlameGraphPanelServices,
    private readonly sessions: RecordingSessions,
    private readonly target: () => ProbeTarget,
  ) {
    for (const type of NODE_DEBUG_TYPES) this.disposables.push(vscode.debug.registerDebugConfigurationProvider(type, this));
    this.disposables.push(
      vscode.debug.onDidStartDebugSession(session => this.onStart(session)),
      vscode.debug.onDidTerminateDebugSession(session => void this.onEnd(session)),
    );
  }

  async resolveDebugConfigurationWithSubstitutedVariables(
    folder: vscode.WorkspaceFolder | undefined,
    configuration: vscode.DebugConfiguration,
  ): Promise<vscode.DebugConfiguration> {
    const config = configuration as ProfiledConfiguration;
    const always = vscode.workspace.getConfiguration('icicle').get<boolean>('profileDebugSessions', false);
    // js-debug resolves child sessions (workers, child processes) too; they inherit the probe through NODE_OPTIONS.
    if (!(config.icicleProfile === true || always) || config.icicleSessionId !== undefined || config['__parentId'] !== undefined) return config;
    if (!vscode.workspace.isTrusted) {
      if (config.icicleProfile === true) void showWarning(UNTRUSTED_WORKSPACE);
      return config;
    }
    const sessionId = randomUUID().slice(0, 8);
    const labels = await runLabels(folder, { session_id: sessionId, launcher: 'debug', launch_config: String(config.name ?? '').slice(0, 200) });
    const env = (config.env ?? {}) as Record<string, string | null>;
    config.env = { ...env, ...probeEnvironment(this.target(), labels, env['NODE_OPTIONS'] ?? undefined) };
    config.icicleSessionId = sessionId;
    this.services.log.info(`profiling the debug session "${config.name}" as session_id=${sessionId}`);
    return config;
  }

  private onStart(session: vscode.DebugSession): void {
    const sessionId = (session.configuration as ProfiledConfiguration).icicleSessionId;
    // The first session with the id is the run; js-debug's child sessions carry the same configuration.
    if (sessionId === undefined || this.sessions.get(sessionId)) return;
    this.adopt(session, sessionId);
  }

  /** Makes a debug session a recorded run: at start, or when "Start Profiling" loaded the probe into it. */
  adopt(session: vscode.DebugSession, sessionId: string): void {
    this.rootSessions.set(session.id, { session, sessionId });
    this.sessions.start(sessionId, session.name);
  }

  /** Undoes `adopt` when the probe could not be loaded: nothing was recorded. */
  forget(session: vscode.DebugSession): void {
    const sessionId = this.rootSessions.get(session.id)?.sessionId;
    this.rootSessions.delete(session.id);
    if (sessionId !== undefined) this.sessions.remove(sessionId);
  }

  /** The run (its session id) a root debug session records, if any. */
  sessionIdOf(session: vscode.DebugSession): string | undefined {
    return this.rootSessions.get(session.id)?.sessionId;
  }

  /** The root debug session of a run still debugged. */
  rootOf(sessionId: string): vscode.DebugSession | undefined {
    return [...this.rootSessions.values()].find(r => r.sessionId === sessionId)?.session;
  }

  private async onEnd(session: vscode.DebugSession): Promise<void> {
    const sessionId = this.rootSessions.get(session.id)?.sessionId;
    if (sessionId === undefined) return;
    this.rootSessions.delete(session.id);
    const recording = this.sessions.get(sessionId);
    try {
      // The program spooled its last chunk as it exited: have the agent store it before showing the run.
      const agent = await this.services.agent.connection();
      await agent.request(DrainSpoolRequest);
    } catch (error) {
      this.services.log.warn(`could not take in the last samples of ${session.name}: ${describeError(error)}`);
    }
    this.sessions.setState(sessionId, 'ended');
    if (!recording) return;
    if (recording.samples === 0) {
      void showInformation(`Icicle recorded no samples of "${session.name}". Only Node.js programs are profiled in debug sessions.`);
      return;
    }
    if (vscode.workspace.getConfiguration('icicle').get<boolean>('openFlameGraphAfterRun', true)) this.openRun(sessionId);
  }

  /** Opens the flame graph of a recorded run, unless it is open already (opened during the run, from the menu). */
  openRun(sessionId: string): FlameGraphPanel {
    const open = this.runViews.get(sessionId);
    if (open && FlameGraphPanel.openViews().includes(open)) return open;
    const recording = this.sessions.get(sessionId);
    const title = runTitle(recording?.name ?? 'run', recording?.startedAt ?? new Date());
    const view = openFlameGraphPanel(this.services, { kind: 'selection', selector: runSelector(sessionId), title }, title);
    this.runViews.set(sessionId, view);
    return view;
  }

  /** "Icicle: Start Debugging with Profiling": picks a launch configuration and starts it profiled. */
  async startDebuggingWithProfiling(): Promise<boolean> {
    if (!vscode.workspace.isTrusted) {
      void showWarning(UNTRUSTED_WORKSPACE);
      return false;
    }
    const picked = await this.pickConfiguration();
    if (!picked) return false;
    const started = await vscode.debug.startDebugging(picked.folder, { ...picked.configuration, icicleProfile: true });
    if (!started) void showError(`The debug session "${picked.configuration.name}" did not start.`);
    return started;
  }

  /** The status bar's menu. */
  async profilingMenu(): Promise<void> {
    const active = this.sessions.active();
    const items: (vscode.QuickPickItem & { run: () => unknown })[] = [
      ...active.map(r => ({ label: `$(flame) Open Flame Graph of ${r.name}`, description: `${r.samples.toLocaleString('en-US')} samples`, run: () => this.openRun(r.sessionId) })),
    ];
    if (active.some(r => r.state === 'recording')) items.push({ label: '$(debug-stop) Stop Profiling', description: 'keep what was recorded', run: () => vscode.commands.executeCommand('icicle.stopProfiling') });
    if (vscode.debug.activeDebugSession && active.some(r => r.state === 'stopped')) items.push({ label: '$(record) Start Profiling', description: 'the debug session, again', run: () => vscode.commands.executeCommand('icicle.startProfiling') });
    const choice = await vscode.window.showQuickPick(items, { title: 'Icicle' });
    await choice?.run();
  }

  private async pickConfiguration(): Promise<{ folder: vscode.WorkspaceFolder | undefined; configuration: vscode.DebugConfiguration } | undefined> {
    const candidates: { folder: vscode.WorkspaceFolder | undefined; configuration: vscode.DebugConfiguration }[] = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const configurations = vscode.workspace.getConfiguration('launch', folder.uri).get<vscode.DebugConfiguration[]>('configurations', []);
      for (const configuration of configurations) {
        // Node.js configurations get the probe; any other (C, C++, Rust, Go) is profiled with perf once it starts.
        if (configuration.request === 'launch') candidates.push({ folder, configuration });
      }
    }
    // Without a Node launch configuration, the JavaScript file in the editor is run.
    const editor = vscode.window.activeTextEditor?.document;
    if (editor && /\.(c|m)?js$/.test(editor.fileName) && editor.uri.scheme === 'file') {
      const folder = vscode.workspace.getWorkspaceFolder(editor.uri);
      candidates.push({ folder, configuration: { type: 'node', request: 'launch', name: `Run ${path.basename(editor.fileName)}`, program: editor.fileName } });
    }
    if (candidates.length === 0) {
      void showWarning('There is no launch configuration to profile. Add one to .vscode/launch.json, or open the JavaScript file to run.');
      return undefined;
    }
    if (candidates.length === 1) return candidates[0];
    const choice = await vscode.window.showQuickPick(
      candidates.map(c => ({ label: c.configuration.name, description: c.folder?.name, candidate: c })),
      { title: 'Start Debugging with Profiling', placeHolder: 'Which launch configuration?' },
    );
    return choice?.candidate;
  }

  dispose(): void {
    this.disposables.forEach(d => d.dispose());
  }
}
