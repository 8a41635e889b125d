import * as assert from 'node:assert/strict';
import type { FileAnnotations, FunctionAnnotation } from './annotations';
import { baselineDeltas } from './baselineDelta';
import type { DocumentCosts } from './costCache';
import { deltaBasis, deltaText, hoverMarkdown, lensTitle, type CostContext } from './costText';
import { codeLenses } from './languageFeatures';

const context = (runs: number, total = 1_000_000): CostContext => ({ total, unit: 'micros', description: 'branch="feature", latest run', runs, selector: '{session_id="s1"}' });
const fn = (name: string, self: number, nameLine = 4): FunctionAnnotation => ({ name, line: 5, nameLine, startLine: nameLine, endLine: nameLine + 3, self, total: self, selfSamples: 1, totalSamples: 1, stale: false });
/** A document's costs: `functions` as [name, self summed over the side's runs], over `runs` runs that ran the file. */
const costs = (runs: number | undefined, functions: [string, number][]): DocumentCosts => ({
  table: { functions: functions.map(([name, self]) => ({ name, line: 5, self, total: self, selfSamples: 1, totalSamples: 1 })), lines: [] },
  file: 'app.js',
  context: context(runs ?? 0),
  ...(runs !== undefined ? { runs } : {}),
});

/** The functions shown in the document (all at line 5, as in `costs`), which the sides' functions are matched to. */
const shown = (...names: string[]): DocumentCosts['table']['functions'] => names.map(name => ({ name, line: 5, self: 0, total: 0, selfSamples: 0, totalSamples: 0 }));

describe('the delta against the base branch in hovers and lenses', () => {
  it('is the mean self per run of the current branch against the base’s, over the runs that ran the file, and says so', () => {
    // Shown: the latest run only (slow 280 ms). The branches: feature's 3 runs (900 ms of slow), main's 4 (600 ms).
    const deltaOf = baselineDeltas(context(1), shown('slow'), { costs: costs(4, [['slow', 600_000]]), label: 'main' }, { costs: costs(3, [['slow', 900_000]]), label: 'feature' });
    const delta = deltaOf(fn('slow', 280_000))!;
    assert.equal(deltaText(delta), '+150 ms (+100%) vs main', 'feature’s mean 300 ms against main’s 150 ms, not the latest run’s 280 ms');
    assert.equal(deltaBasis(delta), 'mean of 3 runs on feature against mean of 4 runs on main');
    const hover = hoverMarkdown(fn('slow', 280_000), 'app.js', context(1), delta);
    assert.match(hover, /Self per run: \*\*\+150 ms \(\+100%\) vs main\*\* \(mean of 3 runs on feature against mean of 4 runs on main\)/);
    assert.equal(lensTitle(fn('slow', 280_000), context(1), delta), '28.0% total · 28.0% self (280 ms) · self per run +150 ms (+100%) vs main');
  });

  it('falls back to the samples shown when the current branch never ran the file, and says it is those', () => {
    const deltaOf = baselineDeltas(context(1), shown('slow'), { costs: costs(2, [['slow', 300_000]]), label: 'main' }, { costs: undefined, label: 'feature' });
    const delta = deltaOf(fn('slow', 120_000))!;
    assert.equal(deltaText(delta), '−30 ms (−20%) vs main');
    assert.equal(deltaBasis(delta), '1 run shown against mean of 2 runs on main');
  });

  it('says new for a function the base’s runs of the file never ran; nothing when they never ran the file, or for unnamed frames', () => {
    const deltaOf = baselineDeltas(context(1), shown('added', '(anonymous)'), { costs: costs(2, [['old', 10]]), label: 'main' }, undefined);
    assert.equal(deltaText(deltaOf(fn('added', 5))!), 'new since main');
    assert.equal(lensTitle(fn('added', 5), context(1, 100), deltaOf(fn('added', 5))), '5.0% total · 5.0% self (5 µs) · new since main');
    assert.equal(deltaOf(fn('(anonymous)', 5)), undefined);
    const never = baselineDeltas(context(1), shown('added'), { costs: costs(0, []), label: 'main' }, undefined);
    assert.equal(never(fn('added', 5)), undefined);
  });
});

describe('where lenses go', () => {
  it('puts a lens on each named function’s definition line and none on V8’s module wrapper at line 1', () => {
    // The module wrapper (`(anonymous)` at line 1, a comment there) takes the whole run; parse is at line 3.
    const annotations: FileAnnotations = { functions: [fn('(anonymous)', 100, 0), fn('parse', 60, 2), fn('(program)', 10, 5)], lines: [] };
    const placed = { annotations, costs: costs(1, []) };
    placed.costs.context = context(1, 100);
    const lenses = codeLenses(placed, 1, () => ({ perRun: 2, basePerRun: 1, label: 'main', unit: 'micros', runs: 1, baseRuns: 1 }));
    assert.deepEqual(lenses.map(l => [l.range.start.line, l.command!.title]), [[2, '60.0% total · 60.0% self (60 µs) · self per run +1 µs (+100%) vs main']]);
  });
});
