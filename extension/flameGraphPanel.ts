import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LabelBreakdownQuery } from '../common/labelBreakdown';
import { LabelBreakdownRequest, LabelNamesRequest, LabelValuesRequest, OpenProfileRequest, QuerySelectionRequest, SourceLabelValuesRequest } from '../common/protocol/agentProtocol';
import { selectorMayMatch } from '../common/selectorMatch';
import type { Restore, ViewQuery, ViewResult } from '../common/viewQuery';
import { fromWebviewMessageSchema, type FromWebviewMessage, type ToWebviewMessage } from '../common/protocol/webviewProtocol';
import type { AgentSupervisor } from './agentSupervisor';
import { LiveRefresh, refreshQuery, type ChartState } from './liveRefresh';
import type { Log } from './log';
import { openFrameSource } from './sourceOpener';
import { errorText, showError } from './userMessages';
import { readMinShare, readViewSettings } from './viewSettings';
import { setUpFlameGraphWebview } from './webviewContent';

export interface FlameGraphPanelServices {
  readonly agent: AgentSupervisor;
  readonly log: Log;
  readonly extensionUri: vscode.Uri;
  /** Gives the agent the datasets of `icicle.sources` now, so that a dataset's view is never asked with a stale list. */
  readonly sources: { send(): Promise<string[]> };
}

/**
 * What a view shows: a profile file, or a selection of the store's samples (e.g. one recorded run) or of a dataset of
 * `icicle.sources` (`source`, its folder).
 */
export type ProfileSource = { kind: 'file'; uri: vscode.Uri } | { kind: 'selection'; selector: string; title: string; source?: string };

type LoadState =
  | { kind: 'loading' }
  | { kind: 'loaded'; result: ViewResult }
  | { kind: 'failed'; message: string };

/**
 * One flame graph of one profile file or store selection, in a webview panel (opened by command, or after a
 * profiled run) or a custom editor. The agent reads the file or queries the store; this class only routes: it asks the agent for the call tree, hands it to the
 * webview, and acts on what the webview asks for. The webview is not kept alive while hidden, so every
 * `ready` from a (re)loaded page is answered with the current state, from memory.
 */
export class FlameGraphPanel implements vscode.Disposable {
  private static readonly all = new Set<FlameGraphPanel>();
  private static readonly inFrontEmitter = new vscode.EventEmitter<{ selector: string; name: string; profileType?: string; source?: string }>();
  /**
   * A view's samples are in front of the user: its panel became the active one, or the view last in front loaded
   * another selection or type (the type picker's "Allocated bytes"). The source's costs follow this
   * (extension/sourceCosts/costSelection.ts).
   */
  static readonly onDidComeToFront = FlameGraphPanel.inFrontEmitter.event;
  /**
   * The view that was active last. Its answers are announced even once the user has moved to the source beside it:
   * a type picked just before clicking into the editor arrives after the panel stopped being the active one.
   */
  private static lastInFront: FlameGraphPanel | undefined;
  private state: LoadState = { kind: 'loading' };
  /**
   * What the view shows, once known: a selection's from the start, a file's after the agent has opened it (its
   * samples in the store, `{profile_id="…"}`). The webview changes it (selector, type, time range, zoomed frame).
   */
  private query: ViewQuery | undefined;
  /** The type and time range a restored file view showed, applied when it is opened. */
  private reopenWith: Pick<ViewQuery, 'profileType' | 'timeRange'> | undefined;
  /** Whether the page has said it listens (its first `ready`). */
  private pageReady = false;
  /** The selector of the first answer: what the view was opened for. */
  private openedSelector: string | undefined;
  /** Answers to queries that were overtaken by a newer one are dropped. */
  private generation = 0;
  /** Queries the webview asked for that have not been answered yet. */
  private userQueries = 0;
  /** Whether the page shows its flame chart now, and up to when it holds samples: what refreshes ask for. */
  private chart: ChartState = { shown: false };
  /** Queries again, paced, while samples land in what the view shows. */
  private readonly live: LiveRefresh = new LiveRefresh({
    refresh: () => this.reload(),
    visible: () => this.panel.visible,
    busy: () => this.userQueries > 0,
  });
  private readonly disposables: vscode.Disposable[] = [];
  readonly title: string;

  /** The views currently open, for the test API. */
  static openViews(): readonly FlameGraphPanel[] {
    return [...FlameGraphPanel.all];
  }

  private static readonly loadedEmitter = new vscode.EventEmitter<void>();
  /** A view has shown what it loaded, or why it could not, or was closed: what waits for the first views listens. */
  static readonly onDidFinishLoading = FlameGraphPanel.loadedEmitter.event;

  constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly source: ProfileSource,
    private readonly services: FlameGraphPanelServices,
    /** What the panel showed before a window reload, if it is being restored. */
    restored?: ViewQuery,
    /** A function to search for when the profile is first shown ("Show in flame graph" from the source). */
    private pendingSearch?: string,
  ) {
    this.title = source.kind === 'file' ? path.basename(source.uri.path) : source.title;
    FlameGraphPanel.all.add(this);
    // A view just opened is the one in front, also when the user clicks into the source before it has loaded (a view
    // restored behind another after a window reload is not).
    if (panel.active) FlameGraphPanel.lastInFront = this;
    if (source.kind === 'selection') this.query = restored ?? { selector: source.selector, ...(source.source !== undefined ? { source: source.source } : {}) };
    // A file is opened again (and imported again if the store lost it), in the type and time range it showed.
    else if (restored) this.reopenWith = { profileType: restored.profileType, timeRange: restored.timeRange };
    setUpFlameGraphWebview(panel.webview, services.extensionUri, this.title);
    this.disposables.push(
      panel.webview.onDidReceiveMessage(message => this.onMessage(message)),
      panel.onDidDispose(() => this.dispose()),
      panel.onDidChangeViewState(({ webviewPanel }) => {
        // A hidden page is unloaded (its context is not retained); it says `ready` again when shown.
        if (!webviewPanel.visible) this.pageReady = false;
        // A view hidden while samples landed was not refreshed; it is once seen.
        else this.live.wake();
        if (webviewPanel.active) {
          FlameGraphPanel.lastInFront = this;
          this.announceInFront();
        }
      }),
      vscode.workspace.onDidChangeConfiguration(event => {
        if (event.affectsConfiguration('icicle.flameGraph.pruneBelowPercent')) void this.load();
        else if (event.affectsConfiguration('icicle.flameGraph') || event.affectsConfiguration('icicle.sources')) void this.post({ type: 'settings', settings: readViewSettings() });
      }),
      services.agent.onDidRestart(() => {
        if (this.state.kind === 'failed') void this.load();
      }),
      // A view follows the samples that land in what it shows (a run still recording, its last chunk): only samples
      // its selector could select (by the labels they all carry) make it query again. A dataset's view shows no
      // store samples: it changes only when the user asks again.
      services.agent.onDidStoreSamples(stored => {
        if (this.query && this.query.source === undefined && this.state.kind !== 'loading' && selectorMayMatch(this.query.selector, stored.labels)) this.live.samplesLanded();
      }),
    );
    void this.load();
  }

  get nodeCount(): number {
    return this.state.kind === 'loaded' ? this.state.result.summary.nodeCount : 0;
  }

  /** The samples the view shows now (0 until it has loaded). */
  get sampleCount(): number {
    return this.state.kind === 'loaded' ? this.state.result.summary.sampleCount : 0;
  }

  /** The selector of the selection shown, once known. */
  get selector(): string | undefined {
    return this.state.kind === 'loaded' ? this.state.result.query.selector : undefined;
  }

  get loadState(): LoadState['kind'] {
    return this.state.kind;
  }

  /** Asks the agent for the profile's call tree and shows it, or shows why it cannot be shown. */
  async load(): Promise<void> {
    const generation = ++this.generation;
    this.state = { kind: 'loading' };
    // The agent is asked at once, not after the page has been told: a post waits for the workbench, which is busy
    // while an editor opens. Messages reach the page in the order they are posted; a panel closed meanwhile is told
    // nothing (post refuses it), which is not this view's error.
    const told = this.post({ type: 'loading', title: this.title }).catch(() => undefined);
    try {
      const result = await this.ask();
      if (generation !== this.generation) return;
      this.state = { kind: 'loaded', result };
    } catch (error) {
      if (generation !== this.generation) return;
      const message = errorText(error);
      this.services.log.warn(`could not open ${this.source.kind === 'file' ? this.source.uri.toString() : this.source.selector}: ${message}`);
      this.state = { kind: 'failed', message };
      void showError(message);
    }
    await told;
    await this.postState();
  }

  /** The view's query answered by the agent: the file opened (imported when new) the first time, then the store queried. */
  private async ask(refresh = false): Promise<ViewResult> {
    const agent = await this.services.agent.connection();
    if (this.query) {
      this.live.queryStarted();
      const started = performance.now();
      const query = refresh ? refreshQuery(this.query, this.chart) : this.query;
      if (query.source !== undefined) await this.services.sources.send();
      const result = await agent.request(QuerySelectionRequest, { ...query, minShare: readMinShare() });
      this.live.queryTook(performance.now() - started);
      return result;
    }
    if (this.source.kind !== 'file') throw new Error('a selection view always has a query');
    const { uri } = this.source;
    const common = { displayName: this.title, minShare: readMinShare(), ...this.reopenWith };
    const params: OpenProfileRequest.Params =
      uri.scheme === 'file' ? { path: uri.fsPath, ...common } : { content: new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)), ...common };
    const result = await agent.request(OpenProfileRequest, params);
    this.query ??= { selector: result.query.selector };
    return result;
  }

  /**
   * Asks and shows the answer, unless a newer query overtook this one while it ran (then its answer, or its error,
   * is dropped). Throws what went wrong when this is still the latest query.
   */
  private async askAndShow(refresh = false): Promise<void> {
    const generation = ++this.generation;
    let result: ViewResult;
    try {
      result = await this.ask(refresh);
    } catch (error) {
      if (generation === this.generation) throw error;
      return;
    }
    if (generation !== this.generation) return;
    this.state = { kind: 'loaded', result };
    await this.postState(refresh);
  }

  /**
   * Shows another selection, type, time range or zoomed frame, as the webview asked. The old view stays until the
   * answer arrives; a selector the agent refuses is reported and the view keeps showing the last good one.
   */
  private async requery(query: ViewQuery): Promise<void> {
    const previous = this.query;
    this.query = query;
    this.userQueries++;
    try {
      await this.askAndShow();
    } catch (error) {
      this.query = previous;
      const message = errorText(error);
      this.services.log.warn(`could not query ${query.selector} for ${this.title}: ${message}`);
      // The webview keeps drawing the last good answer; the error (which also ends its "querying" state) says why.
      await this.post({ type: 'error', title: 'Icicle could not show that selection', message });
    } finally {
      this.userQueries--;
      this.live.wake();
    }
  }

  /** The label names, or one label's values (those starting with `prefix`, when given), in the whole store, for the webview's selector completion. */
  private async complete(requestId: number, key: string | undefined, prefix: string | undefined): Promise<void> {
    let items: string[] = [];
    let truncated = false;
    try {
      const agent = await this.services.agent.connection();
      const source = this.query?.source;
      if (source !== undefined) ({ items, truncated } = await this.datasetCompletions(source, key, prefix));
      else if (key === undefined) items = (await agent.request(LabelNamesRequest, { selector: '' })).names;
      else ({ values: items, truncated } = await agent.request(LabelValuesRequest, { key, selector: '', limit: 1000, ...(prefix ? { prefix } : {}) }));
    } catch (error) {
      this.services.log.warn(`could not complete label ${key ?? 'names'}: ${errorText(error)}`);
    }
    await this.post({ type: 'completions', requestId, items, truncated });
  }

  /**
   * A dataset view's completions, from the dataset: the label names of the selection shown (the By Label tab's keys),
   * or one label's values over the dataset's samples files.
   */
  private async datasetCompletions(source: string, key: string | undefined, prefix: string | undefined): Promise<{ items: string[]; truncated: boolean }> {
    const agent = await this.services.agent.connection();
    await this.services.sources.send();
    if (key === undefined) {
      const { keys } = await agent.request(LabelBreakdownRequest, { selector: this.query?.selector ?? '', limit: 1, source });
      return { items: keys, truncated: false };
    }
    const { sources } = await agent.request(SourceLabelValuesRequest, { key, limit: 10_000 });
    const dataset = sources.find(entry => entry.folder === source);
    if (dataset?.problem !== undefined) throw new Error(dataset.problem);
    const values = (dataset?.values ?? []).filter(value => prefix === undefined || value.startsWith(prefix));
    return { items: values.slice(0, 1000), truncated: values.length > 1000 || (dataset?.truncated ?? false) };
  }

  /** The view's selection by a label, for the page's By Label tab; a failure is answered as a sentence. */
  private async breakdown(requestId: number, query: LabelBreakdownQuery): Promise<void> {
    try {
      const agent = await this.services.agent.connection();
      await this.post({ type: 'breakdown', requestId, result: await agent.request(LabelBreakdownRequest, query) });
    } catch (error) {
      const message = errorText(error);
      this.services.log.warn(`could not break ${query.selector} down by ${query.key ?? 'a label'}: ${message}`);
      await this.post({ type: 'breakdown', requestId, error: message });
    }
  }

  /** Queries again and shows the new tree as a refresh: no loading state, and the page keeps what the user set up. */
  private async reload(): Promise<void> {
    if (!this.query || !FlameGraphPanel.all.has(this)) return;
    try {
      await this.askAndShow(true);
    } catch (error) {
      this.services.log.warn(`could not refresh ${this.title}: ${errorText(error)}`);
    }
  }

  /**
   * The view's name while it shows what it was opened for; once the user has typed another selector, the selector
   * itself, so the header never names a file whose samples are not the ones shown.
   */
  private shownTitle(result: ViewResult): string {
    const name = this.viewName(result);
    // Whose samples these are, whenever they are not the store's: a dataset is CI's, not this workspace's.
    return result.query.source === undefined ? name : `${name} from the dataset ${path.basename(result.query.source)}`;
  }

  /** The view's name without whose samples they are (what the source's costs say in words of their own). */
  private viewName(result: ViewResult): string {
    this.openedSelector ??= result.query.selector;
    return result.query.selector === this.openedSelector ? this.title : result.query.selector;
  }

  /** What reopens this view after a window reload: its source, and the query it shows (without the zoomed frame). */
  private restore(): Restore {
    const source: Restore['source'] =
      this.source.kind === 'file'
        ? { kind: 'file', uri: this.source.uri.toString() }
        : { kind: 'selection', selector: this.source.selector, title: this.source.title, ...(this.source.source !== undefined ? { source: this.source.source } : {}) };
    if (!this.query) return { source };
    // A reopened page holds no samples yet: it asks for the whole run, not for those after a watermark.
    const { focus: _focus, timeOrderAfterMs: _after, ...query } = this.query;
    return { source, query };
  }

  /** Tells the listeners which samples this view shows, when it is the one last in front and has shown something. */
  private announceInFront(): void {
    // A panel closed while its answer was posted throws on any read of `active`: closed views announce nothing.
    if (this.state.kind !== 'loaded' || !FlameGraphPanel.all.has(this)) return;
    if (this.panel.active) FlameGraphPanel.lastInFront = this;
    else if (FlameGraphPanel.lastInFront !== this) return;
    const { selector, profileType, source } = this.state.result.query;
    // A dataset's name is said by the agent with the costs (`… from the dataset ci-main`), not twice.
    const name = source === undefined ? this.shownTitle(this.state.result) : this.viewName(this.state.result);
    FlameGraphPanel.inFrontEmitter.fire({ selector, name, ...(profileType !== undefined ? { profileType } : {}), ...(source !== undefined ? { source } : {}) });
  }

  /** Sends the page what the view shows; `refresh`: the same query answered again after samples landed. */
  private async postState(refresh = false): Promise<void> {
    switch (this.state.kind) {
      case 'loading':
        await this.post({ type: 'loading', title: this.title });
        return;
      case 'loaded': {
        // Kept until a page that listens has been sent it: one posted before the page loaded would be lost.
        const search = this.pendingSearch;
        if (this.pageReady) this.pendingSearch = undefined;
        await this.post({ type: 'profile', title: this.shownTitle(this.state.result), ...this.state.result, settings: readViewSettings(), restore: this.restore(), ...(search !== undefined ? { search } : {}), ...(refresh ? { refresh } : {}) });
        this.announceInFront();
        // Whatever ended a load (this one, or a query that overtook it) ends it here, once the page has the answer.
        FlameGraphPanel.loadedEmitter.fire();
        return;
      }
      case 'failed':
        await this.post({ type: 'error', title: this.title, message: this.state.message });
        FlameGraphPanel.loadedEmitter.fire();
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
        this.pageReady = true;
        // A page starts on its graph, holding no samples; it says when it shows the chart.
        this.chart = { shown: false };
        await this.postState();
        return;
      case 'query':
        await this.requery(message.query);
        return;
      case 'complete':
        await this.complete(message.requestId, message.key, message.prefix);
        return;
      case 'breakdown':
        await this.breakdown(message.requestId, message.query);
        return;
      case 'chartShown':
        this.chart = { shown: message.shown, samplesThroughMs: message.samplesThroughMs };
        return;
      case 'copyText':
        await vscode.env.clipboard.writeText(message.text);
        void vscode.window.setStatusBarMessage('Icicle: selection copied', 3000);
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
    // A disposed panel throws on postMessage. A page that has not said `ready` is not posted to: the webview would
    // queue the message and the page's `ready` would bring the state again, so a big tree was drawn twice; its
    // `ready` gets the state instead, and so does a hidden page's, once it is shown and loads again.
    if (!FlameGraphPanel.all.has(this) || !this.pageReady) return;
    await this.panel.webview.postMessage(message);
  }

  dispose(): void {
    FlameGraphPanel.all.delete(this);
    if (FlameGraphPanel.lastInFront === this) FlameGraphPanel.lastInFront = undefined;
    // A view closed while loading no longer holds up what waits for the views to load.
    FlameGraphPanel.loadedEmitter.fire();
    this.live.dispose();
    this.disposables.forEach(d => d.dispose());
    this.disposables.length = 0;
  }
}

