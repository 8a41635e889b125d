import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { KEYS, batchesArb, selectionArb, selected, sourceOf, stackSums } from '../../test/support/randomSamples';
import { labelValues } from './labels/labelQueries';
import { functionCosts } from './stacks/functionCosts';
import { mergeStacks } from './stacks/mergeStacks';
import { timeSeries } from './view/timeSeries';

/**
 * Property tests: random batches and selections give the same answer through the product queries as through the
 * row-by-row reference (test/support/randomSamples.ts) and the sums written here over plain objects.
 */

const RUNS = { numRuns: 150 };
describe('product queries against a row-by-row reference', () => {
  it('mergeStacks', async () => {
    await fc.assert(
      fc.asyncProperty(batchesArb, selectionArb, async (batches, selection) => {
        const source = sourceOf(batches);
        const got = await mergeStacks(source, selection);
        const expected = stackSums(selected(batches.flat(), selection));
        assert.deepEqual({ stackIds: Array.from(got.stackIds), values: Array.from(got.values), samples: Array.from(got.samples) }, expected);
      }),
      RUNS,
    );
  });

  it('labelValues, timeSeries and functionCosts', async () => {
    await fc.assert(
      fc.asyncProperty(batchesArb, selectionArb, fc.constantFrom(...KEYS), async (batches, selection, key) => {
        const source = sourceOf(batches);
        const rows = selected(batches.flat(), selection);
        const values = [...new Set(rows.flatMap(r => (r.labels[key] === undefined ? [] : [r.labels[key]!])))].sort();
        assert.deepEqual(await labelValues(source, key, selection), values);

        const series = await timeSeries(source, selection, 10);
        const buckets = new Map<number, number>();
        for (const r of rows) buckets.set(Math.floor(r.timestamp / 10) * 10, (buckets.get(Math.floor(r.timestamp / 10) * 10) ?? 0) + r.value);
        const starts = [...buckets.keys()].sort((x, y) => x - y);
        assert.deepEqual(Array.from(series.bucketStartMs), starts);
        assert.deepEqual(Array.from(series.values), starts.map(s => buckets.get(s)));

        const costs = await functionCosts(source, selection);
        const expected = new Map<string, { self: number; total: number }>();
        for (const r of rows) {
          const frames = Array.from(source.metadata.stack(r.stackId), f => source.metadata.frame(f).functionName);
          for (const [i, name] of frames.entries()) {
            const e = expected.get(name) ?? { self: 0, total: 0 };
            if (i === 0) e.self += r.value;
            if (frames.indexOf(name) === i) e.total += r.value; // recursion counts once
            expected.set(name, e);
          }
        }
        const got = new Map(costs.map(c => [c.functionName, { self: c.self, total: c.total }]));
        for (const [name, e] of expected) {
          if (e.total === 0 && !got.has(name)) continue; // zero-valued samples may leave a function out
          assert.deepEqual(got.get(name) ?? { self: 0, total: 0 }, e, name);
        }
      }),
      RUNS,
    );
  });
});
