import { LABEL_KEY_PATTERN, SAMPLE_COLUMNS, type ColumnDescriptor, type SampleColumnFields } from '../schema';
import type { LabelInterner, PartLabels } from './labelInterner';

/**
 * One write: the samples of one profile (or one chunk of a continuous profile). Its static columns' fields are the
 * schema's (`profileType`, `timestamps`, `values`, `stackIds`, optional `durationNs`, `periodNs`, `lines`: see
 * SAMPLE_COLUMNS in schema.ts). Constant labels apply to every row; per-row labels vary by sample (pprof sample
 * labels, perf's pid/tid). Stack ids come from the store's metadata (`Store.internStack`).
 */
export type SampleWrite = SampleColumnFields & {
  labels?: Readonly<Record<string, string>>;
  /**
   * Per-row label values; null or undefined means the row lacks the label. A column already in dictionary form
   * (an importer's, encoded once for the whole profile) is taken as it is, its codes checked.
   */
  rowLabels?: Readonly<Record<string, ArrayLike<string | null | undefined> | EncodedLabelColumn>>;
};

/** A row label column in dictionary form: the distinct values and one code per row (-1 for absent). */
export interface EncodedLabelColumn {
  dictionary: readonly string[];
  codes: Int32Array;
}

/**
 * An encoded column whose values were also interned into an active part's interner: `ids` holds the part-wide id
 * of each dictionary entry. Only the active part reads it (the log carries the dictionary and codes).
 */
export interface InternedLabelColumn extends EncodedLabelColumn {
  interner: LabelInterner;
  ids: Int32Array;
}

/** A validated write in the columnar form the write-ahead log carries and the active part appends. */
export interface EncodedWrite {
  rows: number;
  /** The values of the per-write static columns, by column name. */
  constants: Record<string, string | number>;
  /** The per-row static columns, by column name (Float64Array or Uint32Array as the schema says). */
  columns: Record<string, Float64Array | Uint32Array>;
  labels: Record<string, string>;
  rowLabels: Record<string, EncodedLabelColumn>;
}

export class InvalidWriteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidWriteError';
  }
}

/** Checks a write and converts it to columns; `stackCount` bounds the stack ids it may refer to. */
export function encodeWrite(write: SampleWrite, stackCount: number, partLabels?: PartLabels): EncodedWrite {
  const fields = write as unknown as Record<string, unknown>;
  const rowColumns = SAMPLE_COLUMNS.filter(c => c.per === 'row');
  const n = (fields[rowColumns[0]!.field] as ArrayLike<number> | undefined)?.length ?? 0;
  for (const column of rowColumns) {
    const given = fields[column.field] as ArrayLike<number> | undefined;
    if (given === undefined && !('default' in column)) throw new InvalidWriteError(`a write needs ${describe(column)}`);
    if (given !== undefined && given.length !== n) throw new InvalidWriteError(`a write needs as many ${describe(column)} as ${describe(rowColumns[0]!)} (${n})`);
  }
  const constants: Record<string, string | number> = {};
  const columns: Record<string, Float64Array | Uint32Array> = {};
  for (const column of SAMPLE_COLUMNS) {
    const given = fields[column.field];
    if (column.per === 'write') constants[column.name] = checkConstant(column, given);
    else columns[column.name] = checkRows(column, given as ArrayLike<number> | undefined, n, stackCount);
  }
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(write.labels ?? {})) {
    checkLabelKey(key);
    if (typeof value !== 'string') throw new InvalidWriteError(`label ${key} must be a string`);
    labels[key] = value;
  }
  const rowLabels: Record<string, EncodedLabelColumn> = {};
  for (const [key, column] of Object.entries(write.rowLabels ?? {})) {
    checkLabelKey(key);
    if (key in labels) throw new InvalidWriteError(`label ${key} is given both for the whole write and per row`);
    const length = isEncoded(column) ? column.codes.length : column.length;
    if (length !== n) throw new InvalidWriteError(`row label ${key} needs ${n} values, not ${length}`);
    rowLabels[key] = isEncoded(column) ? checkEncoded(column, key) : partLabels ? internEncode(column, key, partLabels.of(key)) : dictionaryEncode(column, key);
  }
  return { rows: n, constants, columns, labels, rowLabels };
}

/** The field's name in messages: "stack ids" for `stackIds`. */
function describe(column: ColumnDescriptor): string {
  return column.field.replace(/[A-Z]/g, c => ` ${c.toLowerCase()}`);
}

