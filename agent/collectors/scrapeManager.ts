import type { RecordedProfile } from '../recording/storeRecordedProfile';
import { PprofScraper, scrapeTargetProblem, type ScrapeTarget } from './pprofScraper';

/**
 * The pprof endpoints the agent scrapes (the `icicle.scrapeTargets` setting, sent by the extension): setting the
 * targets starts scrapers for new ones, stops those no longer listed and keeps the rest running.
 */
export class ScrapeManager {
  private readonly scrapers = new Map<string, PprofScraper>();

  constructor(
    private readonly store: (recorded: RecordedProfile) => Promise<unknown>,
    private readonly report: (message: string) => void,
  ) {}

  /** Replaces the targets; returns why any of them cannot be scraped (those are left out). */
  async set(targets: readonly ScrapeTarget[]): Promise<string[]> {
    const problems: string[] = [];
    const wanted = new Map<string, ScrapeTarget>();
    for (const target of targets) {
      const problem = scrapeTargetProblem(target);
      if (problem) problems.push(problem);
      else wanted.set(`${target.url}\u0000${target.intervalSeconds}`, target);
    }
    await Promise.all(
      [...this.scrapers].filter(([key]) => !wanted.has(key)).map(async ([key, scraper]) => {
        this.scrapers.delete(key);
        await scraper.stop();
      }),
    );
    for (const [key, target] of wanted) {
      if (this.scrapers.has(key)) continue;
      const scraper = new PprofScraper(target, this.store, this.report);
      this.scrapers.set(key, scraper);
      scraper.start();
    }
    return problems;
  }

  targets(): ScrapeTarget[] {
    return [...this.scrapers.values()].map(s => s.target);
  }

  async stopAll(): Promise<void> {
    await this.set([]);
  }
}
