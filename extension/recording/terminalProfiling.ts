import * as vscode from 'vscode';
import { showWarning } from '../userMessages';
import { UNTRUSTED_WORKSPACE } from './debugProfiling';
import { PROBE_SETTINGS, probeEnvironment, type ProbeTarget } from './probeEnvironment';
import type { RecordingSessions } from './recordingSessions';
import { runLabels } from './runLabels';

/**
 * With `icicle.profileTerminals` on (in a trusted workspace), every Node.js program started from a new
 * integrated terminal is profiled: the probe's environment goes into the extension's environment variable
 * collection, which VS Code applies to the terminals it creates (and offers to relaunch existing ones). Runs are
 * labelled `launcher=terminal`, one `session_id` per window, the workspace folder and the git state at the time
 * the setting took effect.
 */
export class TerminalProfiling implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly sessionId = `terminal-${Date.now().toString(36)}`;

  constructor(
    private readonly collection: vscode.GlobalEnvironmentVariableCollection,
    private readonly target: () => ProbeTarget,
    private readonly sessions: RecordingSessions,
  ) {
    // A persisted collection would be applied by the editor to the terminals it restores at start-up, before this
    // extension activates and checks the workspace's trust (which may have been withdrawn since): never persist it.
    collection.persistent = false;
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration(event => {
        if (event.affectsConfiguration('icicle.profileTerminals') || PROBE_SETTINGS.some(setting => event.affectsConfiguration(setting))) {
          void this.apply(event.affectsConfiguration('icicle.profileTerminals'));
        }
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.apply()),
    );
    void this.apply();
  }

  /** Whether new terminals are profiled, for the tests and the status of the setting. */
  enabled = false;

  private async apply(settingChanged = false): Promise<void> {
    const setting = vscode.workspace.getConfiguration('icicle').get<boolean>('profileTerminals', false);
    const wanted = setting && vscode.workspace.isTrusted;
    this.collection.clear();
    if (this.enabled) this.sessions.setState(this.sessionId, 'ended');
    this.enabled = false;
    if (!wanted) {
      // Whoever just turned the setting on in an untrusted workspace is told why nothing happens. A setting that was
      // already on when the window opened stays quiet: it may be on for every folder, trusted or not.
      if (setting && settingChanged) void showWarning(UNTRUSTED_WORKSPACE);
      return;
    }
    const labels = await runLabels(vscode.workspace.workspaceFolders?.[0], { session_id: this.sessionId, launcher: 'terminal' });
    const env = probeEnvironment(this.target(), labels, undefined);
    this.collection.description = 'Icicle profiles Node.js programs run in this terminal (icicle.profileTerminals).';
    for (const [key, value] of Object.entries(env)) {
      // NODE_OPTIONS keeps what the user's shell sets; the rest is Icicle's own.
      if (key === 'NODE_OPTIONS') this.collection.append(key, ` ${value}`);
      else this.collection.replace(key, value);
    }
    this.enabled = true;
    // The status bar counts the samples of terminal runs while the setting is on.
    this.sessions.start(this.sessionId, 'terminals');
  }

  dispose(): void {
    this.disposables.forEach(d => d.dispose());
  }
}
