import { LABEL_KEY_PATTERN } from '../schema';

/**
 * One write: the samples of one profile (or one chunk of a continuous profile). Constant labels apply to every
 * row; per-row labels vary by sample (pprof sample labels, perf's pid/tid). Stack ids come from the store's
 * metadata (`Store.internStack`).
 */
export interface SampleWrite {
  /** Parca's profile type, e.g. `cpu:samples:count:cpu:nanoseconds`. */
  profileType: string;
  durationNs?: number;
  periodNs?: number;
  labels?: Readonly<Record<string, string>>;
  /** Per-row label values; null or undefined means the row lacks the label. */
  rowLabels?: Readonly<Record<string, ArrayLike<string | null | undefined>>>;
  /** Milliseconds since the epoch; stored rounded to whole milliseconds. */
  timestamps: ArrayLike<number>;
  /** Whole numbers (nanoseconds, bytes, counts), as in pprof; negative values are allowed (delta profiles). */
  values: ArrayLike<number>;
  stackIds: ArrayLike<number>;
  /** The line each sample's leaf frame was executing, when the profile says (0 or absent: unknown). */
  lines?: ArrayLike<number>;
}

/** A row label column in dictionary form: the distinct values and one code per row (-1 for absent). */
export interface EncodedLabelColumn {
  dictionary: string[];
  codes: Int32Array;
}

/** A validated write in the columnar form the write-ahead log carries and the active part appends. */
export interface EncodedWrite {
  profileType: string;
  durationNs: number;
  periodNs: number;
  labels: Record<string, string>;
  rowLabels: Record<string, EncodedLabelColumn>;
  timestamps: Float64Array;
  values: Float64Array;
  stackIds: Uint32Array;
  lines: Uint32Array;
}

export class InvalidWriteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidWriteError';
  }
}

/** Checks a write and converts it to columns; `stackCount` bounds the stack ids it may refer to. */
export function encodeWrite(write: SampleWrite, stackCount: number): EncodedWrite {
  const n = write.timestamps.length;
  if (write.values.length !== n || write.stackIds.length !== n) {
    throw new InvalidWriteError(`a write needs as many values and stack ids as timestamps (${n})`);
  }
  if (typeof write.profileType !== 'string' || write.profileType === '') throw new InvalidWriteError('a write needs a profile type');
  // Always copies: the store keeps these arrays, and the caller may reuse its own.
  const timestamps = Float64Array.from(write.timestamps);
  const values = Float64Array.from(write.values);
  const stackIds = Uint32Array.from(write.stackIds);
  if (write.lines !== undefined && write.lines.length !== n) throw new InvalidWriteError(`a write needs as many lines as timestamps (${n})`);
  const lines = write.lines === undefined ? new Uint32Array(n) : Uint32Array.from(write.lines);
  for (let i = 0; i < n; i++) {
    // Rounding here, not at flush, keeps a row identical in memory and on disk (blocks store whole milliseconds).
    timestamps[i] = Math.round(timestamps[i]!);
    if (!Number.isSafeInteger(timestamps[i]!) || !Number.isSafeInteger(values[i]!)) {
      throw new InvalidWriteError(`row ${i} has a timestamp or value that is not a whole number below 2^53`);
    }
    const s = stackIds[i]!;
    if (s < 1 || s > stackCount || s !== write.stackIds[i]) throw new InvalidWriteError(`row ${i} refers to unknown stack ${String(write.stackIds[i])}`);
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
    if (column.length !== n) throw new InvalidWriteError(`row label ${key} needs ${n} values, not ${column.length}`);
    rowLabels[key] = dictionaryEncode(column, key);
  }
  return {
    profileType: write.profileType,
    durationNs: checkNumber(write.durationNs ?? 0, 'durationNs'),
    periodNs: checkNumber(write.periodNs ?? 0, 'periodNs'),
    labels,
    rowLabels,
    timestamps,
    values,
    stackIds,
    lines,
  };
}

function checkLabelKey(key: string): void {
  if (!LABEL_KEY_PATTERN.test(key)) throw new InvalidWriteError(`label key ${JSON.stringify(key)} must match ${LABEL_KEY_PATTERN.source}`);
}

function checkNumber(value: number, name: string): number {
  if (!Number.isSafeInteger(value)) throw new InvalidWriteError(`${name} must be a whole number below 2^53`);
  return value;
}

function dictionaryEncode(column: ArrayLike<string | null | undefined>, key: string): EncodedLabelColumn {
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
