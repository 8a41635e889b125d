import * as assert from 'node:assert/strict';
import { SAMPLE_COLUMNS } from '../schema';
import { encodeWrite } from './sampleWrite';
import { decodeWalPayload, encodeWalPayload, type WalEntry } from './walPayload';

const noMetadata = { firstFrameId: 1, frames: [], firstStackId: 1, stacks: [] };

function entry(): WalEntry {
  const write = encodeWrite(
    { profileType: 'cpu:samples:count:cpu:nanoseconds', durationNs: 7, timestamps: [1_700_000_000_000, 1_700_000_000_001], values: [3, -4], stackIds: [1, 2], lines: [5, 6], rowLabels: { thread: ['a', null] } },
    2,
  );
  return { metadata: noMetadata, write };
}

/** The payload with its header rewritten by `edit` and the named per-row columns' bytes left out. */
function rewritten(payload: Buffer, edit: (header: Record<string, unknown>) => void, dropColumns: string[]): Buffer {
  const headerLength = payload.readUInt32LE(0);
  const header = JSON.parse(payload.toString('utf8', 4, 4 + headerLength)) as Record<string, unknown> & { n: number; columns: string[] };
  let offset = (4 + headerLength + 7) & ~7;
  const kept: Buffer[] = [];
  for (const name of header.columns) {
    const bytes = header.n * (SAMPLE_COLUMNS.find(c => c.name === name)!.type === 'float64' ? 8 : 4);
    if (!dropColumns.includes(name)) kept.push(payload.subarray(offset, offset + bytes));
    offset += bytes;
  }
  header.columns = header.columns.filter(name => !dropColumns.includes(name));
  edit(header);
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc((4 + headerBytes.length + 7) & ~7);
  prefix.writeUInt32LE(headerBytes.length, 0);
  headerBytes.copy(prefix, 4);
  return Buffer.concat([prefix, ...kept, payload.subarray(offset)]);
}

describe('write-ahead-log payload', () => {
  it('carries every static column, the labels and the metadata of a write', () => {
    const original = entry();
    assert.deepEqual(decodeWalPayload(encodeWalPayload(original)), original);
  });

  it('reads a record written before a column existed with that column’s default', () => {
    // A record naming only some columns is what a store wrote before the others were added to the schema.
    const payload = rewritten(encodeWalPayload(entry()), () => undefined, ['line']);
    const { write } = decodeWalPayload(payload);
    assert.deepEqual([...write.columns['line']!], [0, 0]);
    assert.deepEqual([...write.columns['value']!], [3, -4]);
    assert.deepEqual(write.rowLabels['thread'], { dictionary: ['a'], codes: Int32Array.of(0, -1) });
  });

  it('refuses a record with a column the store does not know, naming it', () => {
    const payload = rewritten(encodeWalPayload(entry()), header => (header['columns'] as string[]).push('no_such_column'), []);
    assert.throws(() => decodeWalPayload(payload), /payload has a column no_such_column the store does not know/);
  });
});
