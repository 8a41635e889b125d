import * as assert from 'node:assert/strict';
import { annotate, type FileCostTable } from './annotations';
import { LineTracker } from './lineTracker';

const cost = (name: string, line: number, total: number) => ({ name, line, self: total, total, selfSamples: 1, totalSamples: 1 });
const at = (line: number, character = 0) => ({ line, character });

describe('placing a file’s costs in its current text', () => {
  // a at lines 1–3, b at 5–7 (1-based, as profiled); the editor's symbols give the same spans (0-based).
  const costs: FileCostTable = { functions: [cost('a', 1, 10), cost('b', 5, 30)], lines: [] };
  const symbols = [
    { name: 'a', startLine: 0, endLine: 2, nameLine: 0 },
    { name: 'b', startLine: 4, endLine: 6, nameLine: 4 },
  ];

  it('follows the symbols, marks stale only the function whose lines were edited, and not one that merely moved', () => {
    const moved = new LineTracker(7);
    moved.apply({ range: { start: at(0), end: at(0) }, text: '// new\n' });
    const movedSymbols = symbols.map(s => ({ ...s, startLine: s.startLine + 1, endLine: s.endLine + 1, nameLine: s.nameLine + 1 }));
    assert.deepEqual(annotate(costs, moved, movedSymbols, 8, 40).functions.map(f => [f.name, f.nameLine, f.stale]), [['a', 1, false], ['b', 5, false]]);

    const edited = new LineTracker(7);
    edited.apply({ range: { start: at(5, 2), end: at(5, 6) }, text: 'done' });
    assert.deepEqual(annotate(costs, edited, symbols, 7, 40).functions.map(f => [f.name, f.stale]), [['a', false], ['b', true]]);

    const typedInto = new LineTracker(7);
    typedInto.apply({ range: { start: at(1, 0), end: at(1, 0) }, text: 'x();\n' });
    const grown = [{ ...symbols[0]!, endLine: 3 }, { ...symbols[1]!, startLine: 5, endLine: 7, nameLine: 5 }];
    assert.deepEqual(annotate(costs, typedInto, grown, 8, 40).functions.map(f => [f.name, f.stale]), [['a', true], ['b', false]], 'a new line inside a is an edit of a');
  });

  it('places 20,000 functions of a generated file, an edit in the middle included', () => {
    // Correctness at size only: a timed assertion failed under CI's load (a collection pause in the larger run), and
    // timings belong to the benchmarks.
    const n = 20_000;
    const big: FileCostTable = { functions: Array.from({ length: n }, (_, i) => cost(`f${i}`, 1 + i * 3, 1)), lines: [] };
    const bigSymbols = Array.from({ length: n }, (_, i) => ({ name: `f${i}`, startLine: i * 3, endLine: i * 3 + 2, nameLine: i * 3 }));
    const tracker = new LineTracker(n * 3);
    tracker.apply({ range: { start: at(n * 3 / 2, 0), end: at(n * 3 / 2, 1) }, text: 'y' });
    const placed = annotate(big, tracker, bigSymbols, n * 3, n);
    assert.equal(placed.functions.length, n);
    assert.deepEqual(placed.functions.filter(f => f.stale).map(f => f.name), ['f10000']);
    assert.deepEqual(placed.functions.slice(0, 3).map(f => f.name), ['f0', 'f1', 'f2']);
  });
});