function checkConstant(column: ColumnDescriptor, given: unknown): string | number {
  if (column.type === 'string') {
    if (typeof given !== 'string' || (column.check === 'nonEmpty' && given === '')) throw new InvalidWriteError(`a write needs a ${describe(column)}`);
    return given;
  }
  const value = given ?? column.default;
  if (typeof value !== 'number' || (column.check === 'whole' && !Number.isSafeInteger(value))) {
    throw new InvalidWriteError(`${column.field} must be a whole number below 2^53`);
  }
  return value;
}

/** A per-row column as its typed array, always a copy: the store keeps it, and the caller may reuse its own. */
function checkRows(column: ColumnDescriptor, given: ArrayLike<number> | undefined, n: number, stackCount: number): Float64Array | Uint32Array {
  if (given === undefined) return column.type === 'uint32' ? new Uint32Array(n).fill(column.default ?? 0) : new Float64Array(n).fill(column.default ?? 0);
  const values = column.type === 'uint32' ? Uint32Array.from(given) : Float64Array.from(given);
  if (column.check === 'roundedWhole') for (let i = 0; i < n; i++) values[i] = Math.round(values[i]!);
  if (column.check === 'whole' || column.check === 'roundedWhole') {
    for (let i = 0; i < n; i++) {
      if (!Number.isSafeInteger(values[i]!)) throw new InvalidWriteError(`row ${i} has a ${describe(column).replace(/s$/, '')} that is not a whole number below 2^53`);
    }
  } else if (column.check === 'stackId') {
    for (let i = 0; i < n; i++) {
      const s = values[i]!;
      if (s < 1 || s > stackCount || s !== given[i]) throw new InvalidWriteError(`row ${i} refers to unknown stack ${String(given[i])}`);
    }
  }
  return values;
}

function isEncoded(column: ArrayLike<string | null | undefined> | EncodedLabelColumn): column is EncodedLabelColumn {
  return 'codes' in column && column.codes instanceof Int32Array;
}

function checkLabelKey(key: string): void {
  if (!LABEL_KEY_PATTERN.test(key)) throw new InvalidWriteError(`label key ${JSON.stringify(key)} must match ${LABEL_KEY_PATTERN.source}`);
}

/** An encoded column as the store keeps it: its own copy of the codes, each checked against the dictionary. */
function checkEncoded(column: EncodedLabelColumn, key: string): EncodedLabelColumn {
  const source = column.codes;
  const codes = new Int32Array(source.length);
  const size = column.dictionary.length;
  for (let i = 0; i < source.length; i++) {
    const code = source[i]!;
    if (code < -1 || code >= size) throw new InvalidWriteError(`row label ${key} has code ${code} at row ${i}, outside its dictionary of ${size}`);
    codes[i] = code;
  }
  for (const value of column.dictionary) if (typeof value !== 'string') throw new InvalidWriteError(`row label ${key} has a non-string value in its dictionary`);
  return { dictionary: column.dictionary, codes };
}

/**
 * A per-row label column as a dictionary and a code per row (-1: the row lacks the label). Importers encode a
 * profile's label columns once with it and hand the store the result, which it only checks.
 */
export function dictionaryEncode(column: ArrayLike<string | null | undefined>, key: string): EncodedLabelColumn {
  const dictionary: string[] = [];
  const ids = new Map<string, number>();
  const codes = new Int32Array(column.length);
  for (let i = 0; i < column.length; i++) {
    const value = column[i];
    if (value === null || value === undefined) {
      codes[i] = -1;
      continue;
    }
    if (typeof value !== 'string') throw new InvalidWriteError(`row label ${key} has a non-string value at row ${i}`);
    let code = ids.get(value);
    if (code === undefined) {
      code = dictionary.length;
      dictionary.push(value);
      ids.set(value, code);
    }
    codes[i] = code;
  }
  return { dictionary, codes };
}

/**
 * dictionaryEncode that also interns each distinct value into the active part's interner, with one map lookup a
 * row as before: the write's own dictionary code of an id is kept beside the id, stamped with this write.
 */
function internEncode(column: ArrayLike<string | null | undefined>, key: string, interner: LabelInterner): InternedLabelColumn {
  const dictionary: string[] = [];
  const ids: number[] = [];
  const codes = new Int32Array(column.length);
  const generation = interner.nextGeneration();
  for (let i = 0; i < column.length; i++) {
    const value = column[i];
    if (value === null || value === undefined) {
      codes[i] = -1;
      continue;
    }
    if (typeof value !== 'string') throw new InvalidWriteError(`row label ${key} has a non-string value at row ${i}`);
    const id = interner.id(value);
    if (interner.stamps[id] !== generation) {
      interner.stamps[id] = generation;
      interner.locals[id] = dictionary.length;
      dictionary.push(value);
      ids.push(id);
    }
    codes[i] = interner.locals[id]!;
  }
  return { dictionary, codes, interner, ids: Int32Array.from(ids) };
}
