import * as assert from 'node:assert/strict';
import { SymbolIndex } from './symbolIndex';

describe('the symbols of a document by line', () => {
  // A class (lines 0–20) with two methods, the second holding a callback; a function after the class.
  const symbols = [
    { name: 'after', startLine: 22, endLine: 25, nameLine: 22 },
    { name: 'Parser', startLine: 0, endLine: 20, nameLine: 0 },
    { name: 'Parser.parse', startLine: 2, endLine: 8, nameLine: 2 },
    { name: 'Parser.next', startLine: 10, endLine: 19, nameLine: 10 },
    { name: '<callback>', startLine: 12, endLine: 14, nameLine: 12 },
  ];
  const index = new SymbolIndex(symbols);
  const at = (line: number, name = '') => index.at(line, name)?.name;

  it('gives the innermost symbol containing a line', () => {
    assert.equal(at(0), 'Parser');
    assert.equal(at(5), 'Parser.parse');
    assert.equal(at(13), '<callback>');
    assert.equal(at(15), 'Parser.next');
    assert.equal(at(9), 'Parser');
    assert.equal(at(23), 'after');
  });

  it('prefers a containing symbol of the profiled name, however large, over a smaller one', () => {
    assert.equal(at(13, 'next'), 'Parser.next');
    assert.equal(at(13, 'Parser'), 'Parser');
    assert.equal(at(13, 'unrelated'), '<callback>');
  });

  it('gives nothing outside every symbol, before the first line or past the last', () => {
    assert.equal(at(21), undefined);
    assert.equal(at(-1), undefined);
    assert.equal(at(1000), undefined);
    assert.equal(new SymbolIndex([]).at(0, 'x'), undefined);
  });
});
