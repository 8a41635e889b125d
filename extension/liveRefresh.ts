import type { ViewQuery } from '../common/viewQuery';

/** The shortest pause between two refreshes of a view, however cheap its query. */
export const MIN_REFRESH_PAUSE_MS = 500;

/** What the page's flame chart holds, as it last said (the webview's `chartShown`). */
export interface ChartState {
  shown: boolean;
  /** The last timestamp of the run's samples the chart holds, if it holds some. */
  samplesThroughMs?: number | undefined;
}

/**
 * What a refresh asks for: the view's last query, with the samples in time order only while the flame chart is shown
 * (the last query may have asked for them while it was; they are the costliest part of an answer), and then only
 * those after the ones it holds: a tail of seconds rather than the whole run again.
 */
export function refreshQuery(query: ViewQuery, chart: ChartState): ViewQuery {
  const { timeOrder: _timeOrder, timeOrderAfterMs: _after, ...rest } = query;
  if (!chart.shown) return rest;
  return { ...rest, timeOrder: true, ...(chart.samplesThroughMs !== undefined ? { timeOrderAfterMs: chart.samplesThroughMs } : {}) };
}

export interface LiveRefreshHooks {
  /** Queries the view again and shows the answer; resolves (or rejects) once it has. */
  refresh(): Promise<void>;
  /** Whether the view can be seen now: a hidden one is refreshed only once it is shown again. */
  visible(): boolean;
  /** Whether a query the user asked for is on its way (its answer will bring the new samples too). */
  busy(): boolean;
}

/**
 * When an open view queries again while samples land (pure: no `vscode`, timers only). A view is refreshed only
 * when samples it could show landed (the caller decides, from their labels), at most once per pause, and the pause
 * is at least twice as long as its last query took: a big selection over a run that keeps recording costs the
 * agent at most a third of its time, like the language server's refresh. One refresh runs at a time; samples that
 * land during one bring another after the pause. A hidden view is marked out of date and refreshed when shown.
 */
export class LiveRefresh {
  /** Samples landed that the view may not show yet. */
  private stale = false;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private lastQueryMs = 0;
  private disposed = false;

  constructor(
    private readonly hooks: LiveRefreshHooks,
    private readonly minPauseMs = MIN_REFRESH_PAUSE_MS,
  ) {}

  /** The pause before the next refresh. */
  get pauseMs(): number {
    return Math.max(this.minPauseMs, 2 * this.lastQueryMs);
  }

  /** Samples the view could show have landed. */
  samplesLanded(): void {
    this.stale = true;
    this.schedule();
  }

  /** A query of the view's (any: the user's, a refresh) starts: it will show every sample stored so far. */
  queryStarted(): void {
    this.stale = false;
  }

  /** A query of the view's took this long: the next pause is at least twice that. */
  queryTook(ms: number): void {
    this.lastQueryMs = ms;
  }

  /** The view was shown, or a query of the user's ended: refresh now if samples landed meanwhile. */
  wake(): void {
    this.schedule();
  }

  private schedule(): void {
    if (this.disposed || !this.stale || this.timer !== undefined || this.running || !this.hooks.visible()) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.run();
    }, this.pauseMs);
  }

  private async run(): Promise<void> {
    // Hidden meanwhile, or the user's own query will bring the samples: the view stays stale until woken.
    if (this.disposed || !this.stale || !this.hooks.visible() || this.hooks.busy()) return;
    this.running = true;
    this.stale = false;
    try {
      await this.hooks.refresh();
    } catch {
      // The caller reports its own failures; the next samples try again.
    } finally {
      this.running = false;
    }
    this.schedule();
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
