import type { Store } from '../../storage/store';
import { dictionaryEncode, type EncodedLabelColumn, type SampleWrite } from '../../storage/write/sampleWrite';
import type { ImportedProfile } from './importedProfile';
import { MAX_BATCH_ROWS } from '../../storage/part/activePart';

/**
 * Rows per store write: large writes amortise the log's sync, bounded ones keep each log record small. One in-memory
 * batch's worth, so that each write fills a batch of the active part (the part would otherwise grow a batch's arrays,
 * copying them, and split writes across batches).
 */
const ROWS_PER_WRITE = MAX_BATCH_ROWS;

export interface ImportResult {
  /** Rows written, over all value types. */
  rows: number;
  /** The last tx id written (0 when the profile had no samples). */
  lastTxId: number;
}

/** Writes an imported profile into the store as one transaction (profileWrites), so it is stored whole or not at all. */
export async function importToStore(store: Store, profile: ImportedProfile, labels: Record<string, string>): Promise<ImportResult> {
  const writes = [...profileWrites(store, profile, labels)];
  if (writes.length === 0) return { rows: 0, lastTxId: 0 };
  const { txId } = await store.writeTransaction(writes);
  return { rows: writes.reduce((sum, w) => sum + w.timestamps.length, 0), lastTxId: txId };
}

/**
 * Per-sample columns an importer may give beyond times, values and stacks, by the SampleWrite field they fill (the
 * schema's per-row columns with a default, storage/schema.ts); a column no importer gives holds its default.
 */
const SAMPLE_COLUMNS: { readonly [F in OptionalRowField]?: (profile: ImportedProfile) => ArrayLike<number> | undefined } = {
  lines: profile => profile.sampleLines,
};

type OptionalRowField = Exclude<keyof SampleWrite, 'profileType' | 'durationNs' | 'periodNs' | 'timestamps' | 'values' | 'stackIds' | 'labels' | 'rowLabels'>;

/**
 * The store writes of an imported profile, made one at a time: frames and stacks are interned in the store's
 * metadata when the first is asked for, and each value type becomes rows of its own profile type, in writes of at
 * most ROWS_PER_WRITE rows. When a profile has several value types, samples whose value is zero for a type are left
 * out of that type (a pprof sample with allocations but no in-use bytes, say); a single-type profile keeps every
 * sample, since a sample that took no measurable time is still a sample.
 *
 * Frames and stacks arrive interned by the importer (ProfileBuilder: the profile's own identity, which source maps
 * and idle time rewrite before storing); the store interns each of them once more, only to find its id among
 * everything stored before. Per-sample labels are dictionary-encoded once for the whole profile here and reach the
 * store as codes, which it checks but does not encode again.
 */
export function* profileWrites(store: Store, profile: ImportedProfile, labels: Record<string, string>): Generator<SampleWrite> {
  const frameIds = new Uint32Array(profile.frames.length);
  profile.frames.forEach((f, i) => {
    const stored = { functionName: f.name, file: f.file, line: f.line, column: f.column, module: f.module, address: f.address };
    frameIds[i] = store.internFrame(f.functionLine === undefined ? stored : { ...stored, functionLine: f.functionLine });
  });
  // One scratch array for translating every stack: the store copies a stack only when it is new.
  let scratch = new Uint32Array(256);
  const stackIds = new Uint32Array(profile.stacks.length);
  for (let s = 0; s < profile.stacks.length; s++) {
    const stack = profile.stacks[s]!;
    const length = stack.length;
    if (length > scratch.length) scratch = new Uint32Array(length * 2);
    for (let i = 0; i < length; i++) scratch[i] = frameIds[stack[i]!]!;
    stackIds[s] = store.internStack(scratch.subarray(0, length));
  }
  const allLabels = { ...profile.labels, ...labels };
  const labelColumns = Object.entries(profile.sampleLabels)
    .filter(([key]) => !(key in allLabels))
    .map(([key, column]) => [key, dictionaryEncode(column, key)] as const);
  const extraColumns = Object.entries(SAMPLE_COLUMNS).flatMap(([field, of]) => {
    const values = of(profile);
    return values ? [[field, values] as const] : [];
  });
  const rowsOf = (rows: Uint32Array | undefined, from: number, count: number): SharedRows => {
    const timestamps = new Float64Array(count);
    const stacks = new Uint32Array(count);
    const times = profile.sampleTimes;
    const sampleStacks = profile.sampleStacks;
    if (rows) {
      for (let r = 0; r < count; r++) {
        const i = rows[r]!;
        timestamps[r] = times ? times[i]! : profile.startMs;
        stacks[r] = stackIds[sampleStacks[i]!]!;
      }
    } else {
      for (let r = 0; r < count; r++) {
        timestamps[r] = times ? times[from + r]! : profile.startMs;
        stacks[r] = stackIds[sampleStacks[from + r]!]!;
      }
    }
    const rowLabels: Record<string, EncodedLabelColumn> = {};
    for (const [key, column] of labelColumns) rowLabels[key] = pickCodes(column, rows, from, count);
    const extras: Record<string, Float64Array> = {};
    for (const [field, column] of extraColumns) {
      const out = (extras[field] = new Float64Array(count));
      for (let r = 0; r < count; r++) out[r] = column[rows ? rows[r]! : from + r]!;
    }
    return { timestamps, stackIds: stacks, rowLabels, extras };
  };
  // Value types that keep the same samples (every type of a profile without zero values) share one set of row
  // columns per write: the store copies what it keeps, so the same arrays can go into several writes.
  let shared: { kept: Uint32Array | undefined; keptCount: number; writes: (SharedRows | undefined)[] } | undefined;
  for (let t = 0; t < profile.valueTypes.length; t++) {
    const values = profile.sampleValues[t]!;
    const { kept, keptCount } = keptSamples(profile, t);
    if (!shared || !sameSamples(shared, kept, keptCount)) shared = { kept, keptCount, writes: [] };
    const reuse = t + 1 < profile.valueTypes.length;
    for (let from = 0, w = 0; from < keptCount; from += ROWS_PER_WRITE, w++) {
      const count = Math.min(ROWS_PER_WRITE, keptCount - from);
      const rows = kept?.subarray(from, from + count);
      const columns = shared.writes[w] ?? rowsOf(rows, from, count);
      // The last type to use them lets them go.
      shared.writes[w] = reuse ? columns : undefined;
      // Typed arrays straight away: the store would copy plain arrays into them anyway.
      const rowValues = new Float64Array(count);
      if (rows) for (let r = 0; r < count; r++) rowValues[r] = Math.round(values[rows[r]!]!);
      else for (let r = 0; r < count; r++) rowValues[r] = Math.round(values[from + r]!);
      yield {
        ...columns.extras,
        profileType: profile.valueTypes[t]!.profileType,
        durationNs: Math.round(profile.durationNs),
        periodNs: Math.round(profile.periodNs),
        labels: allLabels,
        rowLabels: columns.rowLabels,
        timestamps: columns.timestamps,
        values: rowValues,
        stackIds: columns.stackIds,
      };
    }
  }
}

