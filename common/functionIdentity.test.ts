import * as assert from 'node:assert/strict';
import { functionKey, functionLabel, FunctionPositions, matchAcrossVersions } from './functionIdentity';

describe('function identity', () => {
  it('names a function by its definition, an anonymous one with its column', () => {
    assert.equal(functionLabel({ name: 'onEnter', file: 'file:///x/_tsc.js', line: 43432, column: 20 }), 'onEnter file:///x/_tsc.js:43432');
    assert.equal(functionLabel({ name: '', file: '/app/a.js', line: 12, column: 5 }), '(anonymous) /app/a.js:12:5');
    assert.equal(functionLabel({ name: '(anonymous)', file: '/app/a.js', line: 12, column: 30 }), '(anonymous) /app/a.js:12:30');
    assert.equal(functionLabel({ name: '(garbage collector)', file: '', line: 0, column: 0 }), '(garbage collector)');
    assert.notEqual(functionKey({ name: 'a', file: 'b', line: 1, column: 2 }), functionKey({ name: 'a', file: 'b', line: 1, column: 3 }));
    assert.notEqual(functionKey({ name: 'a","b', file: '', line: 0, column: 0 }), functionKey({ name: 'a', file: 'b', line: 0, column: 0 }));
  });

  it('places a frame without a definition at the only known one of its name, else at its first line', () => {
    const positions = new FunctionPositions();
    positions.add('readToken', 't.js', { line: 178, column: 14 });
    positions.add('readToken', 't.js', { line: 0, column: 0 });
    positions.add('onEnter', 'tsc.js', { line: 10, column: 3 });
    positions.add('onEnter', 'tsc.js', { line: 40, column: 3 });
    positions.add('work', 'main.go', { line: 14, column: 0, functionLine: 0 });
    positions.add('work', 'main.go', { line: 12, column: 0, functionLine: 0 });
    assert.deepEqual(positions.positionOf('readToken', 't.js', { line: 0, column: 0 }), { line: 178, column: 14 });
    assert.deepEqual(positions.positionOf('onEnter', 'tsc.js', { line: 0, column: 0 }), { line: 0, column: 0 }, 'two onEnter: it cannot say which');
    assert.deepEqual(positions.positionOf('work', 'main.go', { line: 14, column: 0, functionLine: 0 }), { line: 12, column: 0 });
    assert.deepEqual(positions.positionOf('work', 'main.go', { line: 14, column: 0, functionLine: 10 }), { line: 10, column: 0 }, 'pprof: the start line');
  });

  it('pairs the functions of two versions: the same definition first, then by name and file in order', () => {
    const base = [
      { name: 'onEnter', file: 'tsc.js', line: 100, column: 3 },
      { name: 'onEnter', file: 'tsc.js', line: 300, column: 3 },
      { name: 'solo', file: 'tsc.js', line: 5, column: 1 },
    ];
    const head = [
      { name: 'onEnter', file: 'tsc.js', line: 300, column: 3 },
      { name: 'onEnter', file: 'tsc.js', line: 120, column: 3 },
      { name: 'solo', file: 'tsc.js', line: 9, column: 1 },
    ];
    const { a, b } = matchAcrossVersions(base, head);
    const pairOf = (fn: (typeof base)[number]) => head.find(h => b.get(functionKey(h)) === a.get(functionKey(fn)))?.line;
    assert.deepEqual(base.map(pairOf), [120, 300, 9]);
  });
});
