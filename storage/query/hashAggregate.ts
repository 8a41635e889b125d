import type { Data, RecordBatch } from 'apache-arrow';
import { COLUMN } from '../schema';
import { dictionaryColumn, makeBatch, numberColumn } from './arrowBuild';
import { columnData, type ColumnData } from './columnData';
import { GroupKeyEncoder } from './groupKeyEncoder';
import type { AggregateSpec, GroupKey } from './logicalPlan';
import { selectionLength, type RowSelection } from './predicateEval';
import { SORT_STEP, sortInSteps } from './sortInSteps';

/**
 * Vectorised hash aggregation: GROUP BY keys with sum / count / min / max, also used for DISTINCT (no
 * aggregates). Work is column-at-a-time per batch: first every selected row gets a group id, then each
 * aggregate runs one tight loop `acc[group[j]] += values[row[j]]` over Float64Arrays.
 *
 * Two fast paths avoid hashing altogether:
 * - Grouping by `stack_id` alone: stack ids are dense (1..metadata.stackCount, see metadataStore.ts), so the
 *   id is the group and accumulators are Float64Arrays of stackCount + 1 slots, indexed by the key column
 *   directly. A null stack id counts as stack 0, the "no stack" id.
 * - Grouping by one column: the encoder's code is the group (a dictionary column costs one lookup per
 *   distinct value, see groupKeyEncoder.ts).
 * Several keys combine their codes through a Map.
 *
 * Output rows are sorted by the keys (nulls first, numbers numerically, strings by `<`), so results and
 * LIMIT after an aggregate are deterministic. With no keys there is exactly one output row, even for no input
 * (count 0, sum 0, min and max null), as in SQL. A sum over no non-null values is 0.
 */
export class HashAggregate {
  private readonly encoders: GroupKeyEncoder[];
  private readonly dense: boolean;
  /** Per group: rows seen (always kept: it says which dense slots are groups). */
  private rowCount: Float64Array;
  /** Per aggregate, per group: the running sum / count / min / max. */
  private readonly acc: Float64Array[];
  /** Per aggregate (min and max only), per group: non-null values seen, to output null for none. */
  private readonly seen: (Float64Array | undefined)[];
  private groupCount = 0;
  /** Multi-key grouping: composite key → group, and each group's code per key. */
  private readonly groupIds = new Map<number | string, number>();
  private readonly groupCodes: number[][];
  private capacity: number;

  constructor(
    private readonly groupBy: readonly GroupKey[],
    private readonly aggregates: readonly AggregateSpec[],
    /** Metadata's stack count, sizing the dense accumulators up front. */
    stackCount = 0,
  ) {
    this.encoders = groupBy.map(k => new GroupKeyEncoder(k));
    this.dense = groupBy.length === 1 && groupBy[0]!.column === COLUMN.stackId && groupBy[0]!.bucket === undefined;
    this.capacity = this.dense ? stackCount + 1 : groupBy.length === 0 ? 1 : 1024;
    if (groupBy.length === 0) this.groupCount = 1;
    this.rowCount = new Float64Array(this.capacity);
    this.acc = aggregates.map(a => initial(a, this.capacity));
    this.seen = aggregates.map(a => (a.fn === 'min' || a.fn === 'max' ? new Float64Array(this.capacity) : undefined));
    this.groupCodes = groupBy.map(() => []);
  }

  add(batch: RecordBatch, rows: RowSelection): void {
    const count = selectionLength(rows, batch.numRows);
    if (count === 0) return;
    if (this.dense) {
      this.addDense(batch, rows, count);
      return;
    }
    const groups = this.groupsOf(batch, rows, count);
    for (let i = 0; i < count; i++) this.rowCount[groups[i]!]! += 1;
    this.aggregates.forEach((a, k) => {
      const column = a.column === undefined ? undefined : columnData(batch, a.column);
      accumulate(a, column, this.acc[k]!, this.seen[k], rows, count, groups, null);
    });
  }

