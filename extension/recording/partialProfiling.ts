import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { describeError } from '../../common/errors';
import { DrainSpoolRequest, StopSessionRequest } from '../../common/protocol/agentProtocol';
import type { ProbeControlOptions } from '../../common/protocol/probeProtocol';
import { FlameGraphPanel, type FlameGraphPanelServices } from '../flameGraphPanel';
import { showInformation, showWarning } from '../userMessages';
import { NODE_DEBUG_TYPES, UNTRUSTED_WORKSPACE, type DebugProfiling } from './debugProfiling';
import { controlExpression, evaluateInSession, loadExpression, type ControlAnswer } from './probeControl';
import { probeEnvironment, type ProbeTarget } from './probeEnvironment';
import type { RecordingSessions } from './recordingSessions';
import { runLabels } from './runLabels';

/** The context key that says whether the focused debug session is being profiled (the debug toolbar's buttons). */
export const PROFILING_CONTEXT_KEY = 'icicle.debugSessionProfiling';

/** How long "Start Profiling" records: until stopped, for some seconds, or until the program next stops. */
export type PartialMode = { kind: 'manual' } | { kind: 'time'; seconds: number } | { kind: 'breakpoint' };

/**
 * Profiling part of a Node.js debug session: "Icicle: Start Profiling" and "Icicle: Stop Profiling" from the debug
 * toolbar or the command palette, for as long as the user wants, for some seconds, or until the next breakpoint.
 * The probe is reached through the debugger (probeControl.ts), in every session of the run (js-debug gives each
 * process and worker thread its own), so a pause takes effect at once, even at a breakpoint. A session started
 * without profiling gets the probe loaded the same way, under a new `session_id`.
 */
