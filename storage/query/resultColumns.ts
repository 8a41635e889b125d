import type { Table } from 'apache-arrow';

/**
 * Reading a (small) query result back into plain arrays. Results of product queries are one row per stack,
 * function or bucket, so per-row `get` is fine here; it is never used on scanned data.
 */
export function numbers(table: Table, name: string): Float64Array {
  const vector = table.getChild(name);
  if (vector === null) throw new Error(`the result has no column ${name}`);
  const out = new Float64Array(table.numRows);
  let k = 0;
  for (const data of vector.data) {
    const values = data.values as ArrayLike<number>;
    for (let i = 0; i < data.length; i++) out[k++] = values[i]!;
  }
  return out;
}

export function strings(table: Table, name: string): (string | null)[] {
  const vector = table.getChild(name);
  if (vector === null) throw new Error(`the result has no column ${name}`);
  const out: (string | null)[] = [];
  for (let i = 0; i < vector.length; i++) out.push((vector.get(i) as string | null) ?? null);
  return out;
}
