import * as assert from 'node:assert/strict';
import type { ImportedProfile } from '../../importedProfile';
import { ProfileImportError } from '../../importedProfile';
import { looksLikeChromeTrace, parseChromeTrace } from './chromeTrace';
import { classifyStoredFrame } from '../../../frameKind';
import type { ImportedFrame } from '../../importedProfile';

/** How the store will colour a frame once stored (frameKind.ts classifies stored frames of every format). */
function kindOf(frame: ImportedFrame): string {
  return classifyStoredFrame({ functionName: frame.name, file: frame.file, line: frame.line, module: frame.module });
}

/** Self value per leaf frame name, for comparing with sums worked out by hand. */
function selfByName(profile: ImportedProfile, type = 0): Record<string, number> {
  const out: Record<string, number> = {};
  profile.sampleStacks.forEach((stack, i) => {
    const leaf = profile.stacks[stack]![0];
    const name = leaf === undefined ? '(no stack)' : profile.frames[leaf]!.name;
    out[name] = (out[name] ?? 0) + profile.sampleValues[type]![i]!;
  });
  return out;
}

function stackNames(profile: ImportedProfile, sample: number): string {
  return Array.from(profile.stacks[profile.sampleStacks[sample]!]!, f => profile.frames[f]!.name).reverse().join(';');
}

const node = (id: number, name: string, parent?: number, extra: Record<string, unknown> = {}) => ({
  id,
  parent,
  callFrame: { functionName: name, url: extra['url'] ?? '', lineNumber: extra['line'] ?? -1, columnNumber: extra['column'] ?? -1, scriptId: 1 },
});

/** Two threads of one process, each with its own Profile and chunks written by a third (sampler) thread. */
function twoThreadTrace(): unknown[] {
  return [
    { ph: 'M', name: 'thread_name', pid: 1, tid: 10, args: { name: 'Main' } },
    { ph: 'M', name: 'thread_name', pid: 1, tid: 20, args: { name: 'Worker' } },
    { ph: 'M', name: 'process_name', pid: 1, tid: 0, args: { name: 'Renderer' } },
    { ph: 'P', name: 'Profile', pid: 1, tid: 10, id: '0x1', ts: 1000, args: { data: { startTime: 1000 } } },
    { ph: 'P', name: 'Profile', pid: 1, tid: 20, id: '0x2', ts: 1000, args: { data: { startTime: 1500 } } },
    {
      ph: 'P', name: 'ProfileChunk', pid: 1, tid: 99, id: '0x1', ts: 1100,
      args: { data: { cpuProfile: { nodes: [node(1, '(root)'), node(2, 'main', 1, { url: 'file:///app.js', line: 0, column: 4 }), node(3, 'hot', 2, { url: 'file:///app.js', line: 9, column: 0 })], samples: [2, 3] }, timeDeltas: [100, 200] } },
    },
    { ph: 'P', name: 'ProfileChunk', pid: 1, tid: 99, id: '0x1', ts: 1200, args: { data: { cpuProfile: { samples: [3] }, timeDeltas: [300] } } },
    { ph: 'P', name: 'ProfileChunk', pid: 1, tid: 99, id: '0x1', ts: 1300, args: { data: { endTime: 2000 } } },
    {
      ph: 'P', name: 'ProfileChunk', pid: 1, tid: 99, id: '0x2', ts: 1600,
      args: { data: { cpuProfile: { nodes: [node(1, '(root)'), node(2, 'work', 1, { url: 'node:internal/worker', line: 3 })], samples: [2, 2] }, timeDeltas: [50, 70] } },
    },
    // A duration event: ignored, since the trace has samples.
    { ph: 'X', name: 'RunTask', pid: 1, tid: 10, ts: 1000, dur: 500 },
  ];
}

