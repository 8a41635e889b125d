import * as assert from 'node:assert/strict';
import { Table, tableToIPC, type RecordBatch } from 'apache-arrow';
import * as parquet from 'parquet-wasm';
import { random } from '../../test/support/random';
import { ActivePart } from '../part/activePart';
import { labelColumn } from '../schema';
import { encodeWrite } from '../write/sampleWrite';
import { decodeBlock, encodeBlock, ipcStream } from './blockCodec';
import { mergeAndSortRows } from './blockRows';
import { ScratchBuffers } from './scratchBuffers';

function labelsOf(batches: RecordBatch[], key: string): unknown[] {
  return batches.flatMap(batch => Array.from({ length: batch.numRows }, (_, i) => batch.getChild(labelColumn(key))!.get(i) as unknown));
}

/** The encodings Parquet used for each column of the block's first row group, by column name. */
async function encodingsOf(bytes: Uint8Array): Promise<Map<string, parquet.Encoding[]>> {
  const file = await parquet.ParquetFile.fromFile(new Blob([bytes]));
  try {
    const group = file.metadata().rowGroup(0);
    const encodings = new Map<string, parquet.Encoding[]>();
    for (let i = 0; i < group.numColumns(); i++) encodings.set(group.column(i).columnPath().join('.'), group.column(i).encodings());
    return encodings;
  } finally {
    file.free();
  }
}

describe('a block of a label with a value per request', () => {
  it('writes that label plain, the few-valued ones as dictionaries, and reads every row back as it was', async () => {
    const next = random(21);
    const n = 100_000;
    // 50,000 trace ids of 32 hex digits: 1.6 MB of distinct values, past the writer's 1 MB dictionary page.
    const traceIds = Array.from({ length: n / 2 }, () => Math.floor(next() * 2 ** 48).toString(16).padStart(16, '0').repeat(2));
    const part = new ActivePart();
    const write = {
      profileType: 'cpu:samples:count:cpu:nanoseconds',
      timestamps: Array.from({ length: n }, (_, i) => 1_700_000_000_000 + i),
      values: Array.from({ length: n }, () => 1),
      stackIds: Array.from({ length: n }, () => 1),
      rowLabels: {
        trace_id: Array.from({ length: n }, (_, i) => (i % 50 === 0 ? null : traceIds[Math.floor(i / 2)]!)),
        route: Array.from({ length: n }, () => `/route/${Math.floor(next() * 8)}`),
      },
    };
    part.append(encodeWrite(write, 1, part.labels), 1);
    const rows = mergeAndSortRows(part.snapshot().map(s => s.batch));
    const bytes = encodeBlock([rows], 1 << 20);
    const encodings = await encodingsOf(bytes);
    const dictionary = [parquet.Encoding.RLE_DICTIONARY, parquet.Encoding.PLAIN_DICTIONARY];
    assert.ok(!encodings.get(labelColumn('trace_id'))!.some(e => dictionary.includes(e)), `trace_id: ${encodings.get(labelColumn('trace_id'))}`);
    assert.ok(encodings.get(labelColumn('route'))!.some(e => dictionary.includes(e)), `route: ${encodings.get(labelColumn('route'))}`);
    const back = await decodeBlock(bytes, undefined);
    for (const key of ['trace_id', 'route']) assert.deepEqual(labelsOf(back, key), labelsOf([rows], key), key);
  });
});

/** The rows of a part of `n` random samples (timestamps, values, lines and a row label), merged as a flush does. */
function partRows(n: number, seed: number): RecordBatch {
  const next = random(seed);
  const part = new ActivePart();
  const write = {
    profileType: 'cpu:samples:count:cpu:nanoseconds',
    timestamps: Array.from({ length: n }, () => 1_700_000_000_000 + Math.floor(next() * 1e9)),
    values: Array.from({ length: n }, () => Math.floor(next() * 2 ** 40)),
    stackIds: Array.from({ length: n }, () => 1),
    lines: Array.from({ length: n }, () => Math.floor(next() * 5000)),
    rowLabels: { thread: Array.from({ length: n }, () => `t${Math.floor(next() * 30)}`) },
  };
  part.append(encodeWrite(write, 1, part.labels), 1);
  return mergeAndSortRows(part.snapshot().map(s => s.batch));
}

describe('blocks encoded one after another through reused buffers', () => {
  it('gives the IPC stream tableToIPC gives, also after a bigger table left its bytes in the buffer', () => {
    const scratch = new ScratchBuffers(60_000);
    const big = new Table([partRows(20_000, 31)]);
    const small = new Table([partRows(3_000, 32)]);
    assert.deepEqual(ipcStream(big), tableToIPC(big, 'stream'));
    assert.deepEqual(ipcStream(big, scratch), tableToIPC(big, 'stream'));
    assert.deepEqual(ipcStream(small, scratch), tableToIPC(small, 'stream'));
    assert.deepEqual(ipcStream(big, scratch), tableToIPC(big, 'stream'));
    scratch.release();
  });

  it('writes each block with its own rows when a bigger one was encoded before it', async () => {
    const columns = ['timestamp', 'value', 'line', labelColumn('thread')];
    const rowsOf = (batches: RecordBatch[]): unknown[][] =>
      batches.flatMap(batch => Array.from({ length: batch.numRows }, (_, i) => columns.map(c => batch.getChild(c)!.get(i) as unknown)));
    const scratch = new ScratchBuffers(60_000);
    const first = partRows(20_000, 41);
    const second = partRows(7_000, 42);
    const firstBytes = encodeBlock([first], 1 << 20, scratch);
    const secondBytes = encodeBlock([second], 1 << 20, scratch);
    scratch.release();
    assert.deepEqual(rowsOf(await decodeBlock(firstBytes, undefined)), rowsOf([first]));
    assert.deepEqual(rowsOf(await decodeBlock(secondBytes, undefined)), rowsOf([second]));
  });
});
