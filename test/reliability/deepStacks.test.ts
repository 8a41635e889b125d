import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openProfileThroughStore } from '../../agent/profileLibrary';
import { MAX_DRAWN_DEPTH, PRUNED_NAME } from '../../common/pruneCallTree';
import { querySourceCosts } from '../../agent/queries/source/sourceCostQueries';
import { Store } from '../../storage/store';

const DEPTH = 10_000;

/** A V8 profile whose every sample is at the bottom of one recursion 10,000 frames deep, plus a shallow sibling. */
function deepProfile(): string {
  const nodes: unknown[] = [{ id: 1, callFrame: { functionName: '(root)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 }, children: [2, DEPTH + 2] }];
  for (let i = 0; i < DEPTH; i++) {
    const id = i + 2;
    nodes.push({ id, callFrame: { functionName: `level${i}`, scriptId: '1', url: 'file:///app/deep.js', lineNumber: i, columnNumber: 0 }, ...(i < DEPTH - 1 ? { children: [id + 1] } : {}) });
  }
  nodes.push({ id: DEPTH + 2, callFrame: { functionName: 'shallow', scriptId: '1', url: 'file:///app/deep.js', lineNumber: DEPTH + 5, columnNumber: 0 } });
  const samples = [...Array(300).fill(DEPTH + 1), ...Array(100).fill(DEPTH + 2)];
  return JSON.stringify({ nodes, startTime: 0, endTime: samples.length * 1000, samples, timeDeltas: Array(samples.length).fill(1000) });
}

/**
 * Stacks 10,000 frames deep through the whole path: import, store, call tree, pruning, source costs. No recursion
 * may overflow the stack, and every step stays quick.
 */
describe('stacks 10,000 frames deep', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-deep-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('are imported, drawn as a tree and costed per line, each step within seconds', async () => {
    const store = await Store.open(join(dir, 'store'));
    try {
      let started = performance.now();
      const opened = await openProfileThroughStore(store, deepProfile(), 'deep.cpuprofile', 0.002);
      const openMs = performance.now() - started;
      assert.equal(opened.summary.nodeCount, DEPTH + 2, 'the root, 10,000 levels and the sibling');
      // Every level carries 75% of the time, so nothing is pruned by value; below 1,000 levels one … holds the rest.
      assert.equal(opened.tree.parent.length, 1 + MAX_DRAWN_DEPTH + 1 + 1);
      assert.equal(opened.tree.strings[opened.tree.name[MAX_DRAWN_DEPTH + 1]!], PRUNED_NAME);
      assert.ok(openMs < 10_000, `opened in ${openMs.toFixed(0)} ms`);
      started = performance.now();
      const costs = await querySourceCosts(store, { selection: { kind: 'allRuns', selector: '{}' } });
      const costMs = performance.now() - started;
      const file = costs.files.find(f => f.file === 'file:///app/deep.js')!;
      assert.equal(file.functionNames.length, DEPTH + 1);
      assert.ok(costMs < 10_000, `source costs in ${costMs.toFixed(0)} ms`);
      console.log(`      10,000 frames deep: opened in ${openMs.toFixed(0)} ms, source costs in ${costMs.toFixed(0)} ms`);
    } finally {
      await store.close();
    }
  });
});