describe('Chrome trace importer', () => {
  it('reads several V8 profiles, one per thread, with pid, tid, thread and process labels', () => {
    const notes: string[] = [];
    const [profile] = parseChromeTrace(JSON.stringify({ traceEvents: twoThreadTrace() }), 't.json', { notes });
    assert.ok(profile);
    assert.equal(profile.valueTypes[0]!.profileType, 'process_cpu:cpu:nanoseconds:cpu:nanoseconds');
    assert.equal(profile.sampleStacks.length, 5);
    // Thread 10: samples at 1100, 1300, 1600 µs; each lasts until the next, the last until endTime 2000.
    // Thread 20: samples at 1550, 1620; the last has no endTime, so it gets the interval before it (70).
    assert.deepEqual(profile.sampleValues[0], [200_000, 300_000, 400_000, 70_000, 70_000]);
    assert.deepEqual(profile.sampleTimes, [0.1, 0.3, 0.6, 0.55, 0.62]);
    assert.deepEqual(profile.sampleLabels['tid'], ['10', '10', '10', '20', '20']);
    assert.deepEqual(profile.sampleLabels['thread'], ['Main', 'Main', 'Main', 'Worker', 'Worker']);
    assert.deepEqual(profile.sampleLabels['process'], ['Renderer', 'Renderer', 'Renderer', 'Renderer', 'Renderer']);
    assert.deepEqual(profile.sampleLabels['pid'], ['1', '1', '1', '1', '1']);
    assert.equal(stackNames(profile, 1), 'main;hot', 'the (root) node is no frame');
    const hot = profile.frames.find(f => f.name === 'hot')!;
    assert.deepEqual([hot.file, hot.line, hot.column], ['file:///app.js', 10, 1], 'V8 positions become 1-based');
    const work = profile.frames.find(f => f.name === 'work')!;
    assert.deepEqual([work.line, work.column], [4, 0], 'an unknown column stays 0');
    assert.equal(kindOf(hot), 'user');
    assert.equal(kindOf(work), 'runtime');
    assert.equal(profile.startMs, 0);
    assert.equal(profile.durationNs, 1_000_000);
    assert.match(notes.join(' '), /1 duration events were left out/);
  });

  it('places relative times at startMs when given one, and reads already-parsed JSON', () => {
    const [profile] = parseChromeTrace({ json: twoThreadTrace() }, 't.json', { startMs: 1_700_000_000_000 });
    assert.equal(profile!.startMs, 1_700_000_000_000);
    assert.equal(profile!.sampleTimes![0], 1_700_000_000_000.1);
  });

  it('reads a whole profile from a CpuProfile event, parents given as children lists', () => {
    const cpuProfile = {
      nodes: [
        { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1, columnNumber: -1 }, children: [2] },
        { id: 2, callFrame: { functionName: '', url: 'https://x/app.js', lineNumber: 4, columnNumber: 2 }, children: [3] },
        { id: 3, callFrame: { functionName: 'leaf', url: 'https://x/node_modules/lib/index.js', lineNumber: 0, columnNumber: 0 } },
      ],
      startTime: 0, endTime: 100, samples: [3, 2], timeDeltas: [10, 40],
    };
    const [profile] = parseChromeTrace(JSON.stringify([{ ph: 'I', name: 'CpuProfile', pid: 5, tid: 6, ts: 0, args: { data: { cpuProfile } } }]), 'c.json');
    assert.deepEqual(profile!.sampleValues[0], [40_000, 50_000]);
    assert.equal(stackNames(profile!, 0), '(anonymous);leaf');
    assert.equal(kindOf(profile!.frames.find(f => f.name === 'leaf')!), 'dependency');
  });

  it('reads Hermes samples and stackFrames, positions from the frame names', () => {
    const trace = {
      traceEvents: [{ ph: 'M', name: 'thread_name', pid: 1, tid: '7', args: { name: 'js' } }],
      samples: [
        { ts: '100', pid: 1, tid: '7', sf: 2, weight: '1' },
        { ts: '130', pid: 1, tid: '7', sf: 3, weight: '1' },
        { ts: '150', pid: 1, tid: '7', sf: 99, weight: '1' },
      ],
      stackFrames: {
        '1': { name: '[root]', category: 'root' },
        '2': { name: 'outer(http://host/b.js?x=1:10:5)', category: 'JavaScript', parent: 1 },
        '3': { name: '[GC Young Gen]', category: 'Metadata', parent: 2 },
      },
    };
    const notes: string[] = [];
    const [profile] = parseChromeTrace(JSON.stringify(trace), 'h.json', { notes });
    assert.equal(profile!.sampleStacks.length, 2);
    assert.deepEqual(profile!.sampleValues[0], [30_000, 20_000]);
    const outer = profile!.frames.find(f => f.name === 'outer')!;
    assert.deepEqual([outer.file, outer.line, outer.column], ['http://host/b.js?x=1', 10, 5]);
    assert.equal(stackNames(profile!, 1), 'outer;[GC Young Gen]');
    assert.deepEqual(profile!.sampleLabels['thread'], ['js', 'js']);
    assert.match(notes.join(' '), /1 samples name stack frames the trace does not define/);
  });

  it('turns duration events into self time per nesting, per thread', () => {
    const events = [
      { ph: 'B', name: 'outer', pid: 1, tid: 1, ts: 0 },
      { ph: 'X', name: 'inner', pid: 1, tid: 1, ts: 2, dur: 3 },
      { ph: 'B', name: 'second', pid: 1, tid: 1, ts: 6 },
      { ph: 'E', pid: 1, tid: 1, ts: 9 },
      { ph: 'E', name: 'outer', pid: 1, tid: 1, ts: 10 },
      { ph: 'E', name: 'stray', pid: 1, tid: 1, ts: 11 },
      // Another thread, given out of order; "late" overlaps its parent's end and is cut there.
      { ph: 'X', name: 'late', pid: 1, tid: 2, ts: 8, dur: 10 },
      { ph: 'X', name: 'parent', pid: 1, tid: 2, ts: 5, dur: 5 },
    ];
    const notes: string[] = [];
    const [profile] = parseChromeTrace(JSON.stringify(events), 'd.json', { notes });
    assert.equal(profile!.valueTypes[0]!.profileType, 'wall:wall:nanoseconds:wall:nanoseconds');
    assert.deepEqual(selfByName(profile!), { outer: 4000, inner: 3000, second: 3000, parent: 3000, late: 2000 });
    const late = profile!.sampleStacks.findIndex((_, i) => stackNames(profile!, i) === 'parent;late');
    assert.ok(late >= 0);
    assert.equal(profile!.sampleLabels['tid']![late], '2');
    assert.match(notes.join(' '), /1 end events \("E"\) matched no open begin event/);
  });

  it('closes begin events that never end at the thread\'s last timestamp', () => {
    const events = [
      { ph: 'B', name: 'open', pid: 1, tid: 1, ts: 0 },
      { ph: 'X', name: 'child', pid: 1, tid: 1, ts: 1, dur: 4 },
    ];
    const notes: string[] = [];
    const [profile] = parseChromeTrace(JSON.stringify(events), 'o.json', { notes });
    assert.deepEqual(selfByName(profile!), { open: 1000, child: 4000 });
    assert.match(notes.join(' '), /1 begin events \("B"\) never ended/);
  });

  it('reads a trace whose array was never closed', () => {
    const text = '[{"ph":"X","name":"a","pid":1,"tid":1,"ts":0,"dur":5},\n{"ph":"X","name":"b","pid":1,"tid":1,"ts":1,"dur":2},\n';
    const [profile] = parseChromeTrace(text, 'partial.json');
    assert.deepEqual(selfByName(profile!), { a: 3000, b: 2000 });
    assert.ok(looksLikeChromeTrace(text));
  });

  it('refuses malformed input with the position and without quoting it', () => {
    const hostile = '[{"ph":"X","name":"<script>alert(1)</script>"},\n {"ph": "X" "oops": 1}]';
    assert.throws(() => parseChromeTrace(hostile, 'bad.json'), (error: unknown) => {
      assert.ok(error instanceof ProfileImportError);
      assert.match(error.message, /^bad\.json is not a readable Chrome trace: it is not valid JSON \(the error is at line 2, column \d+\)\./);
      assert.doesNotMatch(error.message, /script|oops/);
      return true;
    });
    assert.throws(() => parseChromeTrace('{"nodes": []}', 'x.json'), /neither an array of trace events nor an object with a "traceEvents" array/);
    assert.throws(() => parseChromeTrace('[{"ph":"I","name":"mark","ts":1}]', 'x.json'), /holds neither CPU profile samples .* nor duration events/);
    assert.throws(() => parseChromeTrace('[{"ph":"X","name":"zero","ts":1,"dur":0}]', 'x.json'), /nothing to draw/);
  });

  it('refuses nodes whose parents form a cycle, and nesting deeper than its limit, without hanging', () => {
    const cyclic = [
      { ph: 'P', name: 'Profile', pid: 1, tid: 1, id: '1', args: { data: { startTime: 0 } } },
      { ph: 'P', name: 'ProfileChunk', pid: 1, tid: 1, id: '1', ts: 1, args: { data: { cpuProfile: { nodes: [node(1, 'a', 2), node(2, 'b', 1)], samples: [1] }, timeDeltas: [1] } } },
    ];
    assert.throws(() => parseChromeTrace(JSON.stringify(cyclic), 'cycle.json'), /parents form a cycle/);
    const deep = Array.from({ length: 3000 }, (_, i) => ({ ph: 'B', name: `f${i}`, pid: 1, tid: 1, ts: i }));
    assert.throws(() => parseChromeTrace(JSON.stringify(deep), 'deep.json'), /nest more than 2048 deep/);
    const hermesCycle = { traceEvents: [], samples: [{ ts: 1, sf: 1 }], stackFrames: { '1': { name: 'a', parent: 2 }, '2': { name: 'b', parent: 1 } } };
    assert.throws(() => parseChromeTrace(JSON.stringify(hermesCycle), 'hc.json'), /parents form a cycle/);
  });

  it('sniffs traces, not other JSON', () => {
    assert.ok(looksLikeChromeTrace('{"traceEvents": [{"ph": "M"}]}'));
    assert.ok(looksLikeChromeTrace(' [ {"pid": 1, "ph": "B", "ts": 0}'));
    assert.ok(looksLikeChromeTrace({ traceEvents: [] }));
    assert.ok(!looksLikeChromeTrace('{"nodes": [], "startTime": 0}'));
    assert.ok(!looksLikeChromeTrace({ nodes: [] }));
    assert.ok(!looksLikeChromeTrace([1, 2, 3]));
    assert.ok(!looksLikeChromeTrace('a;b 1\n'));
  });
});
