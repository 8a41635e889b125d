import * as assert from 'node:assert/strict';
import type { ImportedProfile } from '../../importedProfile';
import { ProfileImportError } from '../../importedProfile';
import { looksLikePerfScript, parsePerfScript } from './perfScript';

function stack(profile: ImportedProfile, sample: number): string[] {
  return Array.from(profile.stacks[profile.sampleStacks[sample]!]!, f => {
    const frame = profile.frames[f]!;
    return frame.module === '' ? frame.name : `${frame.name} [${frame.module}]`;
  });
}

const SAMPLES = [
  '# ========',
  '# captured on: today',
  '# ========',
  'web server  1234/1240 [002] 100.000000:    1001001 cpu-clock:ppp: ',
  '\t    7f0000001234 handle(Request const&) (anonymous namespace)+0x1a (/usr/lib/libapp.so (deleted))',
  '\tffffffff81000130 entry_SYSCALL_64_after_hwframe+0x76 ([kernel.kallsyms])',
  '\t    7f00deadbeef [unknown] ([unknown])',
  '',
  'node  4321/4321 [000] 100.002500:    1001001 cpu-clock: ',
  '\t    3a1b2c3d LazyCompile:~render /app/render.js:10 (/tmp/perf-4321.map)',
  '\t    3a1b2e00 JS:*main /app/index.js:3:19 (/tmp/perf-4321.map)',
  '\t    3a1b2f00 JS:^ /app/index.js:1:1 (/tmp/perf-4321.map)',
  '\t    3a1b0000 Builtin:JSEntry ([JIT] tid 4321)',
  '\tffffffffad14d115 [unknown] ([unknown])',
  '\t894812ebc0312874 [unknown] ([kernel.kallsyms])',
  '',
].join('\n');

