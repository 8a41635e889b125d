/// <reference types="mocha" />
import type { ChangeRow } from '../../common/protocol/compareViewProtocol';
import { assertEqual } from '../../test/support/webviewAssertions';
import { groupChanges } from './changeGroups';

const row = (name: string, a: number, b: number, verdict: ChangeRow['verdict']): ChangeRow => ({
  name,
  file: 'app.js',
  a: { mean: a, sd: 0, runs: 3 },
  b: { mean: b, sd: 0, runs: 3 },
  delta: b - a,
  deltaPercent: a > 0 ? (100 * (b - a)) / a : null,
  verdict,
});

describe('grouping a comparison’s rows', () => {
  it('lists significant changes by effect, whichever the direction, and folds the noisy and the zero ones', () => {
    const groups = groupChanges(
      [
        row('slower', 100, 150, 'regression'),
        row('faster', 300, 200, 'improvement'),
        row('noisy', 100, 101, 'unchanged'),
        row('noisier', 100, 103, 'unchanged'),
        // Means of equal runs that do not subtract to exactly 0.
        row('same', 0.1 + 0.2, 0.3, 'unchanged'),
        row('bigSame', 500, 500, 'unchanged'),
      ],
      1_000_000,
    );
    assertEqual(groups.shown.map(r => r.name), ['faster', 'slower'], 'shown');
    assertEqual(groups.withinNoise.map(r => r.name), ['noisier', 'noisy'], 'within noise');
    assertEqual(groups.zero.map(r => r.name), ['bigSame', 'same'], 'zero, the costliest first');
  });

  it('shows every row that moved when significance is unknown (one run on a side)', () => {
    const groups = groupChanges([row('a', 10, 20, 'unknown'), row('b', 10, 10, 'unknown')], 1000);
    assertEqual(groups.shown.map(r => r.name), ['a'], 'shown');
    assertEqual(groups.zero.map(r => r.name), ['b'], 'zero');
  });
});
