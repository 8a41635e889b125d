import assert from 'node:assert/strict';
import { selectorMayMatch } from './selectorMatch';

describe('selectorMayMatch', () => {
  const chunk = { session_id: 'run-a', pid: '42', runtime: 'node', profile_id: 'p1' };
  const cases: [selector: string, expected: boolean][] = [
    ['', true],
    ['{session_id="run-a"}', true],
    ['{session_id="run-b"}', false],
    ['{session_id!="run-a"}', false],
    ['{session_id=~"run-.*"}', true],
    ['{session_id=~"run"}', false], // anchored, as the store applies it
    ['{session_id!~"run-a|run-c"}', false],
    ['{session_id="run-a", pid="7"}', false],
    // A key the samples are not known to carry may be a per-sample label: it could match.
    ['{thread="worker 1"}', true],
    ['{session_id="run-a", thread="worker 1"}', true],
    ['{profile_id="p2"}', false],
    // A selector that does not parse may select anything: the view is refreshed and shows its own error.
    ['{session_id=', true],
  ];
  for (const [selector, expected] of cases) {
    it(`${selector || '(empty)'} → ${expected}`, () => assert.equal(selectorMayMatch(selector, chunk), expected));
  }
});
