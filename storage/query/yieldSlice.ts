/**
 * Cooperative time slicing for queries on the agent's one thread. A query over blocks already in the cache never
 * waits on anything outside the thread: its batches follow one another as promise continuations (microtasks), so
 * without a pause the event loop could neither read other connections' requests nor answer them until the whole
 * query ended (two seconds for a ten-million-sample flame graph). Queries call `yieldIfSliceSpent` between batches
 * and between steps of their own work: once a query has run SLICE_MS since it started or last resumed, it waits for
 * the next turn of the event loop (setImmediate, after pending I/O), so a request that arrived meanwhile gets the
 * thread within a slice or two.
 *
 * Each query has its own slice, counted from its first check and from each resumption: a short query (a hover's
 * source costs) runs to its end without pausing even while a long one is paused, and paused queries take turns,
 * each running one slice per turn of the loop. (With one clock shared by every query, the query that resumed first
 * in a turn spent the slice, and every other one found it spent and paused again, turn after turn: a hover asked
 * during a flame graph waited for most of it.) A pause changes nothing a query reads: it holds its snapshot (blocks
 * and committed in-memory rows at its watermark), which writes, flushes, compactions and deletions never change
 * in place.
 */
export const SLICE_MS = 4;

/** When each query's current slice began, keyed by what stands for the query (its snapshot). */
const sliceStartOf = new WeakMap<object, number>();

/**
 * Resolves at once (undefined) while the query's slice lasts; else after the event loop has had a turn, with a new
 * slice begun. `query` stands for the query (the snapshot it reads): the first check of a query begins its slice.
 */
export function yieldIfSliceSpent(query: object): Promise<void> | undefined {
  const now = performance.now();
  const start = sliceStartOf.get(query);
  if (start === undefined) {
    sliceStartOf.set(query, now);
    return undefined;
  }
  if (now - start < SLICE_MS) return undefined;
  return new Promise<void>(resolve =>
    setImmediate(() => {
      // The query's continuation runs right after this callback, before the next one: this is its slice.
      sliceStartOf.set(query, performance.now());
      resolve();
    }),
  );
}

/**
 * Runs a generator of synchronous steps (a call tree's assembly, a range's cut) to its end for `query`, pausing
 * between steps as a scan does between batches once the query's slice is spent.
 */
export async function runSliced<T>(query: object, steps: Generator<void, T>): Promise<T> {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    const pause = yieldIfSliceSpent(query);
    if (pause) await pause;
  }
}
