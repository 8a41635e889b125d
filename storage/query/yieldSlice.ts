/**
 * Cooperative time slicing for queries on the agent's one thread. A query over blocks already in the cache never
 * waits on anything outside the thread: its batches follow one another as promise continuations (microtasks), so
 * without a pause the event loop could neither read other connections' requests nor answer them until the whole
 * query ended (two seconds for a ten-million-sample flame graph). Scans call `yieldIfSliceSpent` between batches:
 * once the thread has run SLICE_MS without returning to the event loop, the query waits for the next turn of the
 * loop (setImmediate, after pending I/O), so a short request that arrived meanwhile runs within a slice or two.
 *
 * The clock is shared by every query on the thread: what counts is how long the loop has been kept from I/O,
 * whichever query kept it. A pause changes nothing a query reads: it holds its snapshot (blocks and committed
 * in-memory rows at its watermark), which writes, flushes, compactions and deletions never change in place.
 */
export const SLICE_MS = 4;

/** When the current slice began: the first check after the event loop last turned. */
let sliceStart = 0;
/** Whether a slice is running: set by the first check of a slice, cleared by the next turn of the event loop. */
let inSlice = false;

/**
 * Resolves at once (undefined) while the current slice lasts; else after the event loop has had a turn. The first
 * check after a turn starts a slice, so a query that ends within one never pauses, and an agent that was idle does
 * not count its idle time as work.
 */
export function yieldIfSliceSpent(): Promise<void> | undefined {
  const now = performance.now();
  if (!inSlice) {
    inSlice = true;
    sliceStart = now;
    setImmediate(() => (inSlice = false));
    return undefined;
  }
  if (now - sliceStart < SLICE_MS) return undefined;
  return new Promise<void>(resolve => setImmediate(resolve));
}
