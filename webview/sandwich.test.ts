/// <reference types="mocha" />
import { FRAME_KINDS, type PackedCallTree } from '../common/callTree';
import { sandwichTrees } from './sandwich';
import { assertEqual } from './testAssertions';

/**
 * (root) ─┬─ main ─┬─ walk ── walk ── leaf     (walk is recursive)
 *         │        └─ leaf
 *         └─ (idle)
 */
function recursiveTree(): PackedCallTree {
  const user = FRAME_KINDS.indexOf('user');
  return {
    strings: ['', 'main', 'walk', 'leaf', '(idle)', '/app/main.js'],
    parent: [-1, 0, 1, 2, 3, 1, 0],
    name: [0, 1, 2, 2, 3, 3, 4],
    url: [0, 5, 5, 5, 5, 5, 0],
    line: [0, 1, 10, 10, 20, 20, 0],
    column: [0, 1, 1, 1, 1, 1, 0],
    kind: [0, user, user, user, user, user, FRAME_KINDS.indexOf('idle')],
    selfSamples: [0, 1, 2, 3, 4, 5, 6],
    totalSamples: [21, 15, 9, 7, 4, 5, 6],
    selfMicros: [0, 100, 200, 300, 400, 500, 600],
    totalMicros: [2100, 1500, 900, 700, 400, 500, 600],
  };
}

/** Lines of "depth name self total" in µs, children after their parent. */
function outline(tree: PackedCallTree): string[] {
  const depth = (i: number): number => (tree.parent[i]! < 0 ? 0 : depth(tree.parent[i]!) + 1);
  const lines: string[] = [];
  const visit = (i: number): void => {
    lines.push(`${'  '.repeat(depth(i))}${tree.strings[tree.name[i]!]} ${tree.selfMicros[i]} ${tree.totalMicros[i]}`);
    tree.parent.forEach((p, j) => p === i && visit(j));
  };
  visit(0);
  return lines;
}

describe('sandwichTrees', () => {
  it('merges every call of a function: what it called below, who called it above', () => {
    const { callers, callees } = sandwichTrees(recursiveTree(), 'leaf\u0000/app/main.js');
    assertEqual(outline(callees), ['leaf 900 900'], 'callees of leaf');
    assertEqual(
      outline(callers),
      ['leaf 0 900', '  walk 0 400', '    walk 0 400', '      main 400 400', '  main 500 500'],
      'callers of leaf: through walk (twice, recursive) and straight from main',
    );
  });

  it('counts the outermost call of a recursive function once and keeps the recursion below it', () => {
    const { callers, callees } = sandwichTrees(recursiveTree(), 'walk\u0000/app/main.js');
    assertEqual(outline(callees), ['walk 200 900', '  walk 300 700', '    leaf 400 400'], 'callees of walk');
    assertEqual(outline(callers), ['walk 0 900', '  main 900 900'], 'callers of walk');
  });

  it('a function called from the root keeps its time as its own in the callers half', () => {
    const { callers } = sandwichTrees(recursiveTree(), 'main\u0000/app/main.js');
    assertEqual(outline(callers), ['main 1500 1500'], 'callers of main');
  });
});
