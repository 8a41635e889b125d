/// <reference types="mocha" />
import type { PackedCallTree } from '../common/callTree';
import { functionKey } from '../common/functionIdentity';
import { sandwichTrees } from '../common/sandwich';
import { assertEqual } from '../test/support/webviewAssertions';
import { recursiveTree } from '../test/support/webviewTrees';

/** Lines of "depth name self total" in µs, children after their parent. */
function outline(tree: PackedCallTree): string[] {
  const depth = (i: number): number => (tree.parent[i]! < 0 ? 0 : depth(tree.parent[i]!) + 1);
  const lines: string[] = [];
  const visit = (i: number): void => {
    lines.push(`${'  '.repeat(depth(i))}${tree.strings[tree.name[i]!]} ${tree.selfValue[i]} ${tree.totalValue[i]}`);
    tree.parent.forEach((p, j) => p === i && visit(j));
  };
  visit(0);
  return lines;
}

describe('sandwichTrees', () => {
  it('merges every call of a function: what it called below, who called it above', () => {
    const { callers, callees } = sandwichTrees(recursiveTree(), functionKey({ name: 'leaf', file: '/app/main.js', line: 20, column: 1 }));
    assertEqual(outline(callees), ['leaf 900 900'], 'callees of leaf');
    assertEqual(
      outline(callers),
      ['leaf 0 900', '  walk 0 400', '    walk 0 400', '      main 400 400', '  main 500 500'],
      'callers of leaf: through walk (twice, recursive) and straight from main',
    );
  });

  it('counts the outermost call of a recursive function once and keeps the recursion below it', () => {
    const { callers, callees } = sandwichTrees(recursiveTree(), functionKey({ name: 'walk', file: '/app/main.js', line: 10, column: 1 }));
    assertEqual(outline(callees), ['walk 200 900', '  walk 300 700', '    leaf 400 400'], 'callees of walk');
    assertEqual(outline(callers), ['walk 0 900', '  main 900 900'], 'callers of walk');
  });

  it('a function called from the root keeps its time as its own in the callers half', () => {
    const { callers } = sandwichTrees(recursiveTree(), functionKey({ name: 'main', file: '/app/main.js', line: 1, column: 1 }));
    assertEqual(outline(callers), ['main 1500 1500'], 'callers of main');
  });
});
