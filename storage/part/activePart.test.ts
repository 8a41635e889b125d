import * as assert from 'node:assert/strict';
import type { RecordBatch } from 'apache-arrow';
import { random } from '../../test/support/random';
import { labelColumn } from '../schema';
import { encodeWrite, type EncodedLabelColumn, type SampleWrite } from '../write/sampleWrite';
import { ActivePart } from './activePart';

type Labels = Record<string, string | null>;

/** Every row's labels by timestamp (unique per row here), read back from the part's batches. */
function labelsByTimestamp(batches: RecordBatch[], keys: string[]): Map<number, Labels> {
  const rows = new Map<number, Labels>();
  for (const batch of batches) {
    const timestamps = batch.getChild('timestamp')!;
    for (let i = 0; i < batch.numRows; i++) {
      rows.set(
        timestamps.get(i) as number,
        Object.fromEntries(keys.map(key => [key, (batch.getChild(labelColumn(key))?.get(i) as string | null | undefined) ?? null])),
      );
    }
  }
  return rows;
}

describe('the active part', () => {
  it('keeps every label value, however the write was encoded, across batch boundaries', () => {
    const next = random(20);
    const part = new ActivePart();
    const other = new ActivePart();
    const keys = ['thread', 'request', 'host'];
    const expected = new Map<number, Labels>();
    let timestamp = 1_700_000_000_000;
    // Writes big enough that the part's batches (131,072 rows) fill and new ones start mid-write.
    for (let w = 0; w < 10; w++) {
      const n = 1 + Math.floor(next() * 40_000);
      const thread = Array.from({ length: n }, () => (next() < 0.05 ? null : `t${Math.floor(next() * 300)}`));
      // Mostly new values in every write: a part-wide id space far larger than any one write's dictionary.
      const request = Array.from({ length: n }, () => `r${Math.floor(next() * 200_000)}`);
      const host = `h${w % 3}`;
      const timestamps = Array.from({ length: n }, () => timestamp++);
      const rowLabels: Record<string, (string | null)[] | EncodedLabelColumn> = { thread, request };
      const write: SampleWrite = { profileType: 'cpu:samples:count:cpu:nanoseconds', timestamps, values: timestamps.map(() => 1), stackIds: timestamps.map(() => 1), labels: { host }, rowLabels };
      // Encoded against this part (the store's path), against a part frozen since, with no part (replayed from the
      // log), or handed already encoded (an importer's).
      const way = w % 4;
      if (way === 3) rowLabels['thread'] = encodeWrite(write, 1).rowLabels['thread']!;
      const encoded = encodeWrite(write, 1, way === 0 ? part.labels : way === 1 ? other.labels : undefined);
      if (way === 1) other.append(encodeWrite(write, 1, other.labels), 1);
      part.append(encoded, w + 1);
      timestamps.forEach((t, i) => expected.set(t, { thread: thread[i]!, request: request[i]!, host }));
    }
    const batches = part.snapshot().map(s => s.batch);
    assert.ok(batches.length >= 2, 'the writes filled more than one batch');
    const actual = labelsByTimestamp(batches, keys);
    assert.equal(actual.size, expected.size);
    for (const [t, labels] of expected) assert.deepEqual(actual.get(t), labels, `row at ${t}`);
  });
});
