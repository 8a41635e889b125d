/** Timing helpers shared by the storage benchmark: medians after a warm-up, progress on stderr. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * Median of `runs` timed calls after one untimed warm-up (which pays for JIT compilation and, for the store,
 * for loading blocks into the cache). Returns the last result too, so that callers can check it.
 */
export async function timeAsync<T>(runs: number, work: () => Promise<T> | T): Promise<{ ms: number; result: T; firstMs: number }> {
  let started = performance.now();
  let result = await work();
  const firstMs = performance.now() - started;
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    started = performance.now();
    result = await work();
    samples.push(performance.now() - started);
  }
  return { ms: median(samples), result, firstMs };
}

const benchStart = performance.now();

/** Progress goes to stderr so that stdout holds only the report (and the JSON line last). */
export function progress(message: string): void {
  process.stderr.write(`[storage ${((performance.now() - benchStart) / 1000).toFixed(1).padStart(6)} s] ${message}\n`);
}

/** RSS after a full garbage collection when the process runs with --expose-gc (the npm script passes it). */
export function rssAfterGc(): { rssMb: number; gcRan: boolean; heapMb: number; externalMb: number } {
  const gc = globalThis.gc;
  if (gc) {
    gc();
    gc();
  }
  const usage = process.memoryUsage();
  return { rssMb: usage.rss / 2 ** 20, gcRan: gc !== undefined, heapMb: usage.heapUsed / 2 ** 20, externalMb: usage.external / 2 ** 20 };
}

/**
 * Milliseconds of CPU the whole process (every thread: the store's block worker, DuckDB's threads) spent in `work`.
 * On a machine shared with other jobs wall time stretches with the load while CPU time stays near what the work
 * costs, so the ingest figures carry both.
 */
export async function processCpuMs<T>(work: () => Promise<T>): Promise<{ result: T; cpuMs: number }> {
  const before = process.cpuUsage();
  const result = await work();
  const used = process.cpuUsage(before);
  return { result, cpuMs: (used.user + used.system) / 1000 };
}
