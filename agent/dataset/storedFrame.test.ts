import * as assert from 'node:assert/strict';
import { definitionOf } from '../../common/functionIdentity';
import type { StoredFrame } from '../../storage/metadata/metadataStore';
import { storedFrameOf } from './readSelection';

const frame = (line: number, column: number): StoredFrame => ({ functionName: 'f', file: '/src/f.js', line, column, module: '', address: 0 });

/**
 * A dataset names where a frame's function is defined (function_line, function_column, as Icicle placed it when
 * exporting); the frame the reader makes must be placed there again by Icicle's own rule (definitionOf), so that the
 * function is the same function on both sides of a comparison.
 */
describe('dataset frames as the store holds them', () => {
  const cases: { name: string; frame: StoredFrame; line: number; column: number | undefined; stored: StoredFrame; definition: { line: number; column: number } }[] = [
    { name: 'V8: the frame is its definition', frame: frame(10, 5), line: 10, column: 5, stored: frame(10, 5), definition: { line: 10, column: 5 } },
    { name: 'pprof: a start line, no column', frame: frame(50, 0), line: 42, column: 0, stored: { ...frame(50, 0), functionLine: 42 }, definition: { line: 42, column: 0 } },
    { name: 'pprof at its start line', frame: frame(42, 0), line: 42, column: 0, stored: frame(42, 0), definition: { line: 42, column: 0 } },
    { name: 'V8 without a position, placed at the one definition its store knew', frame: frame(0, 0), line: 7, column: 3, stored: frame(7, 3), definition: { line: 7, column: 3 } },
    { name: 'unknown, frames at line 0', frame: frame(0, 0), line: 0, column: 0, stored: frame(0, 0), definition: { line: 0, column: 0 } },
    { name: 'unknown beside a line', frame: frame(12, 0), line: 0, column: 0, stored: { ...frame(12, 0), functionLine: 0 }, definition: { line: 0, column: 0 } },
    { name: 'another writer, without function_column: a start line', frame: frame(50, 0), line: 42, column: undefined, stored: { ...frame(50, 0), functionLine: 42 }, definition: { line: 42, column: 0 } },
    { name: 'another writer, without function_column: 0', frame: frame(10, 5), line: 0, column: undefined, stored: frame(10, 5), definition: { line: 10, column: 5 } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const stored = storedFrameOf(c.frame, c.line, c.column);
      assert.deepEqual(stored, c.stored);
      assert.deepEqual(definitionOf(stored), c.definition);
    });
  }
});
