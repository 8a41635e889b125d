import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordBatch } from 'apache-arrow';
import fc from 'fast-check';
import type { LabelMatcher } from '../../common/selector';
import { Store } from '../store';
import { simpleWrite, stackOf } from '../../test/support/sampleData';
import { firstLabelValues, type LabelValuePage } from './firstLabelValues';
import { executePlan } from './execute';
import { scan } from './logicalPlan';
import { PartResultCache } from './partResultCache';
import { strings } from './resultColumns';
import type { ScanPart, ScanRequest, ScanSource } from './scanSource';
import { selectionPredicate, type Selection } from './selection';
import { BatchSource, type SampleRow } from '../../test/support/batchSource';

/**
 * firstLabelValues against the obvious computation: every distinct value (a DISTINCT plan, the one labelValues runs,
 * checked row by row in agent/queries/queries.property.test.ts), those with the prefix, the first `limit`. On sources of one part and of many, with
 * and without the per-block cache, and on a real store with blocks, rows in memory, deletes and retention.
 */

async function obvious(source: ScanSource, key: string, selection: Selection | undefined, prefix: string, limit: number): Promise<LabelValuePage> {
  const column = `labels.${key}`;
  const plan = scan().where(selection === undefined ? undefined : selectionPredicate(selection)).distinct(column).build();
  const all = source.columnNames().includes(column) ? strings((await executePlan(plan, source)).table, column).filter((v): v is string => v !== null) : [];
  const matching = all.filter(v => v.startsWith(prefix));
  return { values: matching.slice(0, limit), truncated: matching.length > limit };
}

/** Values on both sides of every place where UTF-8 byte order and JavaScript's `<` could disagree. */
const VALUES = ['a', 'ab', 'abc', 'b', 'ba', 'B', '', 'é', 'éa', '\ue000', '\uffff', '😀', '😀a', 'z'];
const PREFIXES = ['', 'a', 'ab', 'b', 'é', '😀', '\ue000', 'q', '\ud83d'];

const rowArb: fc.Arbitrary<SampleRow> = fc.record({
  timestamp: fc.integer({ min: 0, max: 100 }),
  value: fc.constant(1),
  stackId: fc.constant(1),
  // Rows lack labels at random, so columns have nulls and batches lack columns.
  labels: fc.record({ k: fc.constantFrom(...VALUES), s: fc.constantFrom('x', 'y') }, { requiredKeys: [] }),
});

const selectionArb: fc.Arbitrary<Selection | undefined> = fc.option(
  fc.record({
    matchers: fc.array(
      fc.record({ key: fc.constantFrom('s', 'k'), op: fc.constantFrom('=' as const, '!=' as const, '=~' as const), value: fc.constantFrom('x', 'y', 'a.*', '') }),
      { maxLength: 2 },
    ) as fc.Arbitrary<LabelMatcher[]>,
  }),
  { nil: undefined },
);

/** A source whose batches are its parts: the first ones blocks (with keys), the last one rows in memory. */
class PartedSource implements ScanSource {
  readonly partResults: PartResultCache;
  readonly sources: BatchSource[];

  constructor(batches: SampleRow[][], cache: PartResultCache) {
    this.partResults = cache;
    this.sources = batches.map(rows => {
      const source = new BatchSource();
      if (rows.length > 0) source.appendRows(rows);
      return source;
    });
  }

  get metadata(): ScanSource['metadata'] {
    return this.sources[0]!.metadata;
  }

  columnNames(): string[] {
    return [...new Set(this.sources.flatMap(s => s.columnNames()))];
  }

  async *scan(request: ScanRequest): AsyncIterable<RecordBatch> {
    for (const source of this.sources) yield* source.scan(request);
  }

  parts(): ScanPart[] {
    return this.sources.map((source, i) => ({
      key: i < this.sources.length - 1 ? `block ${i}` : undefined,
      scan: request => source.scan(request),
      unreadable: false,
    }));
  }
}

