import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFramePath, framePathOf } from '../../../common/framePath';
import { PRUNED_NAME } from '../../../common/pruneCallTree';
import { Store } from '../../../storage/store';
import { corpusDir } from '../../../test/support/corpus';
import { importProfileBytes } from '../../import/importFile';
import { openProfileThroughStore } from '../../profileLibrary';
import { queryLabelNames, queryLabelValues, queryView } from './viewQueries';

/** What a profile view asks of the agent, against a real store holding a real profile. */
describe('view queries', () => {
  let dir: string;
  let store: Store;
  const text = readFileSync(join(corpusDir(), 'cpuprofile', 'sucrase.cpuprofile'), 'utf8');
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-view-'));
    store = await Store.open(dir);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers a time range with the samples in it, and a timeline of the whole span that adds up', async () => {
    const opened = await openProfileThroughStore(store, text, 'sucrase.cpuprofile');
    const timeline = opened.timeline!;
    assert.ok(timeline.bucketStartMs.length > 10, `${timeline.bucketStartMs.length} buckets`);
    const summed = timeline.values.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(summed - opened.tree.totalValue[0]!) < 1, `the timeline adds up to the tree's total (${summed} vs ${opened.tree.totalValue[0]})`);
    const { startMs, endMs } = timeline.span;
    const middle = Math.round((startMs + endMs) / 2);
    const first = await queryView(store, { selector: opened.query.selector, timeRange: { startMs, endMs: middle } });
    const second = await queryView(store, { selector: opened.query.selector, timeRange: { startMs: middle, endMs: endMs + 1 } });
    assert.equal(first.summary.sampleCount + second.summary.sampleCount, opened.summary.sampleCount, 'two halves hold every sample once');
    assert.ok(first.summary.sampleCount > 0 && second.summary.sampleCount > 0);
    assert.deepEqual(first.query.timeRange, { startMs, endMs: middle });
    assert.deepEqual(first.timeline, timeline, 'the timeline still shows the whole span');
    assert.ok(first.summary.durationMicros <= (middle - startMs) * 1000);
  });

  it('keeps a zoomed frame in detail: its subtree is pruned against its own total', async () => {
    const opened = await openProfileThroughStore(store, text, 'sucrase.cpuprofile', 0.01);
    const { tree } = opened;
    // A frame with a … below it: zooming into it should bring back what was merged.
    const hasPrunedChild = (i: number): boolean => tree.parent.some((p, j) => p === i && tree.strings[tree.name[j]!] === PRUNED_NAME);
    const candidates = tree.parent.map((_, i) => i).filter(i => i > 0 && hasPrunedChild(i) && tree.totalValue[i]! < 0.2 * tree.totalValue[0]!);
    assert.ok(candidates.length > 0);
    const index = candidates[0]!;
    const focus = framePathOf(tree, index);
    const focused = await queryView(store, { selector: opened.query.selector, focus }, 0.01);
    assert.deepEqual(focused.query.focus, focus);
    const at = findFramePath(focused.tree, focus);
    assert.ok(at !== undefined, 'the zoomed frame is in the answer');
    const subtreeSize = (t: typeof tree, root: number): number => {
      const inside = new Uint8Array(t.parent.length);
      inside[root] = 1;
      let size = 1;
      for (let i = root + 1; i < t.parent.length && inside[t.parent[i]!] === 1; i++, size++) inside[i] = 1;
      return size;
    };
    assert.ok(subtreeSize(focused.tree, at) > subtreeSize(tree, index), `${subtreeSize(focused.tree, at)} nodes under the zoomed frame, ${subtreeSize(tree, index)} before`);
    assert.equal(focused.tree.totalValue[0], tree.totalValue[0]);
    const missing = await queryView(store, { selector: opened.query.selector, focus: [{ name: 'no such function', url: '' }] }, 0.01);
    assert.equal(missing.query.focus, undefined, 'a frame that is not there is not claimed');
  });

  it('lists label names and values, within a selection and in the whole store, and refuses a bad selector clearly', async () => {
    await importProfileBytes(store, Buffer.from(text), 'a.cpuprofile', { branch: 'main', runtime: 'node' }, { sourceMaps: false });
    // A trailing space makes it another file (profiles are identified by content) with the same samples.
    await importProfileBytes(store, Buffer.from(`${text} `), 'b.cpuprofile', { branch: 'feature/x', runtime: 'node' }, { sourceMaps: false });
    const names = await queryLabelNames(store, '');
    for (const name of ['branch', 'runtime', 'profile_id', 'source', 'format']) assert.ok(names.includes(name), `${name} in ${names.join(', ')}`);
    assert.deepEqual(await queryLabelValues(store, 'branch', '', 100), { values: ['feature/x', 'main'], truncated: false });
    assert.deepEqual(await queryLabelValues(store, 'branch', '{source="a.cpuprofile"}', 100), { values: ['main'], truncated: false });
    assert.deepEqual(await queryLabelValues(store, 'branch', '', 1), { values: ['feature/x'], truncated: true });
    assert.deepEqual(await queryLabelValues(store, 'no_such_label', '', 10), { values: [], truncated: false });
    const main = await queryView(store, { selector: 'branch="main"' });
    assert.equal(main.query.selector, '{branch="main"}', 'the selector comes back in canonical form');
    const both = await queryView(store, { selector: '{runtime="node"}' });
    assert.equal(both.summary.sampleCount, 2 * main.summary.sampleCount);
    await assert.rejects(queryView(store, { selector: '{branch="main"' }), /is not a label selector: .*position/);
    await assert.rejects(queryView(store, { selector: '{branch=~"("}' }), /is not a label selector: invalid regular expression/);
  });
});
