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
  });
});
