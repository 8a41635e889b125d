import * as assert from 'node:assert/strict';
import { annotate } from './annotations';
import { baselineTotals } from './baselineTotals';
import { LineTracker } from './lineTracker';

const cost = (name: string, line: number, total: number) => ({ name, line, self: total, total, selfSamples: 1, totalSamples: 1 });

describe('two functions of one name in one document', () => {
  // A compiler's file: onEnter at lines 10 and 40 (1-based, as profiled), each its own function.
  const head = [cost('onEnter', 10, 7), cost('onEnter', 40, 70)];

  it('are placed on their own symbols, each with its own cost', () => {
    const symbols = [
      { name: 'onEnter', startLine: 9, endLine: 20, nameLine: 9 },
      { name: 'onEnter', startLine: 39, endLine: 50, nameLine: 39 },
    ];
    const placed = annotate({ functions: head, lines: [] }, new LineTracker(60), symbols, 60, 77).functions;
    assert.deepEqual(placed.map(f => [f.name, f.line, f.startLine, f.total]), [['onEnter', 10, 9, 7], ['onEnter', 40, 39, 70]]);
  });

  it('each meet their own baseline: at the same lines, and after the code moved', () => {
    const same = baselineTotals(head, [cost('onEnter', 10, 5), cost('onEnter', 40, 50)]);
    assert.deepEqual(head.map(same), [5, 50], 'not both 55, the two summed by name');
    const moved = baselineTotals(head, [cost('onEnter', 8, 5), cost('onEnter', 38, 50)]);
    assert.deepEqual(head.map(moved), [5, 50]);
    const oneGone = baselineTotals(head, [cost('onEnter', 40, 50)]);
    assert.deepEqual(head.map(oneGone), [undefined, 50], 'the one at 10 is new since the baseline');
  });
});
