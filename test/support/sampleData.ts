import type { RecordBatch } from 'apache-arrow';
import type { Store } from '../../storage/store';
import type { ScanSource } from '../../storage/query/scanSource';
import type { SampleWrite } from '../../storage/write/sampleWrite';

/** Interns a stack given as function names, root first (how tests and benchmarks describe stacks). */
export function stackOf(store: Store, path: string): number {
  const frames = path.split(';').reverse().map(name => store.internFrame({ functionName: name, file: `/src/${name}.js`, line: 1, column: 1, module: '', address: 0 }));
  return store.internStack(frames);
}

/** A write of `n` samples with deterministic values, for tests. */
export function simpleWrite(stackId: number, n: number, labels: Record<string, string>, startMs = 1_700_000_000_000, value = 10): SampleWrite {
  return {
    profileType: 'cpu:samples:count:cpu:nanoseconds',
    labels,
    timestamps: Array.from({ length: n }, (_, i) => startMs + i),
    values: Array.from({ length: n }, () => value),
    stackIds: Array.from({ length: n }, () => stackId),
  };
}

/** Every row of a scan as plain objects (column name → value), in scan order. */
export async function readRows(source: ScanSource, columns = source.columnNames()): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for await (const batch of source.scan({ columns })) rows.push(...rowsOf(batch, columns));
  return rows;
}

function rowsOf(batch: RecordBatch, columns: readonly string[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const vectors = columns.map(name => [name, batch.getChild(name)] as const);
  for (let i = 0; i < batch.numRows; i++) {
    const row: Record<string, unknown> = {};
    for (const [name, vector] of vectors) row[name] = vector ? (vector.get(i) ?? null) : null;
    out.push(row);
  }
  return out;
}

/** Sum of `value` over a scan (what a writer checks after a crash). */
export async function totalValue(source: ScanSource): Promise<number> {
  let total = 0;
  for await (const batch of source.scan({ columns: ['value'] })) {
    const values = batch.getChild('value')!.data[0]!.values as Float64Array;
    for (let i = 0; i < batch.numRows; i++) total += values[i]!;
  }
  return total;
}
