import { Field, Int32, Int64, List, Utf8, makeData, vectorFromArray, type Data, type Table } from 'apache-arrow';
import type { DatasetIds } from './datasetIds';
import { tableOf } from './sampleTable';

/** The frames table's rows for the given store frame ids (docs/design/parquet-dataset.md). */
export function framesTable(frameIds: readonly number[], ids: DatasetIds): Table {
  const frames = frameIds.map(id => ids.row(id));
  const n = frames.length;
  const int32 = (pick: (f: (typeof frames)[number]) => number): Data => makeData({ type: new Int32(), length: n, nullCount: 0, data: Int32Array.from(frames, pick) });
  const utf8 = (pick: (f: (typeof frames)[number]) => string): Data => vectorFromArray(frames.map(pick), new Utf8()).data[0]!;
  return tableOf(
    [
      [new Field('frame_id', new Int64(), false), makeData({ type: new Int64(), length: n, nullCount: 0, data: BigInt64Array.from(frameIds, id => ids.frame(id)) })],
      [new Field('function_name', new Utf8(), false), utf8(f => f.functionName)],
      [new Field('file', new Utf8(), false), utf8(f => f.file)],
      [new Field('line', new Int32(), false), int32(f => f.line)],
      [new Field('column', new Int32(), false), int32(f => f.column)],
      [new Field('module', new Utf8(), false), utf8(f => f.module)],
      [new Field('address', new Int64(), false), makeData({ type: new Int64(), length: n, nullCount: 0, data: BigInt64Array.from(frames, f => BigInt(f.address)) })],
      [new Field('function_line', new Int32(), false), int32(f => f.functionLine)],
      [new Field('function_column', new Int32(), false), int32(f => f.functionColumn)],
    ],
    n,
  );
}

/** The stacks table's rows for the given store stack ids: each stack's dataset id and its frames' ids, leaf first. */
export function stacksTable(stackIds: readonly number[], ids: DatasetIds): Table {
  const n = stackIds.length;
  const offsets = new Int32Array(n + 1);
  const frameIds: bigint[] = [];
  stackIds.forEach((stack, s) => {
    for (const frame of Array.from(ids.stackFrames(stack))) frameIds.push(ids.frame(frame));
    offsets[s + 1] = frameIds.length;
  });
  const item = new Field('element', new Int64(), false);
  const child = makeData({ type: new Int64(), length: frameIds.length, nullCount: 0, data: BigInt64Array.from(frameIds) });
  return tableOf(
    [
      [new Field('stack_id', new Int64(), false), makeData({ type: new Int64(), length: n, nullCount: 0, data: BigInt64Array.from(stackIds, id => ids.stack(id)) })],
      [new Field('frame_ids', new List(item), false), makeData({ type: new List(item), length: n, nullCount: 0, valueOffsets: offsets, child })],
    ],
    n,
  );
}
