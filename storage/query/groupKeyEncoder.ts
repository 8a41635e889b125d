import type { RecordBatch } from 'apache-arrow';
import { isLabelColumn } from '../schema';
import { columnData, dictionaryKey, dictionaryStrings } from './columnData';
import type { GroupKey } from './logicalPlan';
import type { RowSelection } from './predicateEval';

/**
 * Turns one grouping column into dense codes per selected row: equal values get equal codes, across batches
 * and across different dictionaries. Code 0 is null (an absent label), so that nulls group together like any
 * other value.
 *
 * Dictionary columns are encoded per distinct dictionary, not per row: each dictionary index is mapped to a
 * code once (cached by dictionary), and the row loop is `remap[indices[i]]`. Numeric columns go through a Map,
 * with the previous row's value remembered because time-ordered data repeats its bucket for long runs.
 */
export class GroupKeyEncoder {
  /** The value of each code; index 0 is null. */
  readonly values: (string | number | null)[] = [null];
  /** Whether the column held strings (dictionary) or numbers; unknown until a batch has the column. */
  kind: 'string' | 'number' | undefined;
  /** True when every number seen came from a Uint32 column without bucketing (stack ids stay Uint32). */
  uint32 = true;
  private readonly stringCodes = new Map<string, number>();
  private readonly numberCodes = new Map<number, number>();
  private readonly remaps = new WeakMap<object, Int32Array>();

  constructor(readonly key: GroupKey) {
    if (isLabelColumn(key.column) && key.bucket === undefined) this.kind = 'string';
  }

  /** Codes of the selected rows of `batch`, written into `out` (one per selected row). */
  encode(batch: RecordBatch, rows: RowSelection, out: Int32Array): void {
    const count = out.length;
    const column = columnData(batch, this.key.column);
    switch (column.kind) {
      case 'absent':
        out.fill(0);
        return;
      case 'dictionary': {
        this.setKind('string');
        const remap = this.remapFor(column.dictionary);
        const { indices, validity, offset } = column;
        for (let j = 0; j < count; j++) {
          const i = rows === null ? j : rows[j]!;
          if (validity !== null) {
            const bit = offset + i;
            if (((validity[bit >> 3]! >> (bit & 7)) & 1) === 0) {
              out[j] = 0;
              continue;
            }
          }
          out[j] = remap[indices[i]!]!;
        }
        return;
      }
      case 'number': {
        this.setKind('number');
        const { values, validity, offset } = column;
        const bucket = this.key.bucket;
        if (bucket !== undefined || !(values instanceof Uint32Array)) this.uint32 = false;
        let lastValue = NaN;
        let lastCode = 0;
        for (let j = 0; j < count; j++) {
          const i = rows === null ? j : rows[j]!;
          if (validity !== null) {
            const bit = offset + i;
            if (((validity[bit >> 3]! >> (bit & 7)) & 1) === 0) {
              out[j] = 0;
              continue;
            }
          }
          let v = values[i]!;
          if (bucket !== undefined) v = Math.floor(v / bucket) * bucket;
          if (v !== lastValue) {
            lastValue = v;
            lastCode = this.numberCode(v);
          }
          out[j] = lastCode;
        }
        return;
      }
    }
  }

  private setKind(kind: 'string' | 'number'): void {
    if (this.kind === undefined) this.kind = kind;
    else if (this.kind !== kind) throw new Error(`column ${this.key.column} holds strings in one batch and numbers in another`);
  }

  private remapFor(dictionary: import('apache-arrow').Vector): Int32Array {
    const key = dictionaryKey(dictionary);
    let remap = this.remaps.get(key);
    if (remap === undefined || remap.length < dictionary.length) {
      const strings = dictionaryStrings(dictionary);
      remap = new Int32Array(strings.length);
      for (let j = 0; j < strings.length; j++) remap[j] = this.stringCode(strings[j]!);
      this.remaps.set(key, remap);
    }
    return remap;
  }

  private stringCode(value: string): number {
    let code = this.stringCodes.get(value);
    if (code === undefined) {
      code = this.values.length;
      this.values.push(value);
      this.stringCodes.set(value, code);
    }
    return code;
  }

  private numberCode(value: number): number {
    let code = this.numberCodes.get(value);
    if (code === undefined) {
      code = this.values.length;
      this.values.push(value);
      this.numberCodes.set(value, code);
    }
    return code;
  }
}
