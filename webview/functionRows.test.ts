/// <reference types="mocha" />
import { FRAME_KINDS, type PackedCallTree } from '../common/callTree';
import { functionRows, searchTree } from './functionRows';
import { assertEqual } from '../test/support/webviewAssertions';
import { recursiveTree } from '../test/support/webviewTrees';

describe('functionRows', () => {
  it('sums self over every call site and counts a recursive function once in its total', () => {
    const rows = functionRows(recursiveTree(), 'micros').map(r => [r.name, r.self, r.total, r.selfSamples, r.totalSamples]);
    assertEqual(
      rows,
      [
        ['main', 100, 1500, 1, 15],
        // walk's two levels: self 200 + 300; total only the outer call's 900, not 900 + 700.
        ['walk', 500, 900, 5, 9],
        // leaf under walk and under main: both totals count, since neither is inside the other.
        ['leaf', 900, 900, 9, 9],
        ['(idle)', 600, 600, 6, 6],
      ],
      'rows (name, self, total, self samples, total samples)',
    );
  });

  it('keeps functions of one name in one file apart by their definition: two onEnter, two closures on one line', () => {
    const user = FRAME_KINDS.indexOf('user');
    // (root) ─ main ─┬─ onEnter (line 10) ── (anonymous) 5:3
    //                ├─ onEnter (line 40) ── (anonymous) 5:20
    //                └─ onEnter (line 10)
    const tree: PackedCallTree = {
      strings: ['', 'main', 'onEnter', '(anonymous)', '/app/tsc.js'],
      parent: [-1, 0, 1, 2, 1, 4, 1],
      name: [0, 1, 2, 3, 2, 3, 2],
      url: [0, 4, 4, 4, 4, 4, 4],
      line: [0, 1, 10, 5, 40, 5, 10],
      column: [0, 1, 3, 3, 3, 20, 3],
      kind: [0, user, user, user, user, user, user],
      selfSamples: [0, 0, 1, 2, 3, 4, 5],
      totalSamples: [15, 15, 3, 2, 7, 4, 5],
      selfValue: [0, 0, 100, 200, 300, 400, 500],
      totalValue: [1500, 1500, 300, 200, 700, 400, 500],
    };
    const rows = functionRows(tree, 'micros').map(r => [r.name, r.line, r.column, r.self, r.total]);
    assertEqual(
      rows,
      [
        ['main', 1, 1, 0, 1500],
        ['onEnter', 10, 3, 600, 800],
        ['(anonymous)', 5, 3, 200, 200],
        ['onEnter', 40, 3, 300, 700],
        ['(anonymous)', 5, 20, 400, 400],
      ],
      'rows (name, line, column, self, total)',
    );
  });

  it('measures in samples when asked', () => {
    const main = functionRows(recursiveTree(), 'samples').find(r => r.name === 'main')!;
    assertEqual([main.self, main.total], [1, 15], 'main in samples');
  });
});

describe('searchTree', () => {
  it('matches names by plain, case-insensitive text and counts nested matches once in the share', () => {
    const tree = recursiveTree();
    const walk = searchTree(tree, 'micros', 'WALK');
    assertEqual([...walk.matches], [2, 3], 'nodes matching WALK');
    assertEqual(walk.functions, 1, 'functions matching WALK');
    assertEqual(walk.share, 900 / 2100, 'share of WALK');
    // Regular-expression syntax is just text: nothing matches, nothing throws.
    assertEqual(searchTree(tree, 'micros', 'wa(').matches.size, 0, 'matches of wa(');
    assertEqual(searchTree(tree, 'micros', '.*').matches.size, 0, 'matches of .*');
    assertEqual(searchTree(tree, 'micros', '').share, 0, 'share of an empty search');
    const leafOrMain = searchTree(tree, 'micros', 'a');
    // "a" is in main, walk and leaf; main already covers the others, and (idle) has no "a".
    assertEqual(leafOrMain.share, 1500 / 2100, 'share of a');
  });
});
