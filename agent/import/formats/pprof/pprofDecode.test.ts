import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';
import { corpusDir } from '../../../../test/support/corpus';
import { decodePprof } from './pprofDecode';

/** pprof-format's numbers: bigint above 2^32 and unsigned two's complement for negative int64s. */
function signed(v: number | bigint): number {
  return typeof v === 'number' ? v : Number(BigInt.asIntN(64, v));
}

function unsigned(v: number | bigint): number | bigint {
  if (typeof v === 'number') return v;
  const u = BigInt.asUintN(64, v);
  return u <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(u) : u;
}

/** Where each of a list of runs starts in their concatenation, and where the last one ends. */
function starts(lengths: number[]): number[] {
  const out = [0];
  for (const length of lengths) out.push(out[out.length - 1]! + length);
  return out;
}

/** The fields the importer reads, from pprof-format's decoder, in our decoder's shape. */
function reference(bytes: Uint8Array): unknown {
  const p = Profile.decode(bytes);
  const vt = (t: { type: number | bigint; unit: number | bigint }) => ({ type: signed(t.type), unit: signed(t.unit) });
  return {
    sampleType: p.sampleType.map(vt),
    samples: {
      count: p.sample.length,
      locationStart: starts(p.sample.map(s => s.locationId.length)),
      locationIds: p.sample.flatMap(s => s.locationId.map(signed)),
      valueStart: starts(p.sample.map(s => s.value.length)),
      values: p.sample.flatMap(s => s.value.map(signed)),
      labelStart: starts(p.sample.map(s => s.label.length)),
      labels: p.sample.flatMap(s => s.label.map(l => ({ key: signed(l.key), str: signed(l.str), num: signed(l.num), numUnit: signed(l.numUnit) }))),
    },
    mapping: p.mapping.map(m => ({ id: signed(m.id), filename: signed(m.filename) })),
    location: p.location.map(l => ({
      id: signed(l.id),
      mappingId: signed(l.mappingId),
      address: unsigned(l.address),
      line: l.line.map(x => ({ functionId: signed(x.functionId), line: signed(x.line), column: signed((x as { column?: number | bigint }).column ?? 0) })),
    })),
    function: p.function.map(f => ({ id: signed(f.id), name: signed(f.name), systemName: signed(f.systemName), filename: signed(f.filename), startLine: signed(f.startLine) })),
    stringTable: { strings: [...p.stringTable.strings] },
    timeNanos: signed(p.timeNanos),
    durationNanos: signed(p.durationNanos),
    periodType: p.periodType ? vt(p.periodType) : undefined,
    period: signed(p.period),
  };
}

/** Our decoder must read every corpus pprof file exactly as pprof-format (the well-kept library) does. */
describe('the pprof decoder', () => {
  const corpus = corpusDir();
  const files = [
    ...readdirSync(join(corpus, 'pprof')).map(f => join(corpus, 'pprof', f)),
    ...readdirSync(join(corpus, 'generated')).filter(f => f.endsWith('.pb.gz')).map(f => join(corpus, 'generated', f)),
  ];
  for (const file of files) {
    it(`reads ${file.slice(corpus.length + 1)} as pprof-format does`, () => {
      const raw = readFileSync(file);
      const bytes = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
      assert.deepEqual(decodePprof(bytes), reference(bytes));
    });
  }

  it('reads negative int64s, huge unsigned addresses and packed and unpacked repeated fields', () => {
    // A hand-written message: sample { location_id: 1 (unpacked), 2 (unpacked); value: packed [-5, 3] },
    // location { id 1, address 2^64 - 1 }.
    const varint = (n: bigint): number[] => {
      const out: number[] = [];
      let v = BigInt.asUintN(64, n);
      do {
        const byte = Number(v & 0x7fn);
        v >>= 7n;
        out.push(v > 0n ? byte | 0x80 : byte);
      } while (v > 0n);
      return out;
    };
    const field = (n: number, wire: number): number[] => varint(BigInt(n * 8 + wire));
    const len = (bytes: number[]): number[] => [...varint(BigInt(bytes.length)), ...bytes];
    const packed = [...varint(-5n), ...varint(3n)];
    const sample = [...field(1, 0), ...varint(1n), ...field(1, 0), ...varint(2n), ...field(2, 2), ...len(packed)];
    const location = [...field(1, 0), ...varint(1n), ...field(3, 0), ...varint(2n ** 64n - 1n)];
    const bytes = Uint8Array.from([...field(2, 2), ...len(sample), ...field(4, 2), ...len(location), ...field(6, 2), ...len([])]);
    const decoded = decodePprof(bytes);
    assert.deepEqual(decoded.samples, { count: 1, locationStart: [0, 2], locationIds: [1, 2], valueStart: [0, 2], values: [-5, 3], labelStart: [0, 0], labels: [] });
    assert.equal(decoded.location[0]!.address, 2n ** 64n - 1n);
    assert.deepEqual(decoded.stringTable.strings, ['']);
  });

  it('refuses a field that runs past the end of its message', () => {
    assert.throws(() => decodePprof(Uint8Array.from([0x12, 0x10, 0x08])), /claims 16 bytes/);
    assert.throws(() => decodePprof(Uint8Array.from([0x48, 0xff, 0xff])), /runs past the end/);
  });
});
