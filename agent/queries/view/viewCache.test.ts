import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { framePathOf } from '../../../common/framePath';
import type { ViewQuery, ViewResult } from '../../../common/viewQuery';
import { Store } from '../../../storage/store';
import { corpusDir } from '../../../test/support/corpus';
import { importProfileBytes } from '../../import/importFile';
import { ViewCache, viewCacheOf } from './viewCache';
import { queryView } from './viewQueries';
import { viewWorkerOf } from './viewWorkerClient';

const RETENTION_MS = 60_000;
const text = readFileSync(join(corpusDir(), 'cpuprofile', 'sucrase.cpuprofile'), 'utf8');

/** What changes the store between checks; each step is followed by every query, kept and computed afresh. */
type Step = { name: string; run: (store: Store) => Promise<unknown>; samples: 'more' | 'fewer' | 'same' | 'none' };

const steps: Step[] = [
  { name: 'nothing (the cache warms)', run: async () => undefined, samples: 'same' },
  { name: 'nothing again (answers come from the cache)', run: async () => undefined, samples: 'same' },
  // Another file (a trailing space makes other content) with the same runtime label: the watermark moves.
  { name: 'an import', run: store => importProfileBytes(store, Buffer.from(`${text} `), 'c.cpuprofile', { runtime: 'node', session_id: 'c' }, { sourceMaps: false }), samples: 'more' },
  { name: 'a flush and a compaction (the same rows)', run: async store => ((await store.flush()), store.compact()), samples: 'same' },
  // Neither a deletion nor retention moves the watermark: only the deletion generation says the rows changed.
  { name: 'a deletion', run: store => store.deleteWhere({ matchers: [{ key: 'session_id', op: '=', value: 'b' }] }), samples: 'fewer' },
  { name: 'retention', run: async store => ((await store.flush()), store.applyRetention(Date.now() + 10 * RETENTION_MS)), samples: 'none' },
];

/** Everything a view asks as a user moves around: the whole selection, time ranges and zooms. */
function queriesOf(selector: string, first: ViewResult): ViewQuery[] {
  const span = first.timeline?.span ?? { startMs: 0, endMs: 1 };
  const at = (share: number): number => Math.round(span.startMs + share * (span.endMs - span.startMs));
  const { tree } = first;
  const mid = tree.parent.findIndex((_, i) => i > 0 && tree.totalValue[i]! < 0.3 * tree.totalValue[0]! && tree.totalValue[i]! > 0.02 * tree.totalValue[0]!);
  const focus = mid > 0 ? framePathOf(tree, mid) : undefined;
  const ranges = [
    { startMs: at(0), endMs: at(0.5) },
    { startMs: at(0.25), endMs: at(0.9) },
    { startMs: at(0.5), endMs: at(1) + 1 },
    { startMs: span.endMs + 10_000, endMs: span.endMs + 20_000 },
  ];
  return [
    { selector },
    ...ranges.map(timeRange => ({ selector, timeRange })),
    ...(focus ? [{ selector, focus }, { selector, timeRange: ranges[1]!, focus }] : []),
    { selector, timeRange: ranges[0]!, timeOrder: true },
  ];
}

/**
 * The view cache against the store itself: after each change to the store, every answer given with the cache
 * equals the one computed from the store without it, field by field, for the whole selection, time ranges and zooms.
 */
describe('view cache', function () {
  // Real profiles read, built and compared many times over: seconds on a loaded machine, beyond mocha's 2 s.
  this.timeout(30_000);
  let dir: string;
  let store: Store;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-view-cache-'));
    store = await Store.open(dir, { retentionMaxAgeMs: RETENTION_MS, replacedBlockGraceMs: 0 });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The same oracle on the agent's thread and through the view query worker, whose cache is its own. */
  const paths = [
    { name: 'on the calling thread', ask: queryView, hits: (s: Store) => viewCacheOf(s).hits },
    { name: 'through the view query worker', ask: (s: Store, query: ViewQuery, minShare: number) => viewWorkerOf(s).query(query, minShare), hits: (s: Store) => viewWorkerOf(s).cacheHits },
  ];
  for (const path of paths) {
    it(`answers as the store does after inserts, a compaction, a deletion and retention (${path.name})`, async () => {
      await importProfileBytes(store, Buffer.from(text), 'a.cpuprofile', { runtime: 'node', session_id: 'a' }, { sourceMaps: false });
      await store.flush();
      await importProfileBytes(store, Buffer.from(`${text}\n`), 'b.cpuprofile', { runtime: 'node', session_id: 'b' }, { sourceMaps: false });
      const selector = '{runtime="node"}';
      const queries = queriesOf(selector, await queryView(store, { selector }, 0.005, { cache: false }));
      let samplesBefore = (await queryView(store, { selector }, 0, { cache: false })).summary.sampleCount;
      // Each query once before any step, so that every step starts with a warm cache that it must not be answered from.
      for (const query of queries) await path.ask(store, query, 0.005);
      for (const step of steps) {
        await step.run(store);
        const hitsBefore = path.hits(store);
        for (const query of queries) {
          for (let asked = 0; asked < 2; asked++) {
            const kept = await path.ask(store, query, 0.005);
            const fresh = await queryView(store, query, 0.005, { cache: false });
            assert.deepEqual(kept, fresh, `after ${step.name}: ${JSON.stringify(query)} (asked ${asked + 1} times)`);
          }
        }
        assert.ok(path.hits(store) > hitsBefore, `after ${step.name}: the cache answered (${path.hits(store) - hitsBefore} hits)`);
        const samples = (await path.ask(store, { selector }, 0)).summary.sampleCount;
        const expected = { more: samples > samplesBefore, fewer: samples < samplesBefore && samples > 0, same: samples === samplesBefore, none: samples === 0 }[step.samples];
        assert.ok(expected, `after ${step.name}: ${samples} samples, ${samplesBefore} before (expected ${step.samples})`);
        samplesBefore = samples;
      }
    });
  }

  it('keeps only the newest version of the rows: an older result is not kept, a newer one forgets the rest', () => {
    const cache = new ViewCache(1000, 10);
    const v1 = { watermark: 5, deletionGeneration: 0 };
    const v2 = { watermark: 5, deletionGeneration: 1 };
    cache.set(v1, 'a', 'one', 10);
    assert.equal(cache.get(v1, 'a'), 'one');
    cache.set(v2, 'b', 'two', 10);
    assert.equal(cache.get(v1, 'a'), undefined, 'a deletion makes the rows another version');
    assert.equal(cache.get(v2, 'a'), undefined);
    cache.set(v1, 'a', 'stale', 10);
    assert.equal(cache.get(v2, 'a'), undefined, 'a result computed before the deletion is not kept');
    assert.equal(cache.get(v2, 'b'), 'two');
    cache.set(v2, 'big', 'x', 2000);
    assert.equal(cache.get(v2, 'big'), undefined, 'a value over the whole bound is not kept');
    for (let i = 0; i < 120; i++) cache.set(v2, `k${i}`, i, 10);
    assert.ok(cache.size.entries <= 10 && cache.size.bytes <= 1000, JSON.stringify(cache.size));
    assert.equal(cache.get(v2, 'k119'), 119, 'the newest entry stays');
  });
});
