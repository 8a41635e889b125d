import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertGolden } from '../../../../test/support/golden';
import { summariseProfile } from '../../../../test/support/profileSummary';
import { ProtobufWriter } from '../../../export/protobufWriter';
import { parseProfileBytes } from '../../detectFormat';
import { ProfileImportError, type ImportedProfile } from '../../importedProfile';
import { isPprof } from '../pprof/pprof';
import { isOtlpProfiles, parseOtlp } from './otlp';

const TESTDATA = join(__dirname, '..', 'testdata', 'otlp');

/**
 * The golden: testdata/otlp/spans.otlp.json, written by hand in OTLP/JSON, and spans.otlp.pb, the same data encoded by
 * protobufjs from the pinned .proto files (generate.cjs), not by Icicle's writer. Checked by hand against the JSON:
 * the CPU profile's samples are 30+20 ms on trace 4bf9… (stack burn←handle←main, one location of two lines: burn
 * inlined into handle, then main), 10 ms on trace 0af7… (a libc address on top), 40 ms without a link (main alone):
 * 100 ms in all at 100, 200, 300 and 400 ms after 2026-01-01T00:00:00Z (1767225600000 ms); the second profile's
 * samples have no timestamps (at its own time, 2 s later) and the second's two values add up (1024 + 512).
 * Resource, scope and profile attributes are the profiles' labels; `allocation.size` carries its unit.
 */
function summary(profiles: ImportedProfile[]): string {
  return `${JSON.stringify(
    profiles.map(p => ({ ...summariseProfile(p), labels: p.labels, startMs: p.startMs, durationNs: p.durationNs, periodNs: p.periodNs, clock: p.clock ?? 'relative' })),
    null,
    2,
  )}\n`;
}

function importError(bytes: Uint8Array): string {
  try {
    parseOtlp(bytes, 'bad.otlp');
  } catch (error) {
    assert.ok(error instanceof ProfileImportError, `not a ProfileImportError: ${String(error)}`);
    return error.message;
  }
  return assert.fail('the file was read');
}

/** A small valid ProfilesData, with parts replaced by the test's: `sample` writes the one Sample's fields. */
function profilesData(options: { sample?: (w: ProtobufWriter) => void; strings?: string[]; attribute?: (w: ProtobufWriter) => void } = {}): Uint8Array {
  const w = new ProtobufWriter();
  w.message(1, r =>
    r.message(2, s =>
      s.message(2, p => {
        p.message(1, v => (v.varint(1, 1), v.varint(2, 2)));
        p.message(2, options.sample ?? (m => (m.varint(1, 1), m.packedVarints(4, [5]))), true);
      }),
    ),
  );
  w.message(2, d => {
    d.message(1, () => undefined, true);
    d.message(2, () => undefined, true);
    d.message(2, l => l.message(3, line => line.varint(1, 1)), true);
    d.message(3, () => undefined, true);
    d.message(3, f => (f.varint(1, 3), f.varint(3, 4)), true);
    for (const s of options.strings ?? ['', 'cpu', 'nanoseconds', 'main', 'main.go', 'key']) d.repeatedString(5, s);
    d.message(6, () => undefined, true);
    d.message(6, options.attribute ?? (a => (a.varint(1, 5), a.message(2, v => v.string(1, 'value')))), true);
    d.message(7, () => undefined, true);
    d.message(7, s => s.packedVarints(1, [1]), true);
    d.message(4, l => (l.bytes(1, new Uint8Array(16)), l.bytes(2, new Uint8Array(8))), true);
  });
  return w.finish();
}

