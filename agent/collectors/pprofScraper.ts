import type { RecordedProfile } from '../recording/storeRecordedProfile';

export interface ScrapeTarget {
  /** An http(s) URL answering with a pprof profile, e.g. Go's http://host:6060/debug/pprof/profile. */
  url: string;
  /** Seconds each profile covers, and so how often the target is scraped. */
  intervalSeconds: number;
}

/** Why a target cannot be scraped, as the user reads it (an invalid URL, a scheme that is not http). */
export function scrapeTargetProblem(target: ScrapeTarget): string | undefined {
  let url: URL;
  try {
    url = new URL(target.url);
  } catch {
    return `${JSON.stringify(target.url)} is not a URL`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `${target.url} is not an http or https URL`;
  if (!(target.intervalSeconds >= 1 && target.intervalSeconds <= 3600)) return `the interval of ${target.url} must be between 1 and 3600 seconds`;
  return undefined;
}

/** Largest profile accepted from a target: far beyond any real CPU profile of a minute. */
const MAX_PROFILE_BYTES = 64 * 1024 * 1024;

/**
 * Scrapes one pprof endpoint continuously, as Parca's agent does: a CPU profile endpoint that takes `seconds`
 * (Go's /debug/pprof/profile) is asked for profiles of `intervalSeconds` back to back; any other endpoint (heap,
 * allocs) is fetched once per interval. Each profile is stored with the labels `scrape_url` and `job` (the
 * target's host:port). Failures are reported (once per kind in a row) and retried at the next interval; the
 * scraper never stops on its own.
 */
export class PprofScraper {
  private stopped = false;
  private controller: AbortController | undefined;
  private running: Promise<void> | undefined;
  private lastProblem: string | undefined;

  constructor(
    readonly target: ScrapeTarget,
    private readonly store: (recorded: RecordedProfile) => Promise<unknown>,
    private readonly report: (message: string) => void,
  ) {}

  start(): void {
    this.running ??= this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.controller?.abort();
    this.wake?.();
    await this.running;
  }

  private wake: (() => void) | undefined;

  private async loop(): Promise<void> {
    const url = new URL(this.target.url);
    const continuous = /\/profile$/.test(url.pathname);
    if (continuous) url.searchParams.set('seconds', String(this.target.intervalSeconds));
    const labels = { scrape_url: this.target.url.slice(0, 500), job: url.host };
    while (!this.stopped) {
      const startMs = Date.now();
      try {
        const bytes = await this.fetchProfile(url);
        if (bytes) await this.store({ format: 'unknown', bytes, startMs, labels, droppedChunks: 0 });
        if (this.lastProblem !== undefined) this.report(`scraping ${this.target.url} works again`);
        this.lastProblem = undefined;
      } catch (error) {
        const problem = error instanceof Error ? error.message : String(error);
        if (!this.stopped && problem !== this.lastProblem) this.report(`could not scrape ${this.target.url}: ${problem}`);
        this.lastProblem = problem;
      }
      // A continuous endpoint took the interval itself; otherwise (or after a failure) wait for the next one.
      const waitMs = startMs + this.target.intervalSeconds * 1000 - Date.now();
      if (!this.stopped && waitMs > 50) await new Promise<void>(resolve => ((this.wake = resolve), setTimeout(resolve, waitMs).unref()));
    }
  }

  private async fetchProfile(url: URL): Promise<Buffer | undefined> {
    this.controller = new AbortController();
    // The endpoint needs the interval to answer; beyond that (and half a minute) it is not answering.
    const timeout = setTimeout(() => this.controller?.abort(), (this.target.intervalSeconds + 30) * 1000);
    try {
      const response = await fetch(url, { signal: this.controller.signal, redirect: 'error' });
      if (!response.ok) throw new Error(`it answered ${response.status} ${response.statusText}`);
      const declared = Number(response.headers.get('content-length') ?? 0);
      if (declared > MAX_PROFILE_BYTES) throw new Error(`its profile is ${declared} bytes, more than Icicle reads`);
      const bytes = Buffer.from(await response.arrayBuffer());
      if (bytes.length > MAX_PROFILE_BYTES) throw new Error(`its profile is ${bytes.length} bytes, more than Icicle reads`);
      return bytes.length > 0 ? bytes : undefined;
    } catch (error) {
      if (this.stopped) return undefined;
      if (error instanceof Error && error.name === 'AbortError') throw new Error('it did not answer in time', { cause: error });
      const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
      throw error instanceof Error ? new Error(`${error.message}${cause}`, { cause: error }) : error;
    } finally {
      clearTimeout(timeout);
    }
  }
}