describe('firstLabelValues', function () {
  // Stores written, flushed and compacted for real: seconds on a loaded machine (it failed mocha's 2 s before the
  // per-query slices too, at load average 7).
  this.timeout(30_000);
  it('gives the first values with the prefix, sorted, and whether there are more, as the whole distinct list would', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(rowArb, { maxLength: 20 }), { minLength: 1, maxLength: 4 }),
        selectionArb,
        fc.constantFrom(...PREFIXES),
        fc.integer({ min: 1, max: 8 }),
        async (batches, selection, prefix, limit) => {
          const whole = new BatchSource();
          for (const rows of batches) if (rows.length > 0) whole.appendRows(rows);
          const expected = await obvious(whole, 'k', selection, prefix, limit);
          const options = { ...(selection ? { selection } : {}), prefix, limit };
          assert.deepEqual(await firstLabelValues(whole, 'k', options), expected);

          // The same rows as parts, asked twice (the second time from the cache) and then with other limits.
          const parted = new PartedSource(batches, new PartResultCache(1 << 20, 100));
          assert.deepEqual(await firstLabelValues(parted, 'k', options), expected);
          assert.deepEqual(await firstLabelValues(parted, 'k', options), expected);
          for (const other of [1, limit + 1, 100]) {
            assert.deepEqual(await firstLabelValues(parted, 'k', { ...options, limit: other }), await obvious(whole, 'k', selection, prefix, other));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('answers for a label no row has, and refuses bad arguments', async () => {
    const source = new BatchSource();
    source.appendRows([{ timestamp: 1, value: 1, stackId: 1, labels: { a: 'x' } }]);
    assert.deepEqual(await firstLabelValues(source, 'missing', { limit: 5 }), { values: [], truncated: false });
    await assert.rejects(firstLabelValues(source, 'a-b', { limit: 5 }), /invalid label name/);
    await assert.rejects(firstLabelValues(source, 'a', { limit: 0 }), /positive integer/);
  });

  describe('on a store', () => {
    let dir: string;
    let store: Store;
    beforeEach(async () => {
      dir = mkdtempSync(join(tmpdir(), 'icicle-label-values-'));
      store = await Store.open(dir);
    });
    afterEach(async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const ask = async (selection: Selection | undefined, prefix: string, limit: number): Promise<{ got: LabelValuePage; expected: LabelValuePage; blocksScanned: number }> => {
      const snapshot = store.snapshot();
      try {
        const got = await firstLabelValues(snapshot, 'request', { ...(selection ? { selection } : {}), prefix, limit });
        const blocksScanned = snapshot.blocksScanned;
        return { got, expected: await obvious(snapshot, 'request', selection, prefix, limit), blocksScanned };
      } finally {
        snapshot.release();
      }
    };

    it('reads blocks and rows in memory, keeps each block’s answer, and leaves out deleted and dropped rows', async () => {
      const stack = stackOf(store, 'main;handle');
      const write = (service: string, ids: (string | null)[], startMs: number) =>
        store.write({ ...simpleWrite(stack, ids.length, { service }, startMs), rowLabels: { request: ids } });
      // Two blocks and rows in memory, with values shared between them, rows without the label and non-ASCII values.
      await write('api', ['r3', 'r1', null, 'r2', '😀', '\ue000', 'é'], 1000);
      await store.flush();
      await write('web', ['r2', 'r9', 'r4', null, 'r10'], 2000);
      await store.flush();
      await write('api', ['r0', 'r5', 'r4'], 3000);
      const api: Selection = { matchers: [{ key: 'service', op: '=', value: 'api' }] };

      // In `<` order a surrogate pair (😀) sorts before U+E000, though its code point is larger.
      const all = ['r0', 'r1', 'r10', 'r2', 'r3', 'r4', 'r5', 'r9', 'é', '😀', '\ue000'];
      assert.deepEqual((await ask(undefined, '', 100)).got, { values: all, truncated: false });
      for (const [selection, prefix] of [[undefined, ''], [api, ''], [undefined, 'r1'], [api, 'r'], [undefined, '😀'], [api, 'x']] as const) {
        for (let limit = 1; limit <= 12; limit++) {
          const { got, expected } = await ask(selection, prefix, limit);
          assert.deepEqual(got, expected, `selection ${JSON.stringify(selection)}, prefix ${prefix}, limit ${limit}`);
        }
      }
      // Exactly as many values as the limit is not truncated; one fewer is.
      assert.deepEqual((await ask(undefined, '', all.length)).got, { values: all, truncated: false });
      assert.deepEqual((await ask(undefined, '', all.length - 1)).got, { values: all.slice(0, -1), truncated: true });

      // Asked again, only the rows in memory are read: the blocks' answers were kept.
      assert.equal((await ask(api, 'r', 3)).blocksScanned, 1);
      await store.flush();
      assert.equal((await ask(api, 'r', 3)).blocksScanned, 1, 'the new block is read once');
      assert.equal((await ask(api, 'r', 3)).blocksScanned, 0);

      // Deleting rows rewrites their blocks: the kept answers of the old blocks are not used.
      assert.equal(await store.deleteWhere({ matchers: [{ key: 'request', op: '=~', value: 'r1|r10|r4' }] }), 4);
      const afterDelete = await ask(undefined, '', 100);
      assert.deepEqual(afterDelete.got, afterDelete.expected);
      assert.deepEqual(afterDelete.got.values, ['r0', 'r2', 'r3', 'r5', 'r9', 'é', '😀', '\ue000']);
      assert.deepEqual((await ask(api, 'r', 2)).got, { values: ['r0', 'r2'], truncated: true });
    });

    it('leaves out blocks dropped by retention', async () => {
      await store.close();
      store = await Store.open(dir, { retentionMaxAgeMs: 60_000 });
      const stack = stackOf(store, 'main');
      // Ten minutes from now, so that the blocks written below are past the limit unless their samples are newer.
      const now = Date.now() + 600_000;
      await store.write({ ...simpleWrite(stack, 2, {}, now - 120_000), rowLabels: { request: ['old-1', 'old-2'] } });
      await store.flush();
      await store.write({ ...simpleWrite(stack, 2, {}, now - 1_000), rowLabels: { request: ['new-1', 'new-2'] } });
      await store.flush();
      assert.deepEqual((await ask(undefined, '', 10)).got.values, ['new-1', 'new-2', 'old-1', 'old-2']);
      assert.equal(await store.applyRetention(now), 1);
      assert.deepEqual((await ask(undefined, '', 10)).got, { values: ['new-1', 'new-2'], truncated: false });
    });
  });
});
