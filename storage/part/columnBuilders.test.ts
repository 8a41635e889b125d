import * as assert from 'node:assert/strict';
import { Dictionary, Int32, Utf8, makeData, vectorFromArray, type Data } from 'apache-arrow';
import { recordBatch, utf8Vector } from './columnBuilders';

function column(values: string[], id: number): Data {
  return makeData({
    type: new Dictionary(new Utf8(), new Int32(), id),
    length: values.length,
    nullCount: 0,
    data: Int32Array.from(values, (_, i) => i),
    dictionary: vectorFromArray(values, new Utf8()),
  });
}

describe('recordBatch', () => {
  it('gives dictionary columns read separately distinct ids, never one an earlier column keeps', () => {
    const b = column(['y'], 0);
    const c = column(['z'], 0);
    // Arrow's next fresh id (its counter is process-wide, and starts at 0 like Parquet reads' ids), held by the
    // first column: renaming the third must skip it.
    const next = new Dictionary(new Utf8(), new Int32()).id + 1;
    const a = column(['x'], next);
    const batch = recordBatch(
      [
        ['labels.a', a],
        ['labels.b', b],
        ['labels.c', c],
      ],
      1,
    );
    const ids = batch.schema.fields.map(f => (f.type as Dictionary).id);
    assert.equal(new Set(ids).size, 3, `ids ${ids.join(', ')}`);
    assert.deepEqual(batch.schema.fields.map(f => batch.getChild(f.name)!.get(0)), ['x', 'y', 'z']);
  });
});

describe('utf8Vector', () => {
  it('reads back every string as Arrow’s own builder writes it, lone surrogates included', () => {
    const strings = ['', 'a', 'b1', 'é', '漢字', '🔥 fire', 'x'.repeat(1000), '\uD800', '\uDC00', 'end\uD83D', '\uDE00start', 'null\u0000byte'];
    const ours = utf8Vector(strings);
    const arrows = vectorFromArray(strings, new Utf8());
    assert.equal(ours.length, strings.length);
    assert.deepEqual(Array.from({ length: strings.length }, (_, i) => ours.get(i)), Array.from({ length: strings.length }, (_, i) => arrows.get(i)));
  });

  it('holds an empty dictionary', () => {
    assert.equal(utf8Vector([]).length, 0);
  });
});
