import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProfileBuilder, type ImportedFrame } from '../importedProfile';
import { applySourceMaps } from './applySourceMaps';
import { SourceMapResolver } from './sourceMapResolver';

const frame = (name: string, file: string, line: number, column: number): ImportedFrame => ({ name, file, line, column, module: '', address: 0 });

describe('applySourceMaps', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-apply-maps-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('merges frames whose generated positions map to one original position, and dedupes stacks', async () => {
    const script = join(dir, 'bundle.js');
    writeFileSync(script, 'function helper(){}\nfunction helper2(){}\nfunction main(){}\n');
    // Generated lines 1 and 2 both map to a.ts line 5 column 3 (the same helper bundled twice); line 3 to a.ts 10:1.
    writeFileSync(`${script}.map`, JSON.stringify({ version: 3, sources: ['a.ts'], names: [], mappings: 'AAIE;AAAA;AAKF' }));

    const builder = new ProfileBuilder('cpuprofile', [{ profileType: 'process_cpu:cpu:nanoseconds:cpu:nanoseconds', unit: 'nanoseconds' }]);
    const helperA = builder.frame(frame('helper', script, 1, 1));
    const helperB = builder.frame(frame('helper', script, 2, 1));
    const main = builder.frame(frame('main', script, 3, 1));
    const native = builder.frame({ name: 'memcpy', file: '', line: 0, column: 0, module: 'libc.so.6', address: 0x1234 });
    const stackA = builder.stack([helperA, main]);
    const stackB = builder.stack([helperB, main]);
    const stackNative = builder.stack([native, helperB, main]);
    builder.sample(stackA, [10], 1000);
    builder.sample(stackB, [20], 1001);
    builder.sample(stackNative, [30], 1002);
    builder.sample(stackA, [40], 1003);
    const profile = builder.build({ durationNs: 100 });
    const before = structuredClone({ frames: profile.frames, stacks: profile.stacks, sampleStacks: profile.sampleStacks });

    const mapped = await applySourceMaps(profile, new SourceMapResolver({ log: () => {} }));

    assert.equal(mapped.frames.length, 3);
    assert.deepEqual(mapped.sourceMaps, { mapped: 3, unmapped: 1, missingMaps: [], framesBefore: 4, framesAfter: 3 });
    const [helper, mainFrame, nativeFrame] = mapped.frames;
    // The first generated position stands for the merged frame.
    assert.deepEqual(helper, { name: 'helper', file: join(dir, 'a.ts'), line: 5, column: 3, module: `${script}:1:1`, address: 0 });
    assert.deepEqual(mainFrame, { name: 'main', file: join(dir, 'a.ts'), line: 10, column: 1, module: `${script}:3:1`, address: 0 });
    // A frame without a map keeps its module and everything else.
    assert.deepEqual(nativeFrame, profile.frames[native]);
    // [helperA, main] and [helperB, main] became one stack.
    assert.deepEqual(mapped.stacks, [
      [0, 1],
      [2, 0, 1],
    ]);
    assert.deepEqual(mapped.sampleStacks, [0, 0, 1, 0]);
    // Values, times and labels are the profile's own; the input is untouched.
    assert.equal(mapped.sampleValues, profile.sampleValues);
    assert.equal(mapped.sampleTimes, profile.sampleTimes);
    assert.deepEqual({ frames: profile.frames, stacks: profile.stacks, sampleStacks: profile.sampleStacks }, before);
  });

  it('never merges a mapped frame with an unmapped one, nor frames with different original names', async () => {
    const mappedScript = join(dir, 'm.js');
    writeFileSync(mappedScript, 'a();\nb();\n');
    writeFileSync(`${mappedScript}.map`, JSON.stringify({ version: 3, sources: ['x.ts'], names: [], mappings: 'AAAA;AAAA' }));
    const builder = new ProfileBuilder('cpuprofile', [{ profileType: 'cpu', unit: 'nanoseconds' }]);
    const a = builder.frame(frame('a', mappedScript, 1, 1));
    const b = builder.frame(frame('b', mappedScript, 2, 1));
    const unmappedFile = join(dir, 'x.ts');
    const u = builder.frame(frame('a', unmappedFile, 1, 1));
    builder.sample(builder.stack([a, b, u]), [1]);
    const mapped = await applySourceMaps(builder.build({}), new SourceMapResolver({ log: () => {} }));
    assert.equal(mapped.frames.length, 3);
    assert.equal(mapped.sourceMaps.mapped, 2);
    assert.deepEqual(
      mapped.frames.map(f => [f.name, f.file, f.line, f.module !== '']),
      [
        ['a', unmappedFile, 1, true],
        ['b', unmappedFile, 1, true],
        ['a', unmappedFile, 1, false],
      ],
    );
  });
});