  private addDense(batch: RecordBatch, rows: RowSelection, count: number): void {
    const column = columnData(batch, COLUMN.stackId);
    if (column.kind === 'dictionary') throw new Error(`column ${COLUMN.stackId} must be numeric`);
    let keys: ArrayLike<number>;
    if (column.kind === 'absent') {
      keys = new Uint32Array(batch.numRows);
    } else {
      if (column.validity !== null) {
        // Null stack ids count as stack 0: copy with the nulls zeroed, so the loops below need no bitmap.
        const copy = new Uint32Array(column.values.length);
        for (let i = 0; i < copy.length; i++) {
          const bit = column.offset + i;
          copy[i] = (column.validity[bit >> 3]! >> (bit & 7)) & 1 ? column.values[i]! : 0;
        }
        keys = copy;
      } else {
        keys = column.values;
      }
    }
    if (!(keys instanceof Uint32Array)) throw new Error(`column ${COLUMN.stackId} must be Uint32 (storage/schema.ts)`);
    // The common case (sum(value), count()) runs as one fused loop: one pass over the selected rows instead of
    // one per aggregate, which matters because a selective filter makes every pass a gather.
    const sums = this.aggregates.filter(a => a.fn === 'sum');
    const fused = this.aggregates.every(a => a.fn === 'sum' || (a.fn === 'count' && a.column === undefined)) && sums.length <= 1;
    const sumIndex = this.aggregates.findIndex(a => a.fn === 'sum');
    const sumColumn = sumIndex < 0 ? undefined : columnData(batch, this.aggregates[sumIndex]!.column!);
    if (fused && (sumColumn === undefined || (sumColumn.kind === 'number' && sumColumn.validity === null))) {
      this.denseFused(keys, sumColumn?.kind === 'number' ? sumColumn.values : undefined, sumIndex, rows, count);
      return;
    }
    // Stack ids above metadata's count would be silently dropped by typed-array writes: grow first.
    let maxKey = 0;
    for (let j = 0; j < count; j++) {
      const key = keys[rows === null ? j : rows[j]!]!;
      if (key > maxKey) maxKey = key;
    }
    if (maxKey >= this.capacity) this.grow(maxKey + 1);
    const rowCount = this.rowCount;
    if (rows === null) for (let i = 0; i < count; i++) rowCount[keys[i]!]! += 1;
    else for (let j = 0; j < count; j++) rowCount[keys[rows[j]!]!]! += 1;
    this.aggregates.forEach((a, k) => {
      const column = a.column === undefined ? undefined : columnData(batch, a.column);
      accumulate(a, column, this.acc[k]!, this.seen[k], rows, count, null, keys);
    });
  }

  /** Row count (and at most one sum over a column without nulls) per stack id, in one pass. */
  private denseFused(keys: Uint32Array, values: ArrayLike<number> | undefined, sumIndex: number, rows: RowSelection, count: number): void {
    let capacity = this.capacity;
    let rowCount = this.rowCount;
    if (values === undefined) {
      for (let j = 0; j < count; j++) {
        const key = keys[rows === null ? j : rows[j]!]!;
        if (key >= capacity) {
          // Typed-array writes past the end are silently dropped: grow before counting an unexpected id.
          this.grow(Math.max(key + 1, capacity * 2));
          capacity = this.capacity;
          rowCount = this.rowCount;
        }
        rowCount[key]! += 1;
      }
      return;
    }
    let acc = this.acc[sumIndex]!;
    for (let j = 0; j < count; j++) {
      const i = rows === null ? j : rows[j]!;
      const key = keys[i]!;
      if (key >= capacity) {
        this.grow(Math.max(key + 1, capacity * 2));
        capacity = this.capacity;
        rowCount = this.rowCount;
        acc = this.acc[sumIndex]!;
      }
      rowCount[key]! += 1;
      acc[key]! += values[i]!;
    }
  }

  private groupsOf(batch: RecordBatch, rows: RowSelection, count: number): Int32Array {
    const groups = new Int32Array(count);
    if (this.encoders.length === 0) return groups;
    if (this.encoders.length === 1) {
      this.encoders[0]!.encode(batch, rows, groups);
      const codes = this.encoders[0]!.values.length;
      if (codes > this.groupCount) {
        const first = this.groupCount;
        this.groupCount = codes;
        if (codes > this.capacity) this.grow(Math.max(codes, this.capacity * 2));
        for (let g = first; g < codes; g++) this.groupCodes[0]!.push(g);
      }
      return groups;
    }
    const codes = this.encoders.map(e => {
      const out = new Int32Array(count);
      e.encode(batch, rows, out);
      return out;
    });
    const numeric = this.encoders.length === 2;
    for (let j = 0; j < count; j++) {
      let key: number | string;
      if (numeric && codes[0]![j]! < 67_108_864 && codes[1]![j]! < 67_108_864) key = codes[0]![j]! * 67_108_864 + codes[1]![j]!;
      else key = codes.map(c => c[j]).join(',');
      let group = this.groupIds.get(key);
      if (group === undefined) {
        group = this.groupCount++;
        if (group >= this.capacity) this.grow(this.capacity * 2);
        this.groupIds.set(key, group);
        for (let k = 0; k < codes.length; k++) this.groupCodes[k]!.push(codes[k]![j]!);
      }
      groups[j] = group;
    }
    return groups;
  }

