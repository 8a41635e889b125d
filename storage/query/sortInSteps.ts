/** Elements sorted, or merged, per step: a step is a few milliseconds even on a loaded machine. */
export const SORT_STEP = 8192;

/**
 * Sorts `items` by `compare` in steps, so a query that sorts a million groups (a label with a value per request)
 * gives the thread back between them like a scan between batches (yieldSlice.ts runs the steps): runs of SORT_STEP
 * sorted by the engine's own sort, then merged pairwise, bottom up, yielding after every SORT_STEP elements merged.
 * Returns the sorted array, which may be `items` itself or a new one. Equal elements keep their order.
 */
export function* sortInSteps(items: Int32Array, compare: (a: number, b: number) => number): Generator<void, Int32Array> {
  const n = items.length;
  for (let start = 0; start < n; start += SORT_STEP) {
    items.subarray(start, Math.min(n, start + SORT_STEP)).sort(compare);
    if (n > SORT_STEP) yield;
  }
  let from: Int32Array = items;
  let to: Int32Array = new Int32Array(n);
  for (let width = SORT_STEP; width < n; width *= 2) {
    let work = 0;
    for (let low = 0; low < n; low += 2 * width) {
      const middle = Math.min(n, low + width);
      const high = Math.min(n, low + 2 * width);
      let i = low;
      let j = middle;
      let k = low;
      while (i < middle && j < high) {
        // The right run's element goes first only when strictly smaller: the merge is stable.
        to[k++] = compare(from[j]!, from[i]!) < 0 ? from[j++]! : from[i++]!;
        if (++work === SORT_STEP) {
          work = 0;
          yield;
        }
      }
      while (i < middle) to[k++] = from[i++]!;
      while (j < high) to[k++] = from[j++]!;
    }
    [from, to] = [to, from];
  }
  return from;
}