export class PartialProfiling implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  /** The live Node.js debug sessions, to find every session of a run. */
  private readonly live = new Set<vscode.DebugSession>();
  /** "For N seconds": the timer that stops each run, by session id. */
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly services: FlameGraphPanelServices,
    private readonly sessions: RecordingSessions,
    private readonly debugProfiling: DebugProfiling,
    private readonly target: () => ProbeTarget,
  ) {
    const isNode = (session: vscode.DebugSession) => (NODE_DEBUG_TYPES as readonly string[]).includes(session.type);
    for (const type of NODE_DEBUG_TYPES) {
      this.disposables.push(
        vscode.debug.registerDebugAdapterTrackerFactory(type, {
          createDebugAdapterTracker: session => ({
            onDidSendMessage: (message: { type?: string; event?: string }) => {
              if (message.type === 'event' && message.event === 'stopped') void this.onProgramStopped(session);
            },
          }),
        }),
      );
    }
    this.disposables.push(
      vscode.debug.onDidStartDebugSession(session => isNode(session) && this.live.add(session)),
      vscode.debug.onDidTerminateDebugSession(session => {
        this.live.delete(session);
        const sessionId = this.debugProfiling.sessionIdOf(session);
        if (sessionId !== undefined) this.clearTimer(sessionId);
      }),
      vscode.debug.onDidChangeActiveDebugSession(() => this.updateContext()),
      sessions.onDidChange(() => this.updateContext()),
    );
    if (vscode.debug.activeDebugSession && isNode(vscode.debug.activeDebugSession)) this.live.add(vscode.debug.activeDebugSession);
    // The debug toolbar's `when` clauses read the debug types from here (`debugType in icicle.nodeDebugTypes`).
    void vscode.commands.executeCommand('setContext', 'icicle.nodeDebugTypes', [...NODE_DEBUG_TYPES]);
    this.updateContext();
  }

  /** "Icicle: Start Profiling": profiles the focused Node.js debug session, in the mode given or picked. */
  async start(mode?: PartialMode): Promise<boolean> {
    if (!vscode.workspace.isTrusted) {
      void showWarning(UNTRUSTED_WORKSPACE);
      return false;
    }
    const focused = vscode.debug.activeDebugSession;
    if (!focused || !(NODE_DEBUG_TYPES as readonly string[]).includes(focused.type)) {
      void showInformation('Icicle: Start Profiling profiles a Node.js debug session. Start one (F5), then run it again.');
      return false;
    }
    this.live.add(focused);
    const root = rootOf(focused);
    const chosen = mode ?? (await pickMode());
    if (!chosen) return false;
    let sessionId = this.debugProfiling.sessionIdOf(root);
    const recording = sessionId === undefined ? undefined : this.sessions.get(sessionId);
    if (recording?.state === 'recording') {
      this.setMode(recording.sessionId, chosen);
      return true;
    }
    // The run is recording, in its mode, before the program is asked: a program can reach its breakpoint, and
    // its first chunk the store, before the debugger's answer comes back.
    let expression: string;
    const adopted = sessionId === undefined;
    if (sessionId === undefined) {
      // A session started without profiling: the probe is loaded into the program under a new session id.
      sessionId = randomUUID().slice(0, 8);
      const name = String(root.configuration.name ?? root.name);
      const labels = await runLabels(root.workspaceFolder, { session_id: sessionId, launcher: 'debug', launch_config: name.slice(0, 200) });
      const target = this.target();
      expression = loadExpression(target.probeModule, probeEnvironment(target, labels, undefined));
      this.debugProfiling.adopt(root, sessionId);
    } else {
      expression = controlExpression('resume');
    }
    this.sessions.setState(sessionId, 'recording');
    // Until a breakpoint: from now on, since the program may stop before it answers; for N seconds: once it profiles.
    if (chosen.kind === 'breakpoint') this.setMode(sessionId, chosen);
    const answers = await this.evaluate(root, expression);
    if (!answers.some(a => 'state' in a && a.state === 'profiling')) {
      this.clearTimer(sessionId);
      if (adopted) this.debugProfiling.forget(root);
      else this.sessions.setState(sessionId, 'stopped');
      const problem = answers.map(a => ('problem' in a ? a.problem : `the probe is ${a.state}`)).find(Boolean) ?? 'no process of the session answered';
      this.services.log.warn(`could not start profiling ${root.name}: ${answers.map(a => JSON.stringify(a)).join(', ')}`);
      void showWarning(`Icicle could not start profiling "${root.name}": ${problem.replace(/\.$/, '')}.`);
      return false;
    }
    if (chosen.kind !== 'breakpoint') this.setMode(sessionId, chosen);
    this.services.log.info(`profiling ${root.name} as session_id=${sessionId} (${chosen.kind})`);
    return true;
  }

  /**
   * "Icicle: Stop Profiling": the focused debug session's run, else every run recording. A debug run's probe is
   * paused through the debugger, at once, and can be started again; other runs (terminals, `Profile Process…`)
   * are stopped by the agent's answer to their next chunk, for good.
   */
  async stop(): Promise<void> {
    const recording = this.sessions.active().filter(r => r.state === 'recording');
    const focused = vscode.debug.activeDebugSession && this.debugProfiling.sessionIdOf(rootOf(vscode.debug.activeDebugSession));
    const chosen = recording.some(r => r.sessionId === focused) ? recording.filter(r => r.sessionId === focused) : recording;
    if (chosen.length === 0) {
      void showInformation('Icicle is not profiling anything.');
      return;
    }
    for (const { sessionId } of chosen) {
      this.clearTimer(sessionId);
      if (!(await this.pause(sessionId, {}))) {
        const agent = await this.services.agent.connection();
        await agent.request(StopSessionRequest, { sessionId });
      }
      this.sessions.setState(sessionId, 'stopped');
    }
  }

  /** Pauses a debug run's probe in every session of the run; false when none answered (not a live debug run). */
  private async pause(sessionId: string, options: ProbeControlOptions): Promise<boolean> {
    const root = this.debugProfiling.rootOf(sessionId);
    if (!root) return false;
    const answers = await this.evaluate(root, controlExpression('pause', options));
    return answers.some(a => 'state' in a && a.state === 'paused');
  }

  private setMode(sessionId: string, mode: PartialMode): void {
    this.clearTimer(sessionId);
    if (mode.kind === 'time') {
      this.sessions.setUntil(sessionId, { kind: 'time', endsAt: Date.now() + mode.seconds * 1000 });
      this.timers.set(
        sessionId,
        setTimeout(() => {
          this.timers.delete(sessionId);
          void this.pause(sessionId, {}).then(() => this.sessions.setState(sessionId, 'stopped'));
        }, mode.seconds * 1000),
      );
    } else {
      this.sessions.setUntil(sessionId, mode.kind === 'breakpoint' ? { kind: 'breakpoint' } : undefined);
    }
  }

  private clearTimer(sessionId: string): void {
    const timer = this.timers.get(sessionId);
    if (timer) clearTimeout(timer);
    this.timers.delete(sessionId);
  }

  /**
   * The program stopped (a breakpoint, a step, a pause): a run recording "until the next breakpoint" pauses, and
   * its probe hands over its chunk while the program sits there (sent, and spooled, which the agent drains now),
   * so that the run's flame graph shows the partial profile at once.
   */
  private async onProgramStopped(session: vscode.DebugSession): Promise<void> {
    const sessionId = this.debugProfiling.sessionIdOf(rootOf(session));
    const recording = sessionId === undefined ? undefined : this.sessions.get(sessionId);
    if (!recording || recording.state !== 'recording' || recording.until?.kind !== 'breakpoint') return;
    const started = Date.now();
    this.sessions.setState(recording.sessionId, 'stopped');
    try {
      await this.pause(recording.sessionId, { spool: true });
      const agent = await this.services.agent.connection();
      await agent.request(DrainSpoolRequest);
      this.services.log.info(`the partial profile of ${recording.name} was stored ${Date.now() - started} ms after the program stopped`);
    } catch (error) {
      this.services.log.warn(`could not store the partial profile of ${recording.name}: ${describeError(error)}`);
    }
    // A flame graph of the run already open follows the samples stored (flameGraphPanel.ts); otherwise one opens.
    const open = this.debugProfiling.runViews.get(recording.sessionId);
    if (!open || !FlameGraphPanel.openViews().includes(open)) this.debugProfiling.openRun(recording.sessionId);
  }

  /**
   * The sessions of a run that have a program: js-debug's top session only launches (it never answers an
   * evaluation); each process and worker thread is a child session, named by its target (`__pendingTargetId`).
   */
  private programsOf(root: vscode.DebugSession): vscode.DebugSession[] {
    return [...this.live].filter(session => rootOf(session) === root && (session !== root || (session.configuration as { __pendingTargetId?: unknown }).__pendingTargetId !== undefined));
  }

  /** Evaluates an expression in every live session of a run (the run's processes and worker threads). */
  private async evaluate(root: vscode.DebugSession, expression: string): Promise<ControlAnswer[]> {
    // Just after F5, the program's session may not have started yet.
    const deadline = Date.now() + 10_000;
    while (this.programsOf(root).length === 0 && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 100));
    const programs = this.programsOf(root);
    this.services.log.info(`asking ${programs.map(p => `"${p.name}"`).join(', ') || 'no session'} of ${[...this.live].length} Node.js debug sessions`);
    if (programs.length === 0) return [{ problem: 'the debug session has no Node.js program to profile' }];
    return Promise.all(
      programs.map(async session => {
        const started = Date.now();
        const answer = await evaluateInSession(session, expression);
        this.services.log.info(`debug session "${session.name}" (${session.type}) answered ${JSON.stringify(answer)} in ${Date.now() - started} ms`);
        return answer;
      }),
    );
  }

  private updateContext(): void {
    const focused = vscode.debug.activeDebugSession;
    const sessionId = focused && this.debugProfiling.sessionIdOf(rootOf(focused));
    const profiling = sessionId !== undefined && this.sessions.get(sessionId)?.state === 'recording';
    void vscode.commands.executeCommand('setContext', PROFILING_CONTEXT_KEY, profiling);
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.disposables.forEach(d => d.dispose());
  }
}

