/**
 * A flushed part's batches cut into two groups of whole batches, for two block workers to encode at once (the
 * store does so when its writers wait for the flush, Store.writeBlocks): the cut is at the batch boundary nearest
 * half the rows. One group, unchanged, when either side would hold fewer than `minRows` rows: a half that small
 * would be a block compaction merges again, and a part that small is encoded quickly by one worker anyway.
 */
export function blockHalves<T extends { batch: { numRows: number } }>(batches: readonly T[], minRows: number): T[][] {
  const total = batches.reduce((sum, m) => sum + m.batch.numRows, 0);
  let best = -1;
  let bestDistance = Infinity;
  let before = 0;
  for (let cut = 1; cut < batches.length; cut++) {
    before += batches[cut - 1]!.batch.numRows;
    const distance = Math.abs(2 * before - total);
    if (distance < bestDistance && before >= minRows && total - before >= minRows) {
      best = cut;
      bestDistance = distance;
    }
  }
  return best < 0 ? [[...batches]] : [batches.slice(0, best), batches.slice(best)];
}