/** The columns of one write's rows that do not depend on the value type. */
interface SharedRows {
  timestamps: Float64Array;
  stackIds: Uint32Array;
  rowLabels: Record<string, EncodedLabelColumn>;
  extras: Record<string, Float64Array>;
}

function sameSamples(shared: { kept: Uint32Array | undefined; keptCount: number }, kept: Uint32Array | undefined, keptCount: number): boolean {
  if (shared.keptCount !== keptCount) return false;
  if (!shared.kept || !kept) return shared.kept === kept;
  for (let i = 0; i < keptCount; i++) if (shared.kept[i] !== kept[i]) return false;
  return true;
}

/**
 * The codes of some samples (`rows`, or when every sample is kept the `count` from `from`). A label with few values keeps the profile's dictionary (shared, not copied); one with
 * many (a request id per sample) gets a dictionary of only the values the write uses, so that a write carries, and
 * its log record holds, only its own values.
 */
function pickCodes(column: EncodedLabelColumn, rows: Uint32Array | undefined, from: number, count: number): EncodedLabelColumn {
  const source = column.codes;
  if (column.dictionary.length <= count / 16) {
    if (!rows) return { dictionary: column.dictionary, codes: source.slice(from, from + count) };
    const codes = new Int32Array(count);
    for (let r = 0; r < count; r++) codes[r] = source[rows[r]!]!;
    return { dictionary: column.dictionary, codes };
  }
  const codes = new Int32Array(count);
  const remap = new Int32Array(column.dictionary.length).fill(-1);
  const dictionary: string[] = [];
  for (let r = 0; r < count; r++) {
    const code = source[rows ? rows[r]! : from + r]!;
    if (code < 0) {
      codes[r] = -1;
      continue;
    }
    let picked = remap[code]!;
    if (picked < 0) {
      picked = remap[code] = dictionary.length;
      dictionary.push(column.dictionary[code]!);
    }
    codes[r] = picked;
  }
  return { dictionary, codes };
}

/**
 * The samples written for value type `t`: all of them (`kept` undefined), or the non-zero ones when the profile has
 * several types.
 */
function keptSamples(profile: ImportedProfile, t: number): { kept: Uint32Array | undefined; keptCount: number } {
  const n = profile.sampleStacks.length;
  const values = profile.sampleValues[t]!;
  if (profile.valueTypes.length === 1) return { kept: undefined, keptCount: n };
  let zeros = 0;
  for (let i = 0; i < n; i++) if (values[i] === 0) zeros++;
  if (zeros === 0) return { kept: undefined, keptCount: n };
  const kept = new Uint32Array(n - zeros);
  let keptCount = 0;
  for (let i = 0; i < n; i++) if (values[i] !== 0) kept[keptCount++] = i;
  return { kept, keptCount };
}

/** The store writes importToStore makes for a profile, and the rows they hold in all. */
export function plannedWrites(profile: ImportedProfile): { writes: number; rows: number } {
  let writes = 0;
  let rows = 0;
  for (let t = 0; t < profile.valueTypes.length; t++) {
    const { keptCount } = keptSamples(profile, t);
    writes += Math.ceil(keptCount / ROWS_PER_WRITE);
    rows += keptCount;
  }
  return { writes, rows };
}