  private grow(capacity: number): void {
    const extend = (a: Float64Array, fill: number): Float64Array => {
      const b = new Float64Array(capacity);
      if (fill !== 0) b.fill(fill, a.length);
      b.set(a);
      return b;
    };
    this.rowCount = extend(this.rowCount, 0);
    this.aggregates.forEach((a, k) => {
      this.acc[k] = extend(this.acc[k]!, initialValue(a));
      const seen = this.seen[k];
      if (seen) this.seen[k] = extend(seen, 0);
    });
    this.capacity = capacity;
  }

  /** The result: key columns then aggregate columns, one row per group, sorted by the keys. */
  finish(): RecordBatch {
    const steps = this.finishSteps();
    for (;;) {
      const step = steps.next();
      if (step.done) return step.value;
    }
  }

  /**
   * `finish` in steps of bounded work, for a query to pause between (yieldSlice.ts): a label with a value per
   * request groups into a million rows, whose sort by key would otherwise hold the thread for a second.
   */
  *finishSteps(): Generator<void, RecordBatch> {
    const order = yield* this.outputOrder();
    const n = order.length;
    const names: string[] = [];
    const columns: Data[] = [];
    if (this.dense) {
      const ids = new Uint32Array(n);
      for (let r = 0; r < n; r++) ids[r] = order[r]!;
      names.push(this.groupBy[0]!.as);
      columns.push(numberColumn(ids));
    } else {
      for (let k = 0; k < this.encoders.length; k++) {
        const encoder = this.encoders[k]!;
        names.push(encoder.key.as);
        columns.push(yield* keyColumn(encoder, order, this.groupCodes[k]!));
      }
    }
    this.aggregates.forEach((a, k) => {
      const acc = a.fn === 'count' && a.column === undefined ? this.rowCount : this.acc[k]!;
      const seen = this.seen[k];
      const values = new Float64Array(n);
      const nulls = seen ? new Uint8Array(n) : undefined;
      for (let r = 0; r < n; r++) {
        const g = order[r]!;
        values[r] = acc[g]!;
        if (seen && nulls && seen[g] === 0) nulls[r] = 1;
      }
      names.push(a.as);
      columns.push(numberColumn(values, nulls));
    });
    return makeBatch(names, columns, n);
  }

  private *outputOrder(): Generator<void, Int32Array> {
    if (this.dense) {
      const present: number[] = [];
      for (let g = 0; g < this.capacity; g++) if (this.rowCount[g]! > 0) present.push(g);
      return Int32Array.from(present);
    }
    if (this.encoders.length === 0) return new Int32Array(1);
    const order = new Int32Array(this.groupCount);
    let n = 0;
    for (let g = 0; g < this.groupCount; g++) if (this.rowCount[g]! > 0) order[n++] = g;
    return yield* sortInSteps(order.subarray(0, n), (a, b) => {
      for (let k = 0; k < this.encoders.length; k++) {
        const values = this.encoders[k]!.values;
        const codes = this.groupCodes[k]!;
        const c = compareKeys(values[codes[a]!]!, values[codes[b]!]!);
        if (c !== 0) return c;
      }
      return 0;
    });
  }
}

function* keyColumn(encoder: GroupKeyEncoder, order: Int32Array, codes: number[]): Generator<void, Data> {
  const n = order.length;
  const nulls = new Uint8Array(n);
  let anyNull = false;
  if (encoder.kind === 'number') {
    const values = encoder.uint32 ? new Uint32Array(n) : new Float64Array(n);
    for (let r = 0; r < n; r++) {
      const v = encoder.values[codes[order[r]!]!]!;
      if (v === null) {
        nulls[r] = 1;
        anyNull = true;
      } else {
        values[r] = v as number;
      }
    }
    return numberColumn(values, anyNull ? nulls : undefined);
  }
  // Strings (or a label absent from every batch): a dictionary of the distinct output values, in output order.
  const strings: string[] = [];
  const index = new Map<string, number>();
  const indices = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    if (r % SORT_STEP === SORT_STEP - 1) yield;
    const v = encoder.values[codes[order[r]!]!]!;
    if (v === null) {
      nulls[r] = 1;
      anyNull = true;
      continue;
    }
    const s = String(v);
    let j = index.get(s);
    if (j === undefined) {
      j = strings.length;
      strings.push(s);
      index.set(s, j);
    }
    indices[r] = j;
  }
  return dictionaryColumn(strings, indices, anyNull ? nulls : undefined);
}

