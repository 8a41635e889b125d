import * as assert from 'node:assert/strict';
import { MAX_OTHER_SELECTORS, MAX_VALUES_OF_OTHER_LABEL, offeredSelectors, type ListedLabel } from './offeredBaseLabels';

const label = (key: string, count: number, truncated = false): ListedLabel => ({ key, values: Array.from({ length: count }, (_, i) => `${key}${i}`), truncated });
const offered = (labels: ListedLabel[]) => offeredSelectors(labels).map(o => o.selector);

/** What the base picker lists for a dataset: branches first, then the few values of other run labels, never hundreds. */
describe('the selectors the base picker offers for a dataset', () => {
  const cases: { name: string; labels: ListedLabel[]; expected: string[] }[] = [
    {
      name: 'branch first, then commit, then the other labels by name; per-run and where-from labels never',
      labels: [label('zone', 2), label('session_id', 3), label('commit', 2), label('source', 1), label('branch', 2), label('dirty', 1), label('compare_id', 1), label('profile_id', 1)],
      expected: ['{branch="branch0"}', '{branch="branch1"}', '{commit="commit0"}', '{commit="commit1"}', '{dirty="dirty0"}', '{zone="zone0"}', '{zone="zone1"}'],
    },
    {
      name: 'every branch, however many; another label with many values, or cut short, is left to typing',
      labels: [label('branch', 30), label('commit', MAX_VALUES_OF_OTHER_LABEL + 1), label('host', 2, true), label('runtime', 1)],
      expected: [...label('branch', 30).values.map(v => `{branch="${v}"}`), '{runtime="runtime0"}'],
    },
    {
      name: 'a value that needs quoting is quoted',
      labels: [{ key: 'branch', values: ['fix/"quotes"\\'], truncated: false }],
      expected: ['{branch="fix/\\"quotes\\"\\\\"}'],
    },
    { name: 'a dataset without labels offers nothing', labels: [], expected: [] },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(offered(c.labels), c.expected));

  it(`offers at most ${MAX_OTHER_SELECTORS} selectors of other labels, each label whole or not at all`, () => {
    const many = Array.from({ length: 10 }, (_, i) => label(`k${i}`, 5));
    const selectors = offeredSelectors([label('branch', 1), ...many]);
    const others = selectors.filter(s => s.key !== 'branch');
    assert.ok(others.length <= MAX_OTHER_SELECTORS, `${others.length} other selectors`);
    assert.equal(others.length, Math.floor(MAX_OTHER_SELECTORS / 5) * 5);
    for (const key of new Set(others.map(o => o.key))) assert.equal(others.filter(o => o.key === key).length, 5, `${key} is offered whole`);
  });
});
