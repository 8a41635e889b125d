import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../../storage/store';
import { ProfileBuilder, type ImportedProfile } from './importedProfile';
import { profileWrites } from './importToStore';
import type { EncodedLabelColumn, SampleWrite } from '../../storage/write/sampleWrite';
import { storeParsedProfile } from './importFile';
import { MAX_BATCH_ROWS } from '../../storage/part/activePart';
import { PROFILE_ROWS_LABEL, storedProfileState } from './storedProfile';

describe('importToStore', function () {
  // Opening and closing a real store takes seconds on a loaded machine.
  this.timeout(30_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-import-to-store-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('hands the store each per-sample label already dictionary-encoded, with only the values of that write', async () => {
    const builder = new ProfileBuilder('pprof', [
      { profileType: 'memory:alloc_space:bytes:space:bytes', unit: 'bytes' },
      { profileType: 'memory:inuse_space:bytes:space:bytes', unit: 'bytes' },
    ]);
    const stack = builder.stack([builder.frame({ name: 'main', file: 'main.go', line: 1, column: 0, module: '', address: 0 })]);
    builder.sample(stack, [10, 0], undefined, { thread: 'a' });
    builder.sample(stack, [20, 5], undefined, { thread: 'b' });
    builder.sample(stack, [30, 6]);
    const store = await Store.open(dir);
    try {
      const writes = [...profileWrites(store, builder.build({}), {})];
      // The in-use type leaves out the first sample (zero): its write does not carry 'a'.
      assert.deepEqual(
        writes.map(w => w.rowLabels?.['thread']),
        [
          { dictionary: ['a', 'b'], codes: Int32Array.of(0, 1, -1) },
          { dictionary: ['b'], codes: Int32Array.of(0, -1) },
        ],
      );
      await store.writeTransaction(writes);
      assert.equal(store.snapshot().rows, 5);
    } finally {
      await store.close();
    }
  });

  it('interns each distinct frame and stack of the profile once, however many samples use them', async () => {
    const builder = new ProfileBuilder('cpuprofile', [{ profileType: 'process_cpu:cpu:nanoseconds:cpu:nanoseconds', unit: 'nanoseconds' }]);
    const frame = (name: string): number => builder.frame({ name, file: 'app.js', line: 1, column: 1, module: '', address: 0 });
    const stacks = [builder.stack([frame('a')]), builder.stack([frame('b'), frame('a')]), builder.stack([frame('c'), frame('b'), frame('a')])];
    for (let i = 0; i < 3000; i++) builder.sample(stacks[i % 3]!, [1000], i);
    const profile = builder.build({});
    const store = await Store.open(dir);
    try {
      // The real store's own methods, counted as importToStore calls them.
      const calls = { frames: 0, stacks: 0 };
      const internFrame = store.internFrame.bind(store);
      const internStack = store.internStack.bind(store);
      store.internFrame = frame => (calls.frames++, internFrame(frame));
      store.internStack = ids => (calls.stacks++, internStack(ids));
      const first = [...profileWrites(store, profile, {})];
      assert.deepEqual(calls, { frames: 3, stacks: 3 });
      await store.writeTransaction(first);
      // Importing it again finds every frame and stack already stored: the rows refer to the same stacks.
      const again = [...profileWrites(store, profile, {})];
      assert.deepEqual(calls, { frames: 6, stacks: 6 });
      assert.deepEqual({ frames: store.metadata.frameCount, stacks: store.metadata.stackCount }, { frames: 3, stacks: 3 });
      assert.deepEqual(again[0]!.stackIds, first[0]!.stackIds);
    } finally {
      await store.close();
    }
  });

  it('writes, for random profiles of one to three value types, each type\'s rows as the samples say, over several writes', async () => {
    const store = await Store.open(dir);
    try {
      let seed = 7;
      const random = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
      // Zeros in every type (each keeps its own samples), or in none (every type keeps them all and shares the rows).
      for (const [samples, types, zeros] of [[MAX_BATCH_ROWS + 1000, 2, true], [2 * MAX_BATCH_ROWS + 17, 3, true], [900, 1, true], [2 * MAX_BATCH_ROWS + 5, 2, false]] as const) {
        const profile = randomProfile(samples, types, random, zeros);
        const writes = [...profileWrites(store, profile, { source: 'random' })];
        for (let t = 0; t < types; t++) {
          // The reference: every sample, or with several types the samples whose value for the type is not zero.
          const expected: string[] = [];
          for (let i = 0; i < samples; i++) {
            if (types > 1 && profile.sampleValues[t]![i] === 0) continue;
            const labels = Object.entries(profile.sampleLabels).map(([key, column]) => `${key}=${column[i]}`);
            const names = Array.from(profile.stacks[profile.sampleStacks[i]!]!, f => profile.frames[f]!.name).join(';');
            expected.push([profile.sampleTimes![i], profile.sampleValues[t]![i], names, profile.sampleLines![i], ...labels].join(' '));
          }
          const actual: string[] = [];
          for (const write of writes.filter(w => w.profileType === profile.valueTypes[t]!.profileType)) {
            assert.ok(write.timestamps.length <= MAX_BATCH_ROWS, 'a write fills at most one batch of the active part');
            for (let r = 0; r < write.timestamps.length; r++) {
              const stackId = write.stackIds[r]!;
              const labels = Object.keys(profile.sampleLabels).map(key => `${key}=${decoded(write, key, r)}`);
              actual.push([write.timestamps[r], write.values[r], frameNames(store, stackId), write.lines![r], ...labels].join(' '));
            }
          }
          assert.equal(actual.length, expected.length, `type ${t} of ${types}, ${samples} samples`);
          assert.deepEqual(actual, expected, `type ${t} of ${types}, ${samples} samples`);
        }
      }
    } finally {
      await store.close();
    }
  });

  it('gives value types that keep the same samples the same row columns, and makes new ones where they differ', async () => {
    const store = await Store.open(dir);
    try {
      const profile = randomProfile(MAX_BATCH_ROWS + 10, 3, () => 1, false);
      // The third type keeps only every other sample.
      profile.sampleValues[2] = profile.sampleValues[2]!.map((v, i) => (i % 2 === 0 ? 0 : v));
      const writes = [...profileWrites(store, profile, {})];
      const ofType = (t: number): SampleWrite[] => writes.filter(w => w.profileType === profile.valueTypes[t]!.profileType);
      assert.deepEqual([0, 1, 2].map(t => ofType(t).length), [2, 2, 1]);
      for (let w = 0; w < 2; w++) {
        assert.equal(ofType(1)[w]!.timestamps, ofType(0)[w]!.timestamps);
        assert.equal(ofType(1)[w]!.stackIds, ofType(0)[w]!.stackIds);
        assert.equal(ofType(1)[w]!.rowLabels, ofType(0)[w]!.rowLabels);
        assert.notEqual(ofType(1)[w]!.values, ofType(0)[w]!.values);
      }
      assert.notEqual(ofType(2)[0]!.timestamps, ofType(0)[0]!.timestamps);
      assert.equal(ofType(2)[0]!.timestamps.length, (MAX_BATCH_ROWS + 10) / 2);
    } finally {
      await store.close();
    }
  });

  it('commits a profile too big for one transaction in transactions of two batches, every row marked, and finds it whole', async function () {
    this.timeout(240_000);
    const samples = 2_000_001;
    const profile = randomProfile(samples, 1, () => 1, false);
    profile.sampleLabels = {};
    delete profile.sampleLines;
    const store = await Store.open(dir);
    try {
      const transactions: number[] = [];
      const writeTransaction = store.writeTransaction.bind(store);
      store.writeTransaction = (writes, options) => {
        transactions.push(writes.reduce((sum, w) => sum + w.timestamps.length, 0));
        for (const write of writes) assert.equal(write.labels?.[PROFILE_ROWS_LABEL], String(samples));
        return writeTransaction(writes, options);
      };
      const stored = await storeParsedProfile(store, { format: 'perf-script', profiles: [profile], notes: [] }, { displayName: 'big', profileId: 'big', labels: {}, sourceMaps: undefined });
      assert.equal(stored.rows, samples);
      assert.equal(transactions.reduce((a, b) => a + b, 0), samples);
      assert.ok(Math.max(...transactions) <= 2 * MAX_BATCH_ROWS, `transactions of ${Math.max(...transactions)} rows`);
      assert.equal(await storedProfileState(store, 'big'), 'whole');
    } finally {
      await store.close();
    }
  });
});

/** A perf-like profile: a few stacks, times, a line per sample, two row labels (one absent on some samples). */
function randomProfile(samples: number, types: number, random: (n: number) => number, zeros = true): ImportedProfile {
  const builder = new ProfileBuilder('perf-script', Array.from({ length: types }, (_, t) => ({ profileType: `test:t${t}:count:t${t}:count`, unit: 'count' })));
  const frame = (name: string): number => builder.frame({ name, file: 'x.c', line: 1, column: 0, module: '', address: 0 });
  const stacks = [builder.stack([frame('a')]), builder.stack([frame('b'), frame('a')]), builder.stack([frame('c'), frame('b'), frame('a')])];
  for (let i = 0; i < samples; i++) {
    const values = Array.from({ length: types }, () => random(4) + (zeros ? 0 : 1));
    builder.sample(stacks[random(3)]!, values, i * 0.5, random(5) === 0 ? { comm: 'xz' } : { comm: `w${random(3)}`, tid: String(100 + random(50)) });
  }
  const profile = builder.build({ durationNs: samples * 500_000 });
  profile.sampleLines = Array.from({ length: samples }, () => random(100));
  return profile;
}

function frameNames(store: Store, stackId: number): string {
  return Array.from(store.metadata.stack(stackId), id => store.metadata.frame(id).functionName).join(';');
}

/** A write's row label value at a row, as the profile gave it (null for absent). */
function decoded(write: SampleWrite, key: string, row: number): string | null | undefined {
  const column = write.rowLabels?.[key] as EncodedLabelColumn | undefined;
  if (!column) return undefined;
  const code = column.codes[row]!;
  return code < 0 ? null : column.dictionary[code];
}
