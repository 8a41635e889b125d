import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * Builds test/fixtures/native/hot.go (a CPU-bound Go program that can also serve net/http/pprof) into `directory`
 * and returns the binary's path. Go gives it symbols and frame pointers, so perf names its hot function.
 */
export function buildHotGoProgram(directory: string): string {
  const binary = join(directory, 'hot');
  const source = join(__dirname, '..', 'fixtures', 'native', 'hot.go');
  const build = spawnSync('go', ['build', '-o', binary, source], { encoding: 'utf8', timeout: 180_000 });
  assert.equal(build.status, 0, `go build failed: ${build.stderr}`);
  return binary;
}

/**
 * Builds test/fixtures/native/inlined/ (a hot loop in main.go calling a function of mix.go that the compiler inlines)
 * into `directory` and returns the binary's path.
 */
export function buildInlinedGoProgram(directory: string): string {
  const binary = join(directory, 'inlined');
  const sources = join(__dirname, '..', 'fixtures', 'native', 'inlined');
  const build = spawnSync('go', ['build', '-o', binary, join(sources, 'main.go'), join(sources, 'mix.go')], { encoding: 'utf8', timeout: 180_000 });
  assert.equal(build.status, 0, `go build failed: ${build.stderr}`);
  return binary;
}
