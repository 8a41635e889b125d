import * as assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findCallTreeProblem, FRAME_KINDS, type PackedCallTree } from '../common/callTree';
import { Store } from '../storage/store';
import { corpusDir } from '../test/support/corpus';
import { parseCpuProfile } from '../test/support/cpuprofileTree';
import { streamedProfileId } from './import/streamImport';
import { openProfilePathThroughStore, openProfileThroughStore } from './profileLibrary';

const corpus = join(corpusDir(), 'cpuprofile');

/**
 * The vertical slice through the store: a profile opened by the agent is imported into the store and its tree
 * queried back. Whatever the route, the user must see the tree the file holds, so for every real profile the
 * store's tree must equal the importer's own (children compared in name order, times to the nanosecond).
 */
describe('profiles opened through the store', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-library-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  for (const name of readdirSync(corpus).filter(f => f.endsWith('.cpuprofile'))) {
    it(`shows the same tree as the importer for ${name}`, async () => {
      const text = readFileSync(join(corpus, name), 'utf8');
      const direct = parseCpuProfile(text, name);
      const store = await Store.open(dir);
      const opened = await openProfileThroughStore(store, text, name);
      assert.equal(opened.imported, true);
      assert.deepEqual(opened.summary.sampleCount, direct.summary.sampleCount);
      assert.ok(Math.abs(opened.summary.durationMicros - direct.summary.durationMicros) < 1);
      assert.equal(canonical(opened.tree), canonical(direct.tree));
      await store.close();
    });
  }

  it('opens a file by its path as the command line imports it: streamed when big, the same view, then already stored', async function () {
    this.timeout(60_000);
    const name = 'sucrase.cpuprofile';
    const path = join(corpus, name);
    const text = readFileSync(path, 'utf8');
    const byContent = await Store.open(join(dir, 'content'));
    const byPath = await Store.open(join(dir, 'path'));
    try {
      const fromContent = await openProfileThroughStore(byContent, text, name);
      // Every size streams here (streamMinBytes 0), as a file over 32 MiB does.
      const streamed = await openProfilePathThroughStore(byPath, path, name, 0, {}, { streamMinBytes: 0 });
      assert.equal(streamed.imported, true);
      assert.equal(streamed.format, 'cpuprofile');
      assert.equal(streamed.profileId, fromContent.profileId);
      assert.equal(canonical(streamed.tree), canonical(fromContent.tree));
      assert.equal(streamed.summary.sampleCount, fromContent.summary.sampleCount);
      // Found again by the file's hash, before any parse.
      assert.equal(await streamedProfileId(path, name, 0), fromContent.profileId);
      const again = await openProfilePathThroughStore(byPath, path, name, 0, {}, { streamMinBytes: 0 });
      assert.equal(again.imported, false);
      assert.equal(canonical(again.tree), canonical(streamed.tree));
    } finally {
      await byContent.close();
      await byPath.close();
    }
  });

  it('prunes the tree it sends below the share asked for, keeping the totals', async () => {
    const text = readFileSync(join(corpus, 'sucrase.cpuprofile'), 'utf8');
    const store = await Store.open(dir);
    const whole = await openProfileThroughStore(store, text, 'sucrase.cpuprofile');
    const pruned = await openProfileThroughStore(store, text, 'sucrase.cpuprofile', 0.002);
    assert.ok(pruned.tree.parent.length < whole.tree.parent.length / 3, `${pruned.tree.parent.length} of ${whole.tree.parent.length} nodes sent`);
    assert.ok(pruned.tree.name.some(n => pruned.tree.strings[n] === '…'), 'pruned frames are merged into … nodes');
    assert.equal(pruned.tree.totalValue[0], whole.tree.totalValue[0]);
    assert.equal(pruned.summary.nodeCount, whole.summary.nodeCount, 'the summary still counts the whole tree');
    assert.equal(findCallTreeProblem(pruned.tree), undefined);
    // Every node's children (its … included) add up to its total minus its self, as in the whole tree.
    const childTotals = new Float64Array(pruned.tree.parent.length);
    pruned.tree.parent.forEach((parent, i) => {
      if (parent >= 0) childTotals[parent]! += pruned.tree.totalValue[i]!;
    });
    pruned.tree.parent.forEach((_, i) => {
      const gap = pruned.tree.totalValue[i]! - pruned.tree.selfValue[i]! - childTotals[i]!;
      assert.ok(Math.abs(gap) < 1e-6 * pruned.tree.totalValue[0]!, `node ${i} does not add up (${gap})`);
    });
    await store.close();
  });

  it('opens any format: CPU time from Go pprof, and a heap profile in each of its types and units', async () => {
    const store = await Store.open(dir);
    const pprof = readFileSync(join(corpusDir(), 'pprof', 'fib.pb.gz'));
    const opened = await openProfileThroughStore(store, pprof, 'fib.pb.gz');
    assert.ok(opened.summary.sampleCount > 0);
    const names = new Set(opened.tree.name.map(n => opened.tree.strings[n]));
    assert.ok(names.has('math/big.addVV'), 'the Go profile’s hot function is in the tree');
    assert.equal(opened.unit, 'micros');
    // A heap profile has no CPU time: it opens on its first type, in its own unit, and offers the others.
    const heap = readFileSync(join(corpusDir(), 'pprof', 'alloc_objects.pb.gz'));
    const allocations = await openProfileThroughStore(store, heap, 'alloc_objects.pb.gz');
    assert.deepEqual(
      allocations.profileTypes.map(t => `${t.label}: ${t.unit}`),
      ['Allocated objects: count', 'Allocated bytes: bytes', 'Live objects: count', 'Live bytes: bytes'],
    );
    assert.equal(allocations.query.profileType, allocations.profileTypes[0]!.id);
    assert.equal(allocations.unit, 'count');
    assert.ok(allocations.tree.totalValue[0]! > 0, 'the allocation counts are the tree’s values');
    const bytes = await openProfileThroughStore(store, heap, 'alloc_objects.pb.gz', 0, { profileType: allocations.profileTypes[1]!.id });
    assert.equal(bytes.unit, 'bytes');
    assert.notEqual(bytes.tree.totalValue[0], allocations.tree.totalValue[0]);
    await store.close();
  });

  it('opens collapsed stacks and speedscope files too, on the type they hold', async () => {
    const store = await Store.open(dir);
    for (const [folder, name, hot] of [['collapsed', 'simple.txt', 'b'], ['speedscope', 'simple.speedscope.json', 'b']] as const) {
      const opened = await openProfileThroughStore(store, readFileSync(join(corpusDir(), folder, name)), name);
      assert.ok(opened.summary.sampleCount > 0, `${name} has samples`);
      assert.ok(opened.profileTypes.length > 0 && opened.query.profileType !== undefined, `${name} names its type`);
      assert.ok(opened.tree.name.some(n => opened.tree.strings[n] === hot), `${name}'s frame ${hot} is in the tree`);
    }
    await store.close();
  });

  it('imports a file once and finds it again after a restart, flushed or not', async () => {
    const text = readFileSync(join(corpus, 'sucrase.cpuprofile'), 'utf8');
    let store = await Store.open(dir);
    const first = await openProfileThroughStore(store, text, 'sucrase.cpuprofile');
    const again = await openProfileThroughStore(store, text, 'sucrase.cpuprofile');
    assert.equal(again.imported, false);
    assert.equal(canonical(again.tree), canonical(first.tree));
    await store.close({ flush: false });
    store = await Store.open(dir);
    const afterRestart = await openProfileThroughStore(store, text, 'renamed.cpuprofile');
    assert.equal(afterRestart.imported, false, 'the content is the same, so it is the same profile');
    assert.equal(canonical(afterRestart.tree), canonical(first.tree));
    await store.close();
    store = await Store.open(dir);
    assert.equal(canonical((await openProfileThroughStore(store, text, 'x')).tree), canonical(first.tree));
    assert.equal(store.stats().blocks, 1);
    await store.close();
  });

  it('refuses a file that is not a profile without writing anything', async () => {
    const store = await Store.open(dir);
    await assert.rejects(openProfileThroughStore(store, '{"nodes": 3}', 'bad.cpuprofile'), /bad\.cpuprofile is not a readable V8 CPU profile/);
    assert.equal(store.watermark, 0);
    await store.close();
  });
});

/** The tree as text with children in name order and times rounded to nanoseconds: equal trees give equal text. */
function canonical(tree: PackedCallTree): string {
  const n = tree.parent.length;
  const children: number[][] = Array.from({ length: n }, () => []);
  for (let i = 1; i < n; i++) children[tree.parent[i]!]!.push(i);
  const label = (i: number): string =>
    `${tree.strings[tree.name[i]!]} ${FRAME_KINDS[tree.kind[i]!]} ${tree.strings[tree.url[i]!]}:${tree.line[i]}:${tree.column[i]} ` +
    `${tree.selfSamples[i]}/${tree.totalSamples[i]} ${tree.selfValue[i]!.toFixed(3)}/${tree.totalValue[i]!.toFixed(3)}`;
  const lines: string[] = [];
  const visit = (i: number, depth: number): void => {
    lines.push('  '.repeat(depth) + label(i));
    for (const c of [...children[i]!].sort((a, b) => (label(a) < label(b) ? -1 : 1))) visit(c, depth + 1);
  };
  visit(0, 0);
  return lines.join('\n');
}