function compareKeys(a: string | number | null, b: string | number | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function initialValue(a: AggregateSpec): number {
  return a.fn === 'min' ? Infinity : a.fn === 'max' ? -Infinity : 0;
}

function initial(a: AggregateSpec, capacity: number): Float64Array {
  const acc = new Float64Array(capacity);
  const v = initialValue(a);
  if (v !== 0) acc.fill(v);
  return acc;
}

/**
 * Updates one aggregate's accumulators for the selected rows. The group of selected row j is `groups[j]`, or
 * (dense path) `keys[row]`. Each case is its own loop so that V8 compiles a tight loop without per-row
 * branching on the function.
 */
function accumulate(
  a: AggregateSpec,
  column: ColumnData | undefined,
  acc: Float64Array,
  seen: Float64Array | undefined,
  rows: RowSelection,
  count: number,
  groups: Int32Array | null,
  keys: ArrayLike<number> | null,
): void {
  // count() reads the per-group row count, which is maintained for every aggregation anyway (see finish()).
  if (column === undefined) return;
  if (column.kind === 'absent') return; // Every value null: sum, count(column), min and max are unchanged.
  if (column.kind === 'dictionary') {
    if (a.fn !== 'count') throw new Error(`${a.fn}(${a.column}) needs a number column`);
    countValid(column.validity, column.offset, acc, rows, count, groups, keys);
    return;
  }
  const { values, validity, offset } = column;
  if (a.fn === 'count') {
    countValid(validity, offset, acc, rows, count, groups, keys);
    return;
  }
  if (validity !== null) {
    // The general (rare) case: nulls present. Checked per row.
    for (let j = 0; j < count; j++) {
      const i = rows === null ? j : rows[j]!;
      if (validity !== null) {
        const bit = offset + i;
        if (((validity[bit >> 3]! >> (bit & 7)) & 1) === 0) continue;
      }
      const g = groups !== null ? groups[j]! : keys![i]!;
      update(a.fn, acc, seen, g, values[i]!);
    }
    return;
  }
  switch (a.fn) {
    case 'sum':
      if (groups !== null) {
        if (rows === null) for (let j = 0; j < count; j++) acc[groups[j]!]! += values[j]!;
        else for (let j = 0; j < count; j++) acc[groups[j]!]! += values[rows[j]!]!;
      } else {
        const k = keys!;
        if (rows === null) for (let i = 0; i < count; i++) acc[k[i]!]! += values[i]!;
        else for (let j = 0; j < count; j++) {
          const i = rows[j]!;
          acc[k[i]!]! += values[i]!;
        }
      }
      return;
    case 'min':
    case 'max':
      for (let j = 0; j < count; j++) {
        const i = rows === null ? j : rows[j]!;
        const g = groups !== null ? groups[j]! : keys![i]!;
        update(a.fn, acc, seen, g, values[i]!);
      }
      return;
  }
}

function update(fn: 'sum' | 'min' | 'max', acc: Float64Array, seen: Float64Array | undefined, g: number, v: number): void {
  if (fn === 'sum') acc[g]! += v;
  else if (fn === 'min') {
    if (v < acc[g]!) acc[g] = v;
  } else if (v > acc[g]!) acc[g] = v;
  if (seen) seen[g]! += 1;
}

function countValid(
  validity: Uint8Array | null,
  offset: number,
  acc: Float64Array,
  rows: RowSelection,
  count: number,
  groups: Int32Array | null,
  keys: ArrayLike<number> | null,
): void {
  for (let j = 0; j < count; j++) {
    const i = rows === null ? j : rows[j]!;
    if (validity !== null) {
      const bit = offset + i;
      if (((validity[bit >> 3]! >> (bit & 7)) & 1) === 0) continue;
    }
    acc[groups !== null ? groups[j]! : keys![i]!]! += 1;
  }
}
