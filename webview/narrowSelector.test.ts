import * as assert from 'node:assert/strict';
import { parseSelector } from '../common/selector';
import { narrowSelector } from './narrowSelector';

describe('narrowSelector', () => {
  it('adds the value to the selection, keeping the other labels', () => {
    assert.equal(narrowSelector('{session_id="1a2b"}', 'http_route', '/users/:id'), '{session_id="1a2b", http_route="/users/:id"}');
    assert.equal(narrowSelector('', 'trace_id', 'abc'), '{trace_id="abc"}');
  });

  it('replaces what selected the same label before', () => {
    assert.equal(narrowSelector('{http_route=~"/users.*", pid="3"}', 'http_route', '/users/:id'), '{pid="3", http_route="/users/:id"}');
  });

  it('selects the samples without the label with an empty value', () => {
    assert.equal(narrowSelector('{pid="3"}', 'span_name', null), '{pid="3", span_name=""}');
  });

  it('quotes a hostile value so that it stays one value', () => {
    const value = 'x", evil="1\\\n}';
    const narrowed = narrowSelector('{}', 'span_name', value);
    assert.deepEqual(parseSelector(narrowed), [{ key: 'span_name', op: '=', value }]);
  });
});
