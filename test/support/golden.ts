import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Compares `actual` with the golden file at `path`. A missing golden file is written and the test fails,
 * so that a new golden is always read by a person before it is trusted. On a mismatch the actual text is
 * written beside it as `<path>.actual` for review. Set ICICLE_UPDATE_GOLDENS=1 to rewrite goldens
 * (then review the diff in git before committing).
 */
export function assertGolden(path: string, actual: string): void {
  const actualPath = `${path}.actual`;
  if (process.env['ICICLE_UPDATE_GOLDENS'] === '1') {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    rmSync(actualPath, { force: true });
    return;
  }
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    assert.fail(`golden file ${path} did not exist; it has been written: review it and run again`);
  }
  const expected = readFileSync(path, 'utf8');
  if (expected === actual) {
    rmSync(actualPath, { force: true });
    return;
  }
  writeFileSync(actualPath, actual);
  assert.equal(actual, expected, `output differs from ${path}; the actual output is in ${actualPath}`);
}