describe('perf script importer', () => {
  it('reads headers with pid/tid and cpu, kernel, JIT and unknown frames, and labels each sample', () => {
    const [profile] = parsePerfScript(SAMPLES, 'perf.txt');
    assert.ok(profile);
    assert.equal(profile.sampleStacks.length, 2);
    assert.deepEqual(stack(profile, 0), [
      'handle(Request const&) (anonymous namespace) [/usr/lib/libapp.so (deleted)]',
      'entry_SYSCALL_64_after_hwframe [[kernel.kallsyms]]',
      '0x7f00deadbeef',
    ]);
    assert.deepEqual(stack(profile, 1), [
      // V8's perf map names JavaScript functions with their source position, read as such.
      'render [/tmp/perf-4321.map]',
      'main [/tmp/perf-4321.map]',
      '(anonymous) [/tmp/perf-4321.map]',
      'Builtin:JSEntry [[JIT] tid 4321]',
      // Kernel by address although perf did not know the dso; by dso although the address is not kernel space.
      '0xffffffffad14d115 [[kernel.kallsyms]]',
      '0x894812ebc0312874 [[kernel.kallsyms]]',
    ]);
    const unknown = profile.frames.find(f => f.name === '0x7f00deadbeef')!;
    assert.equal(unknown.address, 0x7f00deadbeef, 'an unsymbolised frame keeps its address');
    assert.equal(profile.frames.find(f => f.name === '0xffffffffad14d115')!.address, 0, 'beyond 2^53 the name keeps the address');
    assert.equal(profile.frames.find(f => f.name.startsWith('entry_SYSCALL'))!.address, 0, 'symbolised frames merge across addresses');
    const main = profile.frames.find(f => f.name === 'main')!;
    assert.deepEqual([main.file, main.line, main.column], ['/app/index.js', 3, 19]);
    assert.deepEqual([profile.frames.find(f => f.name === 'render')!.file, profile.frames.find(f => f.name === 'render')!.line], ['/app/render.js', 10]);
    assert.deepEqual(profile.sampleLabels['comm'], ['web server', 'node']);
    assert.deepEqual(profile.sampleLabels['pid'], ['1234', '4321']);
    assert.deepEqual(profile.sampleLabels['tid'], ['1240', '4321']);
    assert.deepEqual(profile.valueTypes.map(t => t.profileType), ['process_cpu:samples:count:cpu:nanoseconds', 'process_cpu:cpu:nanoseconds:cpu:nanoseconds']);
    assert.deepEqual(profile.sampleValues, [[1, 1], [1001001, 1001001]]);
    assert.deepEqual(profile.sampleTimes, [0, 2.5]);
    assert.equal(profile.periodNs, 1001001);
    assert.equal(profile.durationNs, 2_500_000);
  });

  it('reads headers without period, cpu or time, CRLF line ends, and frames on the header line', () => {
    const text = [
      'app 77 5.5: cycles:u: ',
      '\t 1000 main+0x10 (/bin/app)',
      '',
      'app 77 [001] 5.75: instructions: ',
      '\t 1000 main (/bin/app)',
      '',
      'app 77/78 12345 cycles:  401000 inline_leaf+0x4 (/bin/app)',
      '',
    ].join('\r\n');
    const [profile] = parsePerfScript(text, 'variants.txt');
    assert.equal(profile!.sampleStacks.length, 3);
    assert.deepEqual(stack(profile!, 2), ['inline_leaf [/bin/app]']);
    assert.deepEqual(profile!.sampleLabels['event'], ['cycles', 'instructions', 'cycles'], 'mixed events are labelled');
    assert.deepEqual(profile!.sampleLabels['tid'], ['77', '77', '78']);
    assert.deepEqual(profile!.sampleLabels['pid'], [null, null, '77']);
    // Not every sample has a period, and the events differ: only counts.
    assert.deepEqual(profile!.valueTypes.map(t => t.profileType), ['process_cpu:samples:count:cpu:nanoseconds']);
    assert.deepEqual(profile!.sampleTimes, [0, 250, 0], 'a sample without a time sits at the start');
  });

  it('gives a non-clock event with periods its own count type', () => {
    const [profile] = parsePerfScript('a 1/1 1.0: 500 cycles:ppp:\n\t 10 f (/bin/a)\n\na 1/1 1.1: 700 cycles:ppp:\n\t 10 f (/bin/a)\n', 'cycles.txt');
    assert.deepEqual(profile!.valueTypes.map(t => t.profileType), ['process_cpu:samples:count:cpu:nanoseconds', 'perf_event:cycles:count:cycles:count']);
    assert.deepEqual(profile!.sampleValues[1], [500, 700]);
    assert.equal(profile!.periodNs, 0);
  });

  it('skips lines it cannot read and counts them (not perf\'s srcline lines); refuses text with no sample, naming the line', () => {
    const notes: string[] = [];
    const text = 'a 1 1.0: 1 cpu-clock:\n\t 10 f (/bin/a)\n  /src/a.c:12\n\t ffffffff81c7ee24 g ([kernel.kallsyms])\n  [kernel.kallsyms][ffffffff81c7ee24]\n\t  not a frame\n';
    const [profile] = parsePerfScript(text, 'srcline.txt', { notes });
    assert.equal(profile!.sampleStacks.length, 1);
    assert.deepEqual(notes, ['1 lines did not read as sample headers or frames and were skipped (the first is line 6).']);
    assert.throws(
      () => parsePerfScript('# header only\n\nhello world\n\tnot a frame\n', 'x.txt'),
      (error: unknown) => error instanceof ProfileImportError && /no sample could be read: line 3 is not a sample header/.test(error.message),
    );
    assert.throws(() => parsePerfScript('# header only\n', 'x.txt'), /it has no lines other than comments/);
  });

  it('parses a large file in one pass', () => {
    const sample = 'xz 30000   996.257774:    1001001 cpu-clock:ppp: \n\tffffffff821ecc26 do_syscall_64+0x46 ([kernel.kallsyms])\n\t 20a07 __close+0x7 (/usr/lib/ld.so)\n\t 7fcf094038a8 [unknown] ([unknown])\n\n';
    const text = sample.repeat(100_000);
    const started = performance.now();
    const [profile] = parsePerfScript(text, 'big.txt');
    assert.equal(profile!.sampleStacks.length, 100_000);
    assert.equal(profile!.stacks.length, 1);
    assert.ok(performance.now() - started < 5000);
  });

  it('sniffs perf script output, not other text', () => {
    assert.ok(looksLikePerfScript(SAMPLES));
    assert.ok(looksLikePerfScript('xz 30000   996.257774:    1001001 cpu-clock:ppp: \n\tffffffff821ecc26 do_syscall_64+0x46 ([kernel.kallsyms])\n'));
    assert.ok(!looksLikePerfScript('a;b;c 12\n'));
    assert.ok(!looksLikePerfScript('{"traceEvents": []}'));
    assert.ok(!looksLikePerfScript('hello world\n'));
  });
});
