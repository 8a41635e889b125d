import type { FromWebviewMessage } from '../common/protocol/webviewProtocol';
import type { FramePathStep, ProfileTypeChoice, TimeRange, Timeline as TimelineData, ViewQuery } from '../common/viewQuery';
import { SelectionBar } from './selectionBar';
import { Timeline } from './timeline';

/** What the extension last said the views show. */
export interface ShownQuery {
  selector: string;
  profileType: string | undefined;
  timeRange: TimeRange | undefined;
  profileTypes: ProfileTypeChoice[];
  timeline: TimelineData | undefined;
  /** The dataset folder the samples were read from; undefined: the store. */
  source: string | undefined;
}

/**
 * The controls that change what the views show — the selection bar (selector, type, copy) and the timeline — and
 * the messages they send: every change is one `query` to the extension, which answers with a new `profile`.
 */
export class QueryControls {
  private readonly bar: SelectionBar;
  private readonly timeline: Timeline;
  private current: ShownQuery | undefined;
  private nextRequest = 1;
  private readonly pending = new Map<number, (answer: { items: string[]; truncated: boolean }) => void>();

  constructor(
    barHost: HTMLElement,
    timelineHost: HTMLElement,
    private readonly post: (message: FromWebviewMessage) => void,
    /** A query is sent: the page says so until the answer. */
    private readonly querying: (query: ViewQuery) => void,
    /** The path to the zoomed frame, if the graph is zoomed. */
    private readonly zoomPath: () => FramePathStep[] | undefined,
    private readonly chart: {
      /** Whether the answer should bring the samples in time order (the flame chart is shown). */
      wantsTimeOrder(): boolean;
      /** The timestamp after which the chart lacks the selection's samples (it holds those up to it), if it holds some. */
      timeOrderAfterMs(): number | undefined;
      /** The timeline's brush chose a range: the chart follows at once, before the answer. */
      rangeChosen(range: TimeRange | undefined): void;
    },
  ) {
    this.bar = new SelectionBar({
      apply: selector => this.send({ selector }),
      chooseType: profileType => this.send({ profileType }),
      chooseSource: source => this.send({ source }),
      copy: selector => this.post({ type: 'copyText', text: selector }),
      complete: (key, prefix) => this.complete(key, prefix),
    });
    barHost.appendChild(this.bar.element);
    this.timeline = new Timeline(timelineHost, {
      rangeChosen: timeRange => {
        this.chart.rangeChosen(timeRange);
        this.send({ timeRange });
      },
    });
  }

  show(query: ShownQuery): void {
    if (this.current && this.current.selector !== query.selector) this.bar.forgetCompletions();
    this.current = query;
    this.bar.show(query.selector, query.profileType, query.profileTypes, query.source);
    this.timeline.show(query.timeline, query.timeRange);
  }

  /** What the extension last said the views show. */
  shownQuery(): ShownQuery | undefined {
    return this.current;
  }

  /** The datasets of `icicle.sources`, offered as sources beside the store. */
  showSources(folders: readonly string[]): void {
    this.bar.showSources(folders);
  }

  /** Moves the timeline's brush to the flame chart's visible range, without a query. */
  showRange(range: TimeRange | undefined): void {
    this.timeline.showRange(range);
  }

  /**
   * Asks for the current selection again with some parts changed. A new selector or source starts with the whole time
   * span (another source's samples have other times); the zoomed frame is always sent, so the answer keeps it in
   * detail (and zoomed) when it still exists.
   */
  send(change: { selector?: string; profileType?: string | undefined; timeRange?: TimeRange | undefined; source?: string | undefined }): void {
    const base = this.current;
    const newRows = change.selector !== undefined || 'source' in change;
    const profileType = 'profileType' in change ? change.profileType : base?.profileType;
    const timeRange = 'timeRange' in change ? change.timeRange : newRows ? undefined : base?.timeRange;
    const source = 'source' in change ? change.source : base?.source;
    const focus = this.zoomPath();
    const timeOrder = this.chart.wantsTimeOrder();
    // Only the samples after those the chart holds, unless the selection, source or type changes (they are another run's).
    const after = timeOrder && !newRows && !('profileType' in change) ? this.chart.timeOrderAfterMs() : undefined;
    const query: ViewQuery = {
      selector: change.selector ?? base?.selector ?? '',
      ...(profileType !== undefined ? { profileType } : {}),
      ...(timeRange !== undefined ? { timeRange } : {}),
      ...(focus !== undefined ? { focus } : {}),
      ...(timeOrder ? { timeOrder: true } : {}),
      ...(after !== undefined ? { timeOrderAfterMs: after } : {}),
      ...(source !== undefined ? { source } : {}),
    };
    this.querying(query);
    this.post({ type: 'query', query });
  }

  /** The answer to a `complete` request. */
  completed(requestId: number, items: string[], truncated: boolean): void {
    this.pending.get(requestId)?.({ items, truncated });
    this.pending.delete(requestId);
  }

  private complete(key: string | undefined, prefix: string | undefined): Promise<{ items: string[]; truncated: boolean }> {
    const requestId = this.nextRequest++;
    return new Promise(resolve => {
      this.pending.set(requestId, resolve);
      this.post({ type: 'complete', requestId, ...(key !== undefined ? { key } : {}), ...(key !== undefined && prefix ? { prefix } : {}) });
    });
  }
}
