import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { ProfileProcessRequest } from '../../common/protocol/agentProtocol';
import type { FlameGraphPanelServices } from '../flameGraphPanel';
import { errorText, showError, showInformation, showWarning } from '../userMessages';
import { NODE_DEBUG_TYPES, UNTRUSTED_WORKSPACE } from './debugProfiling';
import type { RecordingSessions } from './recordingSessions';
import { runLabels } from './runLabels';

/**
 * Native processes profiled with perf by the agent: "Icicle: Profile Process…" (a process picker), and debug
 * sessions of native programs (C, C++, Rust, Go debuggers), whose pid arrives in the debug adapter's `process`
 * event. Runs are labelled like debug runs; when the process exits (or profiling is stopped) the agent says so,
 * and the run's flame graph opens.
 */
export class ProcessProfiling implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  /** Debug sessions whose process is being profiled, by VS Code's session id. */
  private readonly debugRecordings = new Map<string, string>();

  constructor(
    private readonly services: FlameGraphPanelServices,
    private readonly sessions: RecordingSessions,
    private readonly openRun: (sessionId: string) => unknown,
  ) {
    this.disposables.push(
      vscode.debug.registerDebugAdapterTrackerFactory('*', { createDebugAdapterTracker: session => this.trackerFor(session) }),
      services.agent.onDidEndRecording(({ sessionId }) => this.onEnded(sessionId)),
    );
  }

  /** "Icicle: Profile Process…". */
  async profileProcessCommand(pid?: number): Promise<string | undefined> {
    if (!vscode.workspace.isTrusted) {
      void showWarning(UNTRUSTED_WORKSPACE);
      return undefined;
    }
    const target = pid ?? (await pickProcess());
    if (target === undefined) return undefined;
    return this.profile(target, `pid ${target}`, { launcher: 'process' });
  }

  private async profile(pid: number, name: string, extraLabels: Record<string, string>): Promise<string | undefined> {
    const sessionId = randomUUID().slice(0, 8);
    const labels = await runLabels(vscode.workspace.workspaceFolders?.[0], { ...extraLabels, session_id: sessionId });
    try {
      const agent = await this.services.agent.connection();
      await agent.request(ProfileProcessRequest, { pid, labels });
    } catch (error) {
      // perf missing or not permitted: the agent's message says exactly what to do.
      void showError(`Icicle cannot profile ${name}: ${errorText(error)}`);
      return undefined;
    }
    this.sessions.start(sessionId, name);
    this.services.log.info(`profiling ${name} with perf as session_id=${sessionId}`);
    return sessionId;
  }

  private trackerFor(session: vscode.DebugSession): vscode.DebugAdapterTracker | undefined {
    const configuration = session.configuration as vscode.DebugConfiguration & { icicleProfile?: boolean };
    if ((NODE_DEBUG_TYPES as readonly string[]).includes(session.type)) return undefined;
    const wanted = configuration.icicleProfile === true || vscode.workspace.getConfiguration('icicle').get<boolean>('profileDebugSessions', false);
    if (!wanted || !vscode.workspace.isTrusted) return undefined;
    return {
      onDidSendMessage: (message: { type?: string; event?: string; body?: { systemProcessId?: unknown } }) => {
        const pid = message.type === 'event' && message.event === 'process' ? message.body?.systemProcessId : undefined;
        if (typeof pid !== 'number' || this.debugRecordings.has(session.id)) return;
        this.debugRecordings.set(session.id, '');
        void this.profile(pid, session.name, { launcher: 'debug', launch_config: session.name.slice(0, 200) }).then(sessionId => {
          if (sessionId) this.debugRecordings.set(session.id, sessionId);
        });
      },
      onExit: () => this.debugRecordings.delete(session.id),
    };
  }

  private onEnded(sessionId: string): void {
    const recording = this.sessions.get(sessionId);
    if (!recording || recording.state === 'ended') return;
    this.sessions.setState(sessionId, 'ended');
    if (recording.samples === 0) {
      void showInformation(`Icicle recorded no samples of ${recording.name}.`);
      return;
    }
    if (vscode.workspace.getConfiguration('icicle').get<boolean>('openFlameGraphAfterRun', true)) this.openRun(sessionId);
  }

  dispose(): void {
    this.disposables.forEach(d => d.dispose());
  }
}

/** A quick pick of the user's running processes (from `ps`), newest first. */
async function pickProcess(): Promise<number | undefined> {
  if (process.platform !== 'linux') {
    void showWarning('Profiling native processes needs Linux perf; this is not Linux.');
    return undefined;
  }
  const listing = await new Promise<string>((resolve, reject) =>
    execFile('ps', ['-eo', 'pid=,user=,comm=,args=', '--sort=-start_time'], { maxBuffer: 16 * 1024 * 1024 }, (error, stdout) => (error ? reject(error) : resolve(stdout))),
  ).catch(error => {
    void showError(`Icicle could not list the processes: ${errorText(error)}`);
    return undefined;
  });
  if (listing === undefined) return undefined;
  const items = listing
    .split('\n')
    .map(line => /^\s*(\d+)\s+(\S+)\s+(\S+)\s+(.*)$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null && Number(match[1]) !== process.pid)
    .map(match => ({ label: match[3]!, description: `pid ${match[1]} · ${match[2]}`, detail: match[4]!.slice(0, 300), pid: Number(match[1]) }));
  const choice = await vscode.window.showQuickPick(items, { title: 'Profile Process', placeHolder: 'Which process? (type to filter by name, pid or command line)', matchOnDescription: true, matchOnDetail: true });
  return choice?.pid;
}
