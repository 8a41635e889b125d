import * as vscode from 'vscode';
import { SetScrapeTargetsRequest } from '../../common/protocol/agentProtocol';
import type { AgentSupervisor } from '../agentSupervisor';
import type { Log } from '../log';
import { errorText, showWarning } from '../userMessages';
import { UNTRUSTED_WORKSPACE } from './debugProfiling';

interface ScrapeTargetSetting {
  url?: unknown;
  intervalSeconds?: unknown;
}

/**
 * Keeps the agent scraping the pprof endpoints of the `icicle.scrapeTargets` setting: sent when the agent starts
 * or restarts and whenever the setting changes; none in an untrusted workspace (workspace settings could name any
 * address), which the user is told once. Targets the agent cannot scrape are named once in a warning.
 */
export class ScrapeTargets implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private lastProblems = '';
  /** Whether the user was told that the configured targets are not scraped here, once per window. */
  private toldUntrusted = false;

  constructor(
    private readonly agent: AgentSupervisor,
    private readonly log: Log,
  ) {
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration(event => {
        if (event.affectsConfiguration('icicle.scrapeTargets')) void this.send();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.send()),
      agent.onDidRestart(() => void this.send()),
    );
  }

  async send(): Promise<void> {
    const configured = vscode.workspace.getConfiguration('icicle').get<ScrapeTargetSetting[]>('scrapeTargets', []);
    const targets = vscode.workspace.isTrusted && Array.isArray(configured)
      ? configured.map(t => ({ url: String(t?.url ?? ''), intervalSeconds: typeof t?.intervalSeconds === 'number' ? t.intervalSeconds : 10 }))
      : [];
    if (targets.length === 0 && configured.length === 0) return;
    if (!vscode.workspace.isTrusted && !this.toldUntrusted) {
      this.toldUntrusted = true;
      void showWarning(UNTRUSTED_WORKSPACE);
    }
    try {
      const agent = await this.agent.connection();
      const { problems } = await agent.request(SetScrapeTargetsRequest, { targets });
      const text = problems.join('; ');
      if (text !== '' && text !== this.lastProblems) void showWarning(`Icicle cannot scrape some of icicle.scrapeTargets: ${text}.`);
      this.lastProblems = text;
    } catch (error) {
      this.log.warn(`could not set the scrape targets: ${errorText(error)}`);
    }
  }

  dispose(): void {
    this.disposables.forEach(d => d.dispose());
  }
}
