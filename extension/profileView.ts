import * as path from 'node:path';
import * as vscode from 'vscode';
import { OpenProfileRequest } from '../common/protocol/agentProtocol';
import { fromWebviewMessageSchema, type FromWebviewMessage, type ToWebviewMessage } from '../common/protocol/webviewProtocol';
import type { AgentSupervisor } from './agentSupervisor';
import type { Log } from './log';
import { openFrameSource } from './sourceOpener';
import { errorText, showError } from './userMessages';
import { readViewSettings } from './viewSettings';
import { setUpFlameGraphWebview } from './webviewContent';

export interface ProfileViewServices {
  readonly agent: AgentSupervisor;
  readonly log: Log;
  readonly extensionUri: vscode.Uri;
}

type LoadState =
  | { kind: 'loading' }
  | { kind: 'loaded'; result: OpenProfileRequest.Result }
  | { kind: 'failed'; message: string };

/**
 * One flame graph of one profile file, in a webview panel (opened by command) or a custom editor. The agent
 * reads and parses the file; this class only routes: it asks the agent for the call tree, hands it to the
 * webview, and acts on what the webview asks for. The webview is not kept alive while hidden, so every
 * `ready` from a (re)loaded page is answered with the current state, from memory.
 */
export class ProfileView implements vscode.Disposable {
  private static readonly all = new Set<ProfileView>();
  private state: LoadState = { kind: 'loading' };
  private readonly disposables: vscode.Disposable[] = [];
  readonly title: string;

  /** The views currently open, for the test API. */
  static openViews(): readonly ProfileView[] {
    return [...ProfileView.all];
  }

  constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly uri: vscode.Uri,
    private readonly services: ProfileViewServices,
  ) {
    this.title = path.basename(uri.path);
    ProfileView.all.add(this);
    setUpFlameGraphWebview(panel.webview, services.extensionUri, this.title);
    this.disposables.push(
      panel.webview.onDidReceiveMessage(message => this.onMessage(message)),
      panel.onDidDispose(() => this.dispose()),
      vscode.workspace.onDidChangeConfiguration(event => {
        if (event.affectsConfiguration('icicle.flameGraph')) void this.post({ type: 'settings', settings: readViewSettings() });
      }),
      services.agent.onDidRestart(() => {
        if (this.state.kind === 'failed') void this.load();
      }),
    );
    void this.load();
  }

  get nodeCount(): number {
    return this.state.kind === 'loaded' ? this.state.result.summary.nodeCount : 0;
  }

  get loadState(): LoadState['kind'] {
    return this.state.kind;
  }

  /** Asks the agent for the profile's call tree and shows it, or shows why it cannot be shown. */
  async load(): Promise<void> {
    this.state = { kind: 'loading' };
    await this.post({ type: 'loading', title: this.title });
    try {
      const params: OpenProfileRequest.Params =
        this.uri.scheme === 'file'
          ? { path: this.uri.fsPath, displayName: this.title }
          : { content: new TextDecoder().decode(await vscode.workspace.fs.readFile(this.uri)), displayName: this.title };
      const agent = await this.services.agent.connection();
      const result = await agent.connection.sendRequest(OpenProfileRequest.type, params);
      this.state = { kind: 'loaded', result };
    } catch (error) {
      const message = errorText(error);
      this.services.log.warn(`could not open ${this.uri.toString()}: ${message}`);
      this.state = { kind: 'failed', message };
      void showError(message);
    }
    await this.postState();
  }

  private async postState(): Promise<void> {
    switch (this.state.kind) {
      case 'loading':
        await this.post({ type: 'loading', title: this.title });
        return;
      case 'loaded': {
        const { summary, tree } = this.state.result;
        await this.post({ type: 'profile', title: this.title, summary, tree, settings: readViewSettings() });
        return;
      }
      case 'failed':
        await this.post({ type: 'error', title: this.title, message: this.state.message });
        return;
    }
  }

  private async onMessage(raw: unknown): Promise<void> {
    const parsed = fromWebviewMessageSchema.safeParse(raw);
    if (!parsed.success) {
      this.services.log.warn(`ignored a malformed message from the flame graph webview: ${parsed.error.issues[0]?.message}`);
      return;
    }
    const message: FromWebviewMessage = parsed.data;
    switch (message.type) {
      case 'ready':
        await this.postState();
        return;
      case 'openSource':
        await openFrameSource(message.url, message.line, message.column, this.services.log).catch(error =>
          this.services.log.warn(`could not open ${message.url}: ${errorText(error)}`),
        );
        return;
      default: {
        const unreachable: never = message;
        return unreachable;
      }
    }
  }

  private async post(message: ToWebviewMessage): Promise<void> {
    // A disposed panel throws on postMessage; a hidden one returns false, and its next `ready` gets the state.
    if (!ProfileView.all.has(this)) return;
    await this.panel.webview.postMessage(message);
  }

  dispose(): void {
    ProfileView.all.delete(this);
    this.disposables.forEach(d => d.dispose());
    this.disposables.length = 0;
  }
}
