/// <reference types="mocha" />
import { FRAME_KINDS, type PackedCallTree } from '../common/callTree';
import { buildCallTreeHierarchy, chooseValueUnit, deepestDrawnDepth, framesAtDepth, type FrameDatum } from './callTreeHierarchy';
import { assertEqual, assertTrue } from '../test/support/webviewAssertions';

/**
 * (root) ─┬─ main ─┬─ parse ── lex
 *         │        └─ ''  (an anonymous function)
 *         └─ (idle)
 * In pre-order: 0 root, 1 main, 2 parse, 3 lex, 4 anonymous, 5 idle.
 */
function sampleTree(): PackedCallTree {
  const kind = (name: (typeof FRAME_KINDS)[number]) => FRAME_KINDS.indexOf(name);
  return {
    strings: ['', 'main', 'parse', 'lex', '(idle)', 'file:///app/main.js'],
    parent: [-1, 0, 1, 2, 1, 0],
    name: [0, 1, 2, 3, 0, 4],
    url: [0, 5, 5, 5, 5, 0],
    line: [0, 1, 10, 20, 30, 0],
    column: [0, 1, 1, 1, 1, 0],
    kind: [kind('root'), kind('user'), kind('user'), kind('user'), kind('user'), kind('idle')],
    selfSamples: [0, 1, 2, 3, 4, 5],
    totalSamples: [15, 10, 5, 3, 4, 5],
    selfValue: [0, 100, 200, 300, 400, 500],
    totalValue: [1500, 1000, 500, 300, 400, 500],
  };
}

/** The hierarchy without the object identity, for comparing as plain data. */
function shape(frame: FrameDatum): unknown {
  return [frame.name, frame.value, frame.index, ...(frame.children ? [frame.children.map(shape)] : [])];
}

describe('buildCallTreeHierarchy', () => {
  it('nests the pre-order nodes under their parents, in order, valued by total time', () => {
    const root = buildCallTreeHierarchy(sampleTree());
    assertEqual(
      shape(root),
      ['(all)', 1500, 0, [
        ['main', 1000, 1, [
          ['parse', 500, 2, [['lex', 300, 3]]],
          ['(anonymous)', 400, 4],
        ]],
        ['(idle)', 500, 5],
      ]],
      'hierarchy',
    );
    assertEqual(root.children?.[0]?.children?.[0]?.children?.[0]?.children, undefined, 'a leaf has no children array');
  });

  it('values frames by samples when the profile has no times', () => {
    const tree = sampleTree();
    tree.selfValue.fill(0);
    tree.totalValue.fill(0);
    assertEqual(chooseValueUnit(tree), 'samples', 'unit');
    const root = buildCallTreeHierarchy(tree);
    assertEqual(root.value, 15, 'root value');
    assertEqual(root.children?.map(child => child.value), [10, 5], 'children values');
  });

  it('builds a chain deeper than any call stack without recursion', () => {
    const depth = 200_000;
    const tree: PackedCallTree = {
      strings: ['', 'f'],
      parent: Array.from({ length: depth }, (_, i) => i - 1),
      name: new Array<number>(depth).fill(1),
      url: new Array<number>(depth).fill(0),
      line: new Array<number>(depth).fill(0),
      column: new Array<number>(depth).fill(0),
      kind: new Array<number>(depth).fill(1),
      selfSamples: Array.from({ length: depth }, (_, i) => (i === depth - 1 ? 1 : 0)),
      totalSamples: new Array<number>(depth).fill(1),
      selfValue: Array.from({ length: depth }, (_, i) => (i === depth - 1 ? 7 : 0)),
      totalValue: new Array<number>(depth).fill(7),
    };
    let frame: FrameDatum | undefined = buildCallTreeHierarchy(tree);
    let levels = 0;
    while (frame) {
      assertTrue(frame.index === levels, `node at depth ${levels} keeps its index`);
      levels++;
      frame = frame.children?.[0];
    }
    assertEqual(levels, depth, 'depth');
  });

  it('finds the frames at a depth, the root at 0', () => {
    const root = buildCallTreeHierarchy(sampleTree());
    const names = (depth: number) => framesAtDepth(root, depth).map(frame => frame.index).sort();
    assertEqual(names(0), [0], 'the root');
    assertEqual(names(1), [1, 5], 'main and (idle)');
    assertEqual(names(2), [2, 4], 'parse and the anonymous function');
    assertEqual(names(3), [3], 'lex');
    assertEqual(names(4), [], 'below the deepest frame');
  });

  it('finds the deepest frame wider than the minimum width, as d3-flame-graph filters them', () => {
    // lex is 300 of 1500: 20 px of 100, 2 px of 10.
    assertEqual(deepestDrawnDepth(sampleTree(), 'micros', 100, 1), 3, 'every frame is drawn');
    assertEqual(deepestDrawnDepth(sampleTree(), 'micros', 10, 2), 2, 'lex is exactly 2 px: not wider, not drawn');
    assertEqual(deepestDrawnDepth(sampleTree(), 'micros', 10, 6), 1, 'main and (idle) only');
    assertEqual(deepestDrawnDepth(sampleTree(), 'micros', 10, 10), 0, 'nothing but the root');
  });
});
