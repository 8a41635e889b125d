import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sourceCosts } from '../../queries/source/sourceCosts';
import { StoreReader } from '../../../storage/storeReader';
import { buildInlinedGoProgram } from '../../../test/support/nativeFixture';

/**
 * Native source lines of a Go program recorded by perf, for real: its hot function `work` (main.go) spends its time
 * in `mix` (mix.go), which the compiler inlined into it. perf names the frame `main.work`; the debug information says
 * the instructions are mix.go's, called from main.go. The frame must keep work's own file and lines.
 */

const root = join(__dirname, '..', '..', '..');
const fixture = join(root, 'test', 'fixtures', 'native', 'inlined');

describe('native source lines of inlined code', function () {
  this.timeout(240_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-inlined-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('gives a frame whose samples run an inlined callee its own file and lines, not the callee\'s', async () => {
    const binary = buildInlinedGoProgram(dir);
    const data = join(dir, 'perf.data');
    const record = spawnSync('perf', ['record', '-q', '-e', 'cpu-clock', '-F', '999', '-g', '-o', data, '--', binary, '10'], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(record.status, 0, record.stderr);
    const script = spawnSync('perf', ['script', '-i', data], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 120_000 });
    assert.equal(script.status, 0, script.stderr);
    writeFileSync(join(dir, 'inlined.perf.txt'), script.stdout);
    const store = join(dir, 'store');
    const imported = spawnSync(process.execPath, [join(root, 'out', 'agent', 'icicle.js'), 'import', '--store', store, join(dir, 'inlined.perf.txt')], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(imported.status, 0, imported.stderr);

    const source = readFileSync(join(fixture, 'main.go'), 'utf8').split('\n');
    const declared = source.findIndex(line => line.startsWith('func work(')) + 1;
    const end = source.findIndex((line, i) => i >= declared && line === '}') + 1;
    const reader = await StoreReader.open(store);
    try {
      const costs = await sourceCosts(reader.snapshot(), { matchers: [] });
      const files = costs.files.map(f => f.file);
      assert.ok(!files.some(f => f.endsWith('inlined/mix.go')), `no function of this program is in mix.go; files: ${files.join(', ')}`);
      const main = costs.files.find(f => f.file.endsWith('inlined/main.go'));
      assert.ok(main, `no costs for main.go; files: ${files.join(', ')}`);
      const work = main.functions.find(f => f.name === 'main.work');
      assert.ok(work && work.line >= declared && work.line <= end, `main.work at line ${work?.line}, declared at ${declared}`);
      const hottest = [...main.lines].sort((a, b) => b.self - a.self)[0]!;
      assert.ok(hottest.line > declared && hottest.line < end, `the hottest line ${hottest.line} is in work's body (${declared}–${end})`);
    } finally {
      await reader.close();
    }
  });
});