describe('OpenTelemetry profiles (OTLP) import', () => {
  const pb = readFileSync(join(TESTDATA, 'spans.otlp.pb'));
  const json = readFileSync(join(TESTDATA, 'spans.otlp.json'));

  it('reads the protobufjs-encoded golden as the hand-checked summary, links as trace_id and span_id', () => {
    const parsed = parseProfileBytes(pb, 'spans.otlp.pb', { startMs: 0 });
    assert.equal(parsed.format, 'otlp');
    assertGolden(join(TESTDATA, 'spans.otlp.golden'), summary(parsed.profiles));
  });

  it('reads the OTLP/JSON encoding of the same data identically', () => {
    const fromJson = parseProfileBytes(json, 'spans.otlp.json', { startMs: 0 });
    assert.equal(fromJson.format, 'otlp');
    assert.equal(summary(fromJson.profiles), summary(parseProfileBytes(pb, 'spans.otlp.pb', { startMs: 0 }).profiles));
  });

  it('is told from pprof by content: pprof sniffs accept it, so OTLP is asked first and refuses pprof', () => {
    assert.ok(isOtlpProfiles(pb));
    assert.ok(isPprof(pb), 'pprof would claim the OTLP file: why detection asks OTLP first');
    assert.ok(!isOtlpProfiles(Buffer.from('not protobuf at all')));
  });

  it('a valid small file (the base of the damage cases below) reads', () => {
    const [profile] = parseOtlp(profilesData(), 'ok.otlp');
    assert.equal(profile!.sampleValues[0]![0], 5);
    assert.equal(profile!.frames[0]!.name, 'main');
    assert.deepEqual(Object.keys(profile!.sampleLabels), []);
  });

  const cases: { name: string; bytes: () => Uint8Array; message: RegExp }[] = [
    { name: 'truncated', bytes: () => pb.subarray(0, 300), message: /damaged or not of the development version .*v1\.11\.0.*claims \d+ bytes but its message has \d+ left \(is the file truncated\?\)/ },
    { name: 'a string table entry of the wrong wire type', bytes: () => Buffer.concat([profilesData(), Buffer.from([0x12, 0x02, 0x28, 0x01])]), message: /two dictionaries/ },
    {
      name: 'a sample field of the wrong wire type',
      bytes: () => profilesData({ sample: m => m.string(1, 'x') }),
      message: /a sample's stack with wire type 2 instead of a number/,
    },
    { name: 'a stack index out of range', bytes: () => profilesData({ sample: m => (m.varint(1, 7), m.packedVarints(4, [1])) }), message: /sample 0 refers to entry 7 of the stack table, which has 2/ },
    { name: 'a negative link index', bytes: () => profilesData({ sample: m => (m.varint(1, 1), m.varint(3, -1), m.packedVarints(4, [1])) }), message: /sample 0 refers to entry -1 of the link table/ },
    { name: 'an attribute index of 2^31', bytes: () => profilesData({ sample: m => (m.varint(1, 1), m.packedVarints(2, [2 ** 31]), m.packedVarints(4, [1])) }), message: /entry 2147483648 of the attribute table/ },
    { name: 'a huge value', bytes: () => profilesData({ sample: m => (m.varint(1, 1), m.packedVarints(4, [2n ** 60n])) }), message: /value 1152921504606847000, beyond what Icicle stores exactly/ },
    {
      name: 'values that do not match the timestamps',
      bytes: () => profilesData({ sample: m => (m.varint(1, 1), m.packedVarints(4, [1, 2, 3]), m.packedFixed64(5, [1n, 2n])) }),
      message: /sample 0 has 3 values for 2 timestamps/,
    },
    { name: 'a length of 2^40', bytes: () => Buffer.from([0x0a, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20]), message: /claims 1099511627776 bytes/ },
    {
      name: 'an attribute value nested 40 deep',
      bytes: () => {
        const nest = (w: ProtobufWriter, depth: number): void => (depth === 0 ? w.string(1, 'x') : w.message(5, a => a.message(1, v => nest(v, depth - 1), true), true));
        return profilesData({ sample: m => (m.varint(1, 1), m.packedVarints(2, [1]), m.packedVarints(4, [1])), attribute: a => (a.varint(1, 5), a.message(2, v => nest(v, 40))) });
      },
      message: /nests more than 16 deep/,
    },
    { name: 'a string table not starting with ""', bytes: () => profilesData({ strings: ['x', 'cpu', 'nanoseconds', 'main', 'main.go', 'key'] }), message: /string table does not start with the empty string/ },
    { name: 'no profiles', bytes: () => new ProtobufWriter().finish(), message: /holds no profiles/ },
  ];
  for (const c of cases) {
    it(`refuses ${c.name} with a sentence`, () => {
      const message = importError(c.bytes());
      assert.match(message, c.message);
      assert.doesNotMatch(message, /\n\s+at /, 'no stack trace');
    });
  }

  it('keeps hostile strings as data: control characters and invalid UTF-8 in names, a `__` key made a plain label', () => {
    const [profile] = parseOtlp(
      profilesData({
        strings: ['', 'cpu', 'nanoseconds', '\u001b[31mred\u0007', 'main.go', '__secret'],
        sample: m => (m.varint(1, 1), m.packedVarints(2, [1]), m.packedVarints(4, [1])),
        attribute: a => (a.varint(1, 5), a.message(2, v => v.bytes(1, Buffer.from([0x66, 0xff, 0xfe])))),
      }),
      'hostile.otlp',
    );
    assert.equal(profile!.frames[0]!.name, '\u001b[31mred\u0007');
    assert.deepEqual(profile!.sampleLabels, { _secret: ['f\ufffd\ufffd'] });
  });

  it('parses or refuses every prefix of the golden, and it with every byte flipped, with a ProfileImportError', () => {
    for (let end = 0; end < pb.length; end++) {
      try {
        parseOtlp(pb.subarray(0, end), 'prefix');
      } catch (error) {
        assert.ok(error instanceof ProfileImportError, `prefix ${end}: ${String(error)}`);
      }
    }
    for (let i = 0; i < pb.length; i++) {
      for (const mask of [0x80, 0x07, 0xff]) {
        const damaged = Buffer.from(pb);
        damaged[i] = damaged[i]! ^ mask;
        try {
          parseOtlp(damaged, 'flipped');
        } catch (error) {
          assert.ok(error instanceof ProfileImportError, `byte ${i} ^ ${mask}: ${String(error)}`);
        }
      }
    }
  });

  it('refuses OTLP/JSON of the wrong shapes with a sentence', () => {
    const refuse = (text: string, message: RegExp): void => {
      assert.throws(() => parseProfileBytes(Buffer.from(text), 'bad.json', { startMs: 0 }), (error: unknown) => error instanceof ProfileImportError && message.test(error.message));
    };
    refuse('{"resourceProfiles": [{"scopeProfiles": [{"profiles": [{"samples": [{"values": ["x"]}]}]}]}], "dictionary": {"stringTable": [""]}}', /not OTLP profiles data .*values is not an integer/);
    refuse('{"resourceProfiles": [], "dictionary": {"stringTable": [""], "linkTable": [{"traceId": "zz"}]}}', /link 0's trace id is not a hex string/);
    refuse('{"resourceProfiles": "x", "dictionary": {"stringTable": [""]}}', /resourceProfiles is not a list/);
  });
});