/** The session a debug session belongs to: js-debug starts a child session for each process and worker thread. */
export function rootOf(session: vscode.DebugSession): vscode.DebugSession {
  let root = session;
  while (root.parentSession) root = root.parentSession;
  return root;
}

/** Asks how long to profile: until stopped, for some seconds (10 unless told), or until the next breakpoint. */
async function pickMode(): Promise<PartialMode | undefined> {
  const items: (vscode.QuickPickItem & { mode: PartialMode['kind'] })[] = [
    { label: 'Until I stop it', description: 'Icicle: Stop Profiling, or the debug toolbar', mode: 'manual' },
    { label: 'For N seconds…', mode: 'time' },
    { label: 'Until the next breakpoint', description: 'or step, or pause', mode: 'breakpoint' },
  ];
  const picked = await vscode.window.showQuickPick(items, { title: 'Start Profiling', placeHolder: 'Profile the debug session until when?' });
  if (!picked) return undefined;
  if (picked.mode !== 'time') return { kind: picked.mode };
  const text = await vscode.window.showInputBox({
    title: 'Profile for how many seconds?',
    value: '10',
    validateInput: value => (Number(value) > 0 && Number(value) <= 86_400 ? undefined : 'A number of seconds, more than 0.'),
  });
  return text === undefined ? undefined : { kind: 'time', seconds: Number(text) };
}

/** Whether a command's argument is a mode (`{kind: 'time', seconds: 5}`...), as tests and keybindings give it. */
export function isPartialMode(value: unknown): value is PartialMode {
  const mode = value as { kind?: unknown; seconds?: unknown } | undefined;
  if (typeof mode !== 'object' || mode === null) return false;
  return mode.kind === 'manual' || mode.kind === 'breakpoint' || (mode.kind === 'time' && typeof mode.seconds === 'number' && mode.seconds > 0);
}
