/// <reference types="mocha" />
import { functionRows, searchTree } from './functionRows';
import { assertEqual } from './testAssertions';
import { recursiveTree } from './testTrees';

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
