/// <reference types="mocha" />
import type { PackedCallTree } from '../common/callTree';
import type { TimeOrderedSamples } from '../common/timeOrder';
import { assertEqual } from '../test/support/webviewAssertions';
import { appendTimeOrder } from './appendTimeOrder';

/** A tree of `names` (each a child of the root, or of the name before it when written `parent>name`), in pre-order. */
function tree(...names: string[]): PackedCallTree {
  const strings = [''];
  const parent = [-1];
  const name = [0];
  for (const entry of names) {
    const [above, own] = entry.includes('>') ? entry.split('>') : [undefined, entry];
    parent.push(above === undefined ? 0 : name.findIndex((n, i) => i > 0 && strings[n] === above));
    name.push(strings.push(own!) - 1);
  }
  const zeros = parent.map(() => 0);
  return { strings, parent, name, url: zeros, line: zeros, column: zeros, kind: parent.map((_p, i) => (i === 0 ? 0 : 1)), selfSamples: zeros, totalSamples: zeros, selfValue: zeros, totalValue: zeros };
}

const samples = (t: PackedCallTree, startMs: number, node: number[], gap: number[], extra: Partial<TimeOrderedSamples> = {}): TimeOrderedSamples => ({
  tree: t,
  startMs,
  tracks: [{ labels: {}, sampleCount: node.length }],
  node,
  gapMicros: gap,
  durationMicros: node.map(() => 1000),
  throughMs: startMs + node.length - 1,
  totalSamples: node.length,
  ...extra,
});

describe('appending a tail of the flame chart\'s samples', () => {
  it('finds the kept leaves in the renumbered tree and places the tail after the kept samples', () => {
    // Kept: main, main>work at 100 and 101 ms. The tail's tree has a new frame before work in pre-order.
    const kept = samples(tree('main', 'main>work'), 100, [1, 2], [0, 0]);
    const grown = tree('main', 'main>parse', 'main>work');
    // The tail starts at 101.5 ms (laid out after the kept sample still running then: its gap is clamped to 0).
    const tail = samples(grown, 101.5, [2, 3], [0, 0], { totalSamples: 4, afterMs: 101 });
    const joined = appendTimeOrder(kept, tail)!;
    assertEqual(joined.node, [1, 3, 2, 3], 'work is node 3 in the new tree');
    assertEqual(joined.gapMicros, [0, 0, 0, 0], 'the overlapping first tail sample starts where the kept ones end');
    assertEqual(joined.tracks, [{ labels: {}, sampleCount: 4 }], 'one track');
    // A tail that starts later leaves the gap.
    const later = appendTimeOrder(kept, samples(grown, 110, [3], [0], { totalSamples: 3, afterMs: 101 }))!;
    assertEqual(later.gapMicros, [0, 0, 8000], '110 ms is 8 ms after the kept samples end at 102 ms');
    assertEqual(later.startMs, 100, 'positions stay relative to the kept start');
  });

  it('refuses a tail whose tree lacks a kept frame, or that starts before the kept samples', () => {
    const kept = samples(tree('main', 'main>work'), 100, [1, 2], [0, 0]);
    assertEqual(appendTimeOrder(kept, samples(tree('main'), 102, [1], [0], { totalSamples: 3, afterMs: 101 })), undefined, 'work is gone');
    assertEqual(appendTimeOrder(kept, samples(tree('main', 'main>work'), 99, [1], [0], { totalSamples: 3, afterMs: 101 })), undefined, 'starts before');
  });
});
