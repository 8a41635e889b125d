import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toPackedCallTree, type CallTreeColumns } from '../../../common/callTree';
import { preferredProfileType, toDisplayUnit } from '../../../common/profileTypes';
import { Store } from '../../../storage/store';
import { corpusDir } from '../../../test/support/corpus';
import { classifyStoredFrame } from '../../frameKind';
import { importProfileBytes } from '../../import/importFile';
import { profileTypes } from '../selectionProfileTypes';
import { mergeStacks } from '../stacks/mergeStacks';
import { buildCallTree, buildCallTreeWithLeaves } from './callTree';
import { cutStackTree, cutStackTreeSteps, stackTreeOf } from './rangeTree';

/** A seeded generator, so that a failure names subsets that can be looked at again. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * A tree cut from the whole one must be the tree the builder makes from the same stacks, column for column (child
 * order, string table, sums), or a view would change with the cache. Real profiles from the corpus in a real store;
 * subsets of their stacks drawn at random (some stacks, a run of neighbouring ids, one stack, none, all).
 */
describe('cutting a range tree out of the whole one', function () {
  // Real profiles read, built and compared many times over: seconds on a loaded machine, beyond mocha's 2 s.
  this.timeout(30_000);
  let dir: string;
  let store: Store;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-range-tree-'));
    store = await Store.open(dir);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const file of ['cpuprofile/sucrase.cpuprofile', 'pprof/large.cpu']) {
    it(`equals the built tree for any subset of stacks: ${file}`, async () => {
      const imported = await importProfileBytes(store, readFileSync(join(corpusDir(), file)), file, { case: 'range-tree' }, { sourceMaps: false });
      assert.ok(imported.rows > 0);
      const snapshot = store.snapshot();
      try {
        const matchers = [{ key: 'case', op: '=' as const, value: 'range-tree' }];
        const selection = { matchers, profileType: preferredProfileType(await profileTypes(snapshot, { matchers }))! };
        const merged = await mergeStacks(snapshot, selection);
        const toDisplay = toDisplayUnit(selection.profileType);
        const { tree, leafOf } = buildCallTreeWithLeaves(snapshot.metadata, merged, classifyStoredFrame, toDisplay);
        const whole = stackTreeOf(tree, merged.stackIds, leafOf);
        const next = random(20);
        const k = merged.stackIds.length;
        const subsets: [string, (s: number) => boolean][] = [
          ['all', () => true],
          ['none', () => false],
          ['the last stack', s => s === k - 1],
          ...[0.05, 0.3, 0.7].map((share): [string, (s: number) => boolean] => {
            const chosen = Array.from({ length: k }, () => next() < share);
            return [`${share * 100}% at random`, s => chosen[s]!];
          }),
          ...[0, 1, 2].map((): [string, (s: number) => boolean] => {
            const from = Math.floor(next() * k);
            const to = from + Math.floor(next() * (k - from));
            return [`stacks ${from} to ${to}`, s => s >= from && s <= to];
          }),
        ];
        const cases = subsets.map(([name, chosen]) => {
          // Each chosen stack with part of its samples, as a time range would leave it.
          const samples = new Float64Array(k);
          const values = new Float64Array(k);
          for (let s = 0; s < k; s++) {
            if (!chosen(s)) continue;
            samples[s] = Math.max(1, Math.floor(merged.samples[s]! * next()));
            values[s] = Math.round(merged.values[s]! * (samples[s]! / merged.samples[s]!));
          }
          const kept = merged.stackIds.map((_, s) => s).filter(s => samples[s]! > 0);
          const subset = { stackIds: Uint32Array.from(kept, s => merged.stackIds[s]!), samples: Float64Array.from(kept, s => samples[s]!), values: Float64Array.from(kept, s => values[s]!) };
          return { samples, values, built: buildCallTree(snapshot.metadata, subset, classifyStoredFrame, toDisplay), what: `${file}, ${name}: ${kept.length} of ${k} stacks` };
        });
        // One after the other, each cut in the arrays the one before worked in.
        for (const { samples, values, built, what } of cases) assert.deepEqual(toPackedCallTree(cutStackTree(whole, samples, values, toDisplay)), built, what);
        // Two at a time, a step of each in turn, as the agent interleaves sliced queries: the second works in its own.
        for (let c = 0; c + 1 < cases.length; c++) {
          const pair = [cases[c]!, cases[c + 1]!];
          const steps = pair.map(({ samples, values }) => cutStackTreeSteps(whole, samples, values, toDisplay));
          const results: (CallTreeColumns | undefined)[] = [undefined, undefined];
          while (results.some(r => r === undefined)) {
            steps.forEach((step, i) => {
              if (results[i] !== undefined) return;
              const next = step.next();
              if (next.done) results[i] = next.value;
            });
          }
          results.forEach((result, i) => assert.deepEqual(toPackedCallTree(result!), pair[i]!.built, `interleaved: ${pair[i]!.what}`));
        }
      } finally {
        snapshot.release();
      }
    });
  }
});
