import * as assert from 'node:assert/strict';
import { findCallTreeProblem, type PackedCallTree } from './callTree';
import { findFramePath, framePathOf } from './framePath';
import { PRUNED_NAME, pruneCallTree } from './pruneCallTree';

/** The tree as indented lines of name, total µs and self µs, for comparing shapes. */
function outline(tree: PackedCallTree): string[] {
  const depth = (i: number): number => (tree.parent[i]! < 0 ? 0 : depth(tree.parent[i]!) + 1);
  return tree.parent.map((_, i) => `${'  '.repeat(depth(i))}${tree.strings[tree.name[i]!] || '(root)'} ${tree.totalValue[i]} ${tree.selfValue[i]}`);
}

describe('pruneCallTree', () => {
  it('merges each parent’s too-narrow children into one … node that keeps their cost', () => {
    // root 100 ─┬─ a 60 ─┬─ b 50
    //           │        ├─ c 6 ── d 6
    //           │        └─ e 4
    //           └─ f 40
    const tree: PackedCallTree = {
      strings: ['', 'a', 'b', 'c', 'd', 'e', 'f'],
      parent: [-1, 0, 1, 1, 3, 1, 0],
      name: [0, 1, 2, 3, 4, 5, 6],
      url: [0, 0, 0, 0, 0, 0, 0],
      line: [0, 0, 0, 0, 0, 0, 0],
      column: [0, 0, 0, 0, 0, 0, 0],
      kind: [0, 1, 1, 1, 1, 1, 1],
      selfSamples: [0, 0, 50, 0, 6, 4, 40],
      totalSamples: [100, 60, 50, 6, 6, 4, 40],
      selfValue: [0, 0, 500, 0, 60, 40, 400],
      totalValue: [1000, 600, 500, 60, 60, 40, 400],
    };
    const pruned = pruneCallTree(tree, 0.07);
    assert.equal(findCallTreeProblem(pruned), undefined);
    assert.deepEqual(outline(pruned), ['(root) 1000 0', '  a 600 0', '    b 500 500', `    ${PRUNED_NAME} 100 100`, '  f 400 400']);
    assert.equal(pruneCallTree(tree, 0), tree, 'no pruning asked: the same tree');
    assert.equal(pruneCallTree(tree, 0.01), tree, 'nothing below the threshold: the same tree');

    // Zoomed into a (600): its subtree is pruned against 600, so c (60 = 10%) and e (40 = 6.7%) split again at 7%.
    const focused = pruneCallTree(tree, 0.07, 1);
    assert.deepEqual(outline(focused), ['(root) 1000 0', '  a 600 0', '    b 500 500', '    c 60 0', '      d 60 60', `    ${PRUNED_NAME} 40 40`, '  f 400 400']);
    assert.equal(findFramePath(focused, framePathOf(tree, 4)), 4, 'd is found by its path in the focused tree');
    assert.equal(findFramePath(pruned, framePathOf(tree, 4)), undefined, 'd is not in the overview');
    assert.deepEqual(framePathOf(tree, 4).map(step => step.name), ['a', 'c', 'd']);

    // A tree in typed arrays (the agent's cached trees) prunes to the same tree of arrays, also when nothing is cut.
    const typed = { ...tree, parent: Int32Array.from(tree.parent), totalValue: Float64Array.from(tree.totalValue), selfValue: Float64Array.from(tree.selfValue) };
    assert.deepEqual(pruneCallTree(typed, 0.07, 1), focused);
    assert.deepEqual(pruneCallTree(typed, 0), tree, 'no pruning asked: the same tree, in arrays');
    assert.equal(findFramePath(typed, framePathOf(tree, 4)), 4);
  });

  it('ends stacks deeper than the limit in one … holding the rest, counted from the zoomed frame when there is one', () => {
    // A chain root → l0 → l1 → … → l9, all the time at the bottom.
    const n = 11;
    const chain: PackedCallTree = {
      strings: ['', ...Array.from({ length: 10 }, (_, i) => `l${i}`)],
      parent: Array.from({ length: n }, (_, i) => i - 1),
      name: Array.from({ length: n }, (_, i) => i),
      url: Array(n).fill(0), line: Array(n).fill(0), column: Array(n).fill(0), kind: [0, ...Array(10).fill(1)],
      selfSamples: Array.from({ length: n }, (_, i) => (i === 10 ? 5 : 0)), totalSamples: Array(n).fill(5),
      selfValue: Array.from({ length: n }, (_, i) => (i === 10 ? 50 : 0)), totalValue: Array(n).fill(50),
    };
    const limited = pruneCallTree(chain, 0, undefined, 4);
    assert.deepEqual(outline(limited).map(l => l.trim()), ['(root) 50 0', 'l0 50 0', 'l1 50 0', 'l2 50 0', 'l3 50 0', `${PRUNED_NAME} 50 50`]);
    // Zoomed into l3 (node 4), its subtree gets four levels of its own.
    const zoomed = pruneCallTree(chain, 0, 4, 4);
    assert.deepEqual(outline(zoomed).map(l => l.trim().split(' ')[0]), ['(root)', 'l0', 'l1', 'l2', 'l3', 'l4', 'l5', 'l6', 'l7', PRUNED_NAME]);
  });
});
