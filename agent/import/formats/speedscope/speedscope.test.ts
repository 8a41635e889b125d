import * as assert from 'node:assert/strict';
import { ProfileImportError } from '../../importedProfile';
import { looksLikeSpeedscope, parseSpeedscope } from './speedscope';

const SCHEMA = 'https://www.speedscope.app/file-format-schema.json';

function file(profiles: unknown[], frames: unknown[] = [{ name: 'a' }, { name: 'b', file: 'src/b.ts', line: 3, col: 7 }, { name: 'c' }]): string {
  return JSON.stringify({ $schema: SCHEMA, shared: { frames }, profiles });
}

describe('speedscope importer', () => {
  it('computes self time per stack from evented profiles, in nanoseconds with times', () => {
    // a opens at 0, b at 1, c from 2 to 4, b closes at 7, a at 10: a self 1+3, b 1+3, c 2.
    const events = [
      { type: 'O', at: 0, frame: 0 },
      { type: 'O', at: 1, frame: 1 },
      { type: 'O', at: 2, frame: 2 },
      { type: 'C', at: 4, frame: 2 },
      { type: 'C', at: 7, frame: 1 },
      { type: 'C', at: 10, frame: 0 },
    ];
    const [profile] = parseSpeedscope(file([{ type: 'evented', name: 'main', unit: 'milliseconds', startValue: 0, endValue: 10, events }]), 'e.json');
    assert.equal(profile!.valueTypes[0]!.profileType, 'process_cpu:cpu:nanoseconds:cpu:nanoseconds');
    const stacks = profile!.sampleStacks.map(s => Array.from(profile!.stacks[s]!, f => profile!.frames[f]!.name).reverse().join(';'));
    assert.deepEqual(stacks, ['a', 'a;b', 'a;b;c', 'a;b', 'a']);
    assert.deepEqual(profile!.sampleValues[0], [1e6, 1e6, 2e6, 3e6, 3e6]);
    assert.deepEqual(profile!.sampleTimes, [0, 1, 2, 4, 7]);
    assert.equal(profile!.durationNs, 10e6);
    const b = profile!.frames.find(f => f.name === 'b')!;
    assert.deepEqual([b.file, b.line, b.column], ['src/b.ts', 3, 7]);
  });

  it('closes frames left open at endValue and says so', () => {
    const notes: string[] = [];
    const [profile] = parseSpeedscope(
      file([{ type: 'evented', name: 'x', unit: 'none', startValue: 0, endValue: 5, events: [{ type: 'O', at: 1, frame: 0 }] }]),
      'open.json',
      { notes },
    );
    assert.deepEqual(profile!.sampleValues[0], [4]);
    assert.equal(profile!.sampleTimes, undefined, 'unit none has no times');
    assert.match(notes[0]!, /1 frames of profile 0 \("x"\) were still open/);
  });

  it('gives each unit its value type and labels samples with their profile name', () => {
    const profiles = parseSpeedscope(
      file([
        { type: 'sampled', name: 'heap', unit: 'bytes', startValue: 0, endValue: 10, samples: [[0, 1], [0]], weights: [64, 32] },
        { type: 'sampled', name: 'count', unit: 'none', startValue: 0, endValue: 2, samples: [[0, 2]], weights: [2] },
        { type: 'sampled', name: 'more heap', unit: 'bytes', startValue: 0, endValue: 1, samples: [[2]], weights: [8] },
        { type: 'sampled', name: 'time', unit: 'microseconds', startValue: 0, endValue: 5, samples: [[1]], weights: [5] },
      ]),
      'units.json',
    );
    assert.deepEqual(profiles.map(p => p.valueTypes[0]!.profileType), ['memory:space:bytes:space:bytes', 'profile:samples:count:samples:count', 'process_cpu:cpu:nanoseconds:cpu:nanoseconds']);
    assert.deepEqual(profiles[0]!.sampleValues[0], [64, 32, 8]);
    assert.deepEqual(profiles[0]!.sampleLabels['thread'], ['heap', 'heap', 'more heap']);
    assert.deepEqual(profiles[2]!.sampleValues[0], [5000]);
    // Root first in the file, leaf first imported.
    assert.deepEqual(Array.from(profiles[0]!.stacks[profiles[0]!.sampleStacks[0]!]!, f => profiles[0]!.frames[f]!.name), ['b', 'a']);
  });

  it('refuses files that break the schema, saying where', () => {
    const fails = (text: string, pattern: RegExp): void =>
      assert.throws(() => parseSpeedscope(text, 'bad.json'), (error: unknown) => error instanceof ProfileImportError && pattern.test(error.message));
    fails(file([{ type: 'sampled', name: 'p', unit: 'none', samples: [[0, 9]], weights: [1] }]), /sample 0 of profile 0 \("p"\) names frame 9, which "shared.frames" does not have/);
    fails(file([{ type: 'sampled', name: 'p', unit: 'none', samples: [[0]], weights: [1, 2] }]), /has 2 weights for 1 samples/);
    fails(file([{ type: 'sampled', name: 'p', unit: 'furlongs', samples: [], weights: [] }]), /unit "furlongs", which is not one of speedscope's/);
    fails(file([{ type: 'stacked', name: 'p', unit: 'none' }]), /type "stacked"; speedscope's types are "sampled" and "evented"/);
    fails(
      file([{ type: 'evented', name: 'p', unit: 'none', startValue: 0, endValue: 3, events: [{ type: 'O', at: 0, frame: 0 }, { type: 'O', at: 1, frame: 1 }, { type: 'C', at: 2, frame: 0 }] }]),
      /event 2 of profile 0 \("p"\) closes frame 0, but the innermost open frame is 1/,
    );
    fails(file([{ type: 'evented', name: 'p', unit: 'none', events: [{ type: 'C', at: 0, frame: 0 }] }]), /closes frame 0, but no frame is open/);
    fails(file([]), /it has no profiles/);
    fails(JSON.stringify({ $schema: SCHEMA, shared: { frames: [{}] }, profiles: [{ type: 'sampled', unit: 'none', samples: [], weights: [] }] }), /frame 0 of "shared.frames" has no name/);
    fails(JSON.stringify({ profiles: [] }), /its "\$schema" is not/);
    fails('{"$schema": ', /not valid JSON.*The file looks truncated/);
  });

  it('refuses nesting deeper than its limit without hanging', () => {
    const events = Array.from({ length: 5000 }, (_, i) => ({ type: 'O', at: i, frame: 0 }));
    assert.throws(() => parseSpeedscope(file([{ type: 'evented', name: 'deep', unit: 'none', startValue: 0, endValue: 1, events }]), 'deep.json'), /nests frames deeper than 4096/);
  });

  it('sniffs its schema', () => {
    assert.ok(looksLikeSpeedscope(`{"exporter": "speedscope@1", "$schema": "${SCHEMA}"`));
    assert.ok(looksLikeSpeedscope({ $schema: SCHEMA }));
    assert.ok(!looksLikeSpeedscope({ traceEvents: [] }));
    assert.ok(!looksLikeSpeedscope('[{"ph": "X"}]'));
  });
});
