import type { Data, RecordBatch, Vector } from 'apache-arrow';
import type { MetadataStore } from '../../storage/metadata/metadataStore';
import type { ScanSource } from '../../storage/query/scanSource';
import { COLUMN, labelColumn, type BlockStats } from '../../storage/schema';
import { compactDense, expandToLines, type MergeResult, type PerLineResult, type StackCatalog } from './mergeResult';

/**
 * The store's side of the benchmark queries, written directly against `snapshot.scan` (block pruning by
 * statistics, projection of three columns, then a tight loop per batch). It stands in for the query engine's
 * merge-stacks plan until that lands, and stays as the hand-written reference the engine should match.
 */
export async function mergeStacksByScan(source: ScanSource, labelKey: string, labelValue: string): Promise<MergeResult> {
  const column = labelColumn(labelKey);
  const acc = new Float64Array(source.metadata.stackCount + 1);
  const request = { columns: [COLUMN.stackId, COLUMN.value, column], mayMatch: (stats: BlockStats) => mayContain(stats, column, labelValue) };
  for await (const batch of source.scan(request)) {
    const label = batch.getChild(column);
    // A batch without the label column has it null on every row: nothing there can equal the value.
    if (!label) continue;
    addMatchingRows(acc, batch, label.data[0]!, labelValue);
  }
  return compactDense(acc);
}

/** Per-line totals for one file over every sample: per-stack totals from a scan, then stacks expanded through metadata. */
export async function perLineByScan(source: ScanSource, stacks: StackCatalog, file: string): Promise<PerLineResult> {
  const acc = new Float64Array(source.metadata.stackCount + 1);
  for await (const batch of source.scan({ columns: [COLUMN.stackId, COLUMN.value] })) {
    const ids = batch.getChild(COLUMN.stackId)!.data[0]!.values as Uint32Array;
    const values = batch.getChild(COLUMN.value)!.data[0]!.values as Float64Array;
    for (let i = 0, n = batch.numRows; i < n; i++) acc[ids[i]!]! += values[i]!;
  }
  return expandToLines(acc, stacks, file);
}

/** The store's metadata as the per-line expansion sees it (no copy: stacks are the metadata's own arrays). */
export function metadataStacks(metadata: MetadataStore): StackCatalog {
  return {
    stackCount: metadata.stackCount,
    frameCount: metadata.frameCount,
    stack: id => metadata.stack(id),
    frameFile: id => metadata.frame(id).file,
    frameLine: id => metadata.frame(id).line,
  };
}

/** Block pruning: the exact distinct list when statistics carry one, the min/max range otherwise. */
function mayContain(stats: BlockStats, column: string, value: string): boolean {
  const s = stats.columns[column];
  if (!s || s.min === undefined) return false;
  if (s.distinct) return s.distinct.includes(value);
  return (s.min as string) <= value && value <= (s.max as string);
}

/** Dictionary codes are per batch: resolve the wanted value once per dictionary, then compare integers per row. */
const codeCache = new WeakMap<Vector, number>();

function codeOf(dictionary: Vector, value: string): number {
  let code = codeCache.get(dictionary);
  if (code === undefined) {
    code = -1;
    for (let i = 0; i < dictionary.length; i++) {
      if (dictionary.get(i) === value) {
        code = i;
        break;
      }
    }
    codeCache.set(dictionary, code);
  }
  return code;
}

/** Row numbers of the current batch that match, reused across batches (grown to the largest batch seen). */
let selection = new Uint32Array(1 << 16);

/**
 * Two passes per batch, as in the floor: the matching rows' numbers first (an integer compare per row, the
 * validity bit only when the column has nulls), then the accumulation over just those rows.
 */
function addMatchingRows(acc: Float64Array, batch: RecordBatch, label: Data, value: string): void {
  const code = codeOf(label.dictionary!, value);
  if (code < 0) return;
  const codes = label.values as Int32Array;
  const ids = batch.getChild(COLUMN.stackId)!.data[0]!.values as Uint32Array;
  const values = batch.getChild(COLUMN.value)!.data[0]!.values as Float64Array;
  const n = batch.numRows;
  if (selection.length < n) selection = new Uint32Array(n);
  const rows = selection;
  let k = 0;
  if (label.nullCount === 0) {
    for (let i = 0; i < n; i++) if (codes[i] === code) rows[k++] = i;
  } else {
    // A null row's code slot holds an arbitrary code, so check validity (bit offset by the data's offset) too.
    const validity = label.nullBitmap!;
    const offset = label.offset;
    for (let i = 0; i < n; i++) {
      const bit = offset + i;
      if (codes[i] === code && validity[bit >> 3]! & (1 << (bit & 7))) rows[k++] = i;
    }
  }
  for (let j = 0; j < k; j++) {
    const i = rows[j]!;
    acc[ids[i]!]! += values[i]!;
  }
}
