import * as assert from 'node:assert/strict';
import type { FunctionCost } from '../queries/stacks/functionCosts';
import type { RunCosts } from '../queries/runs/runFunctionCosts';
import { compareRuns } from './compareRuns';

const fn = (name: string, line: number, self: number, column = 3): FunctionCost => ({
  functionName: name,
  file: '/app/tsc.js',
  line,
  column,
  self,
  total: self,
  selfSamples: 1,
  totalSamples: 1,
});

/** Three runs of the same functions; `vary` makes run-to-run noise so the test has something to weigh. */
function side(functions: FunctionCost[], scale = 1): RunCosts[] {
  return [0.98, 1, 1.02].map((vary, r) => {
    const scaled = functions.map(f => ({ ...f, self: f.self * vary * scale, total: f.total * vary * scale }));
    return { run: `run${r}`, total: scaled.reduce((s, f) => s + f.self, 0), functions: scaled };
  });
}

describe('comparing runs: functions told apart by definition', () => {
  it('two onEnter functions of one file are two changes, each with its own line and figures', () => {
    const base = side([fn('onEnter', 43432, 100), fn('onEnter', 79682, 1000), fn('main', 1, 500)]);
    const head = side([fn('onEnter', 43432, 100), fn('onEnter', 79682, 2000), fn('main', 1, 500)]);
    const onEnter = compareRuns(base, head).changes.filter(c => c.name === 'onEnter');
    assert.deepEqual(
      onEnter.map(c => [c.line, Math.round(c.a.mean), Math.round(c.b.mean), c.verdict]),
      [
        [79682, 1000, 2000, 'regression'],
        [43432, 100, 100, 'unchanged'],
      ],
    );
  });

  it('a function that moved still meets itself; a closure gone from the head is gone, not matched to another', () => {
    const base = side([fn('onEnter', 100, 100), fn('onEnter', 300, 1000), fn('(anonymous)', 50, 400, 5), fn('(anonymous)', 50, 40, 20)]);
    // Ten lines were added above everything; the closure at 50:20 was removed.
    const head = side([fn('onEnter', 110, 100), fn('onEnter', 310, 1000), fn('(anonymous)', 60, 400, 5)]);
    const changes = compareRuns(base, head).changes.map(c => [c.name, c.line, c.column, Math.round(c.a.mean), Math.round(c.b.mean)]);
    assert.deepEqual(
      changes.sort((x, y) => String(x).localeCompare(String(y))),
      [
        ['(anonymous)', 50, 20, 40, 0],
        ['(anonymous)', 60, 5, 400, 400],
        ['onEnter', 110, 3, 100, 100],
        ['onEnter', 310, 3, 1000, 1000],
      ],
    );
  });
});
