import { DataType, type Data, type RecordBatch, type Table } from 'apache-arrow';
import { matcherAccepts } from '../../common/selectorMatch';
import { MetadataStore, type StoredFrame } from '../../storage/metadata/metadataStore';
import { compilePredicate, selectionPredicate, yieldIfSliceSpent, type CompiledPredicate, type Selection } from '../../storage/query';
import { dictionaryColumn, gather, makeBatch, numberColumn } from '../../storage/query/arrowBuild';
import { COLUMN, isLabelColumn, LABEL_KEY_PATTERN, LABEL_PREFIX, labelColumn } from '../../storage/schema';
import { idsOf, labelColumnOf, linesOf, millisecondsOf, numbersOf, stringReader } from './datasetColumns';
import { FRAME_COLUMNS, STACK_COLUMNS } from './datasetLayout';
import { DatasetSource } from './datasetSource';
import { damaged, inDataset, type Dataset, type SampleFile } from './openDataset';
import { openParquetFile } from './parquetFile';

/** A selection read from a dataset, and how much of the dataset it took to read it. */
export interface DatasetRead {
  source: DatasetSource;
  /** Sample files read, and those skipped because their partitions or label columns could not match. */
  filesRead: number;
  filesSkipped: number;
}

/** The selected rows of one batch, with their stack ids still the dataset's. */
interface KeptRows {
  names: string[];
  columns: Data[];
  rows: number;
  stackIds: BigInt64Array;
}

const DAY_MS = 86_400_000;
/** Sample files read at once: enough to keep the worker busy, few enough to bound the rows held before conversion. */
const FILES_AT_ONCE = 3;

/** `work` on every item, at most `window` at once, the results in the items' order. */
async function inWindows<T, R>(items: readonly T[], window: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(window, items.length) }, lane));
  return results;
}

/**
 * Reads the samples a selection (label matchers, maybe a profile type and a time range) picks from a dataset, with
 * the stacks and frames they refer to. Only sample files whose partitions (profile type, date) and label columns
 * could match are read: a file without a label's column has '' for it, so `{branch="main"}` skips it. The rows kept
 * are those the selection's predicate selects (the store's own predicate code), so the stacks and frames read are
 * only theirs. Stack and frame ids become dense ids of a MetadataStore; a row the dataset lacks (a sample's stack, a
 * stack's frame) is damage, reported with a sentence.
 */
export async function readDatasetSelection(dataset: Dataset, selection: Selection): Promise<DatasetRead> {
  const predicate = selectionPredicate(selection);
  const compiled = predicate === undefined ? undefined : { all: compilePredicate(predicate), labels: compilePredicate(selectionPredicate({ matchers: selection.matchers }) ?? predicate) };
  const kept: KeptRows[] = [];
  let filesRead = 0;
  let filesSkipped = 0;
  // A few files at a time: the worker decodes the next while this thread converts the one before.
  // The conversion below runs on the calling thread (the agent's, for the compare panel): it gives the event loop back
  // after each slice of it, as queries do, so that other requests are answered meanwhile.
  const slice = {};
  const files = await inWindows(dataset.samples, FILES_AT_ONCE, file => (partitionMayMatch(file, selection) ? readSampleFile(dataset, file, selection, compiled, slice) : Promise.resolve(undefined)));
  for (const rows of files) {
    if (rows === undefined) filesSkipped++;
    else {
      filesRead++;
      kept.push(...rows);
    }
  }
  const needed = new Set<bigint>();
  for (const rows of kept) for (const id of rows.stackIds) needed.add(id);
  const stacks = await readStacks(dataset, needed);
  const neededFrames = new Set<bigint>();
  for (const ids of stacks.values()) for (const id of ids) neededFrames.add(id);
  const frames = await readFrames(dataset, neededFrames);
  const metadata = new MetadataStore();
  const frameIds = new Map<bigint, number>();
  let interned = 0;
  for (const [id, frame] of frames) {
    frameIds.set(id, metadata.internFrame(frame));
    if (++interned % 4096 === 0) await yieldIfSliceSpent(slice);
  }
  const stackIds = new Map<bigint, number>();
  for (const [id, ids] of stacks) {
    stackIds.set(id, metadata.internStack(Array.from(ids, f => frameIds.get(f)!)));
    if (++interned % 4096 === 0) await yieldIfSliceSpent(slice);
  }
  const batches: RecordBatch[] = [];
  for (const rows of kept) {
    const dense = Uint32Array.from(rows.stackIds, id => stackIds.get(id)!);
    batches.push(makeBatch([...rows.names, COLUMN.stackId], [...rows.columns, numberColumn(dense)], rows.rows));
    await yieldIfSliceSpent(slice);
  }
  return { source: new DatasetSource(metadata, batches), filesRead, filesSkipped };
}

function partitionMayMatch(file: SampleFile, selection: Selection): boolean {
  if (selection.profileType !== undefined && file.profileType !== selection.profileType) return false;
  const day = Date.parse(`${file.date}T00:00:00Z`);
  if (selection.timeRange === undefined || Number.isNaN(day)) return true;
  return day < selection.timeRange.endMs && day + DAY_MS > selection.timeRange.startMs;
}

/** The selection's predicate, and that of its label matchers alone (what a file's label columns can be tested with). */
type Predicates = { all: CompiledPredicate; labels: CompiledPredicate };

async function readSampleFile(dataset: Dataset, file: SampleFile, selection: Selection, predicates: Predicates | undefined, slice: object): Promise<KeptRows[] | undefined> {
  const reader = await openParquetFile(dataset.dir, file.path);
  const name = inDataset(dataset.dir, file.path);
  const labels = reader.columns.filter(c => isLabelColumn(c) && LABEL_KEY_PATTERN.test(c.slice(LABEL_PREFIX.length)));
  // A file without a label's column has '' for it in every row: a matcher that refuses '' cannot select any row.
  if (!selection.matchers.every(m => labels.includes(labelColumn(m.key)) || matcherAccepts(m, ''))) return undefined;
  for (const required of [COLUMN.timestamp, COLUMN.value, COLUMN.stackId]) {
    if (!reader.columns.includes(required)) throw damaged(dataset.dir, `${name} has no ${required} column`);
  }
  // The label columns the matchers name are read first, alone: a file none of whose rows they select is not read.
  const tested = [...new Set(selection.matchers.map(m => labelColumn(m.key)).filter(c => labels.includes(c)))];
  if (predicates && tested.length > 0 && !anyRowSelected(dataset, name, await reader.read(tested), predicates.labels)) return undefined;
  const table = await reader.read([COLUMN.timestamp, COLUMN.duration, COLUMN.period, COLUMN.value, COLUMN.stackId, COLUMN.line, ...labels]);
  const out: KeptRows[] = [];
  for (const batch of table.batches) {
    await yieldIfSliceSpent(slice);
    const rows = sampleRows(dataset, name, file, batch, labels);
    const selected = predicates?.all.select(makeBatch(rows.names, rows.columns, rows.rows), null) ?? null;
    if (selected === null) out.push(rows);
    else if (selected.length > 0) out.push({ names: rows.names, columns: rows.columns.map(c => gather(c, selected)), rows: selected.length, stackIds: BigInt64Array.from(selected, i => rows.stackIds[i]!) });
  }
  return out;
}

function anyRowSelected(dataset: Dataset, name: string, table: Table, predicate: CompiledPredicate): boolean {
  return table.batches.some(batch => {
    const names = batch.schema.fields.map(f => f.name);
    const columns = names.map(c => labelColumnOf(batch.getChild(c)!.data[0]!) ?? throwError(damaged(dataset.dir, `the ${c} column of ${name} is of type ${String(batch.getChild(c)!.type)}, not text`)));
    const selected = predicate.select(makeBatch(names, columns, batch.numRows), null);
    return selected === null || selected.length > 0;
  });
}

/** One batch of a samples file in the in-memory types, its profile type from the file's partition. */
function sampleRows(dataset: Dataset, name: string, file: SampleFile, batch: RecordBatch, labels: readonly string[]): KeptRows {
  const n = batch.numRows;
  const data = (column: string): Data | undefined => batch.getChild(column)?.data[0];
  const wrong = (column: string, what: string) => damaged(dataset.dir, `the ${column} column of ${name} ${what}`);
  const required = <T>(column: string, read: (d: Data) => T | undefined): T => {
    const d = data(column)!;
    if (d.nullCount > 0) throw wrong(column, 'has nulls');
    const values = read(d);
    if (values === undefined) throw wrong(column, `is of type ${String(d.type)}`);
    return values;
  };
  const optional = (column: string): Float64Array => {
    const d = data(column);
    if (d === undefined) return new Float64Array(n);
    const values = numbersOf(d);
    if (values === undefined) throw wrong(column, `is of type ${String(d.type)}`);
    return values;
  };
  const names = [COLUMN.profileType, COLUMN.timestamp, COLUMN.duration, COLUMN.period, COLUMN.value, COLUMN.line] as string[];
  const lineData = data(COLUMN.line);
  const columns = [
    dictionaryColumn([file.profileType], new Int32Array(n)),
    numberColumn(required(COLUMN.timestamp, millisecondsOf)),
    numberColumn(optional(COLUMN.duration)),
    numberColumn(optional(COLUMN.period)),
    numberColumn(required(COLUMN.value, numbersOf)),
    lineData === undefined ? numberColumn(new Uint32Array(n)) : (linesOf(lineData) ?? throwError(wrong(COLUMN.line, `is of type ${String(lineData.type)}`))),
  ];
  for (const label of labels) {
    const d = data(label)!;
    names.push(label);
    columns.push(labelColumnOf(d) ?? throwError(wrong(label, `is of type ${String(d.type)}, not text`)));
  }
  return { names, columns, rows: n, stackIds: required(COLUMN.stackId, idsOf) };
}

/**
 * A dataset frame as the store holds it, such that where Icicle places its function (common/functionIdentity.ts's
 * definitionOf: the frame's own position, or its functionLine and no column) is the definition the dataset names in
 * function_line and function_column: the frame's own position (V8), a start line without a column (pprof), or a
 * definition found elsewhere, which becomes the frame's position (a V8 frame without one); 0 is unknown, placed again
 * from the frames read, as the store places it. Without function_column (another writer), a function_line other than
 * the frame's line is the start line.
 */
export function storedFrameOf(frame: StoredFrame, functionLine: number, functionColumn: number | undefined): StoredFrame {
  if (functionColumn === undefined) return functionLine > 0 && functionLine !== frame.line ? { ...frame, functionLine } : frame;
  if (functionLine === frame.line && functionColumn === frame.column) return frame;
  if (functionLine === 0) return frame.line === 0 && frame.column === 0 ? frame : { ...frame, functionLine: 0 };
  if (functionColumn === 0) return { ...frame, functionLine };
  return { ...frame, line: functionLine, column: functionColumn };
}

function throwError(error: Error): never {
  throw error;
}

/** The frame ids of each needed stack (leaf first); the first row of an id is its row (ids are content hashes). */
async function readStacks(dataset: Dataset, needed: ReadonlySet<bigint>): Promise<Map<bigint, BigInt64Array>> {
  const stacks = new Map<bigint, BigInt64Array>();
  for (const path of dataset.stacks) {
    if (stacks.size === needed.size) break;
    const name = inDataset(dataset.dir, path);
    const reader = await openParquetFile(dataset.dir, path);
    for (const column of [STACK_COLUMNS.id, STACK_COLUMNS.frameIds]) if (!reader.columns.includes(column)) throw damaged(dataset.dir, `${name} has no ${column} column`);
    const table = await reader.read([STACK_COLUMNS.id, STACK_COLUMNS.frameIds]);
    for (const batch of table.batches) {
      const idData = batch.getChild(STACK_COLUMNS.id)!.data[0]!;
      const list = batch.getChild(STACK_COLUMNS.frameIds)!.data[0]!;
      const ids = idsOf(idData);
      const frames = DataType.isList(list.type) ? idsOf(list.children[0]!) : undefined;
      if (ids === undefined || idData.nullCount > 0 || frames === undefined) throw damaged(dataset.dir, `${name} is not a table of stack ids and their frame ids`);
      const offsets = list.valueOffsets;
      for (let i = 0; i < ids.length; i++) {
        const id = ids[i]!;
        if (needed.has(id) && !stacks.has(id)) stacks.set(id, frames.slice(offsets[i]!, offsets[i + 1]!));
      }
    }
  }
  for (const id of needed) if (!stacks.has(id)) throw damaged(dataset.dir, `its samples refer to stack ${id}, which no file of ${'stacks/'} holds`);
  return stacks;
}

/** The needed frames by id, as the store would hold them (storedFrameOf). */
async function readFrames(dataset: Dataset, needed: ReadonlySet<bigint>): Promise<Map<bigint, StoredFrame>> {
  const frames = new Map<bigint, StoredFrame>();
  const columns = Object.values(FRAME_COLUMNS);
  for (const path of dataset.frames) {
    if (frames.size === needed.size) break;
    const name = inDataset(dataset.dir, path);
    const reader = await openParquetFile(dataset.dir, path);
    for (const column of [FRAME_COLUMNS.id, FRAME_COLUMNS.functionName]) if (!reader.columns.includes(column)) throw damaged(dataset.dir, `${name} has no ${column} column`);
    const table = await reader.read(columns);
    for (const batch of table.batches) {
      const column = (c: string) => batch.getChild(c)?.data[0];
      const wrong = () => damaged(dataset.dir, `${name} is not a table of frames`);
      const ids = idsOf(column(FRAME_COLUMNS.id)!) ?? throwError(wrong());
      const text = (c: string): ((i: number) => string) => {
        const d = column(c);
        if (d === undefined) return () => '';
        const read = stringReader(d) ?? throwError(wrong());
        return i => read(i) ?? '';
      };
      const number = (c: string): ((i: number) => number) => {
        const d = column(c);
        if (d === undefined) return () => 0;
        const values = numbersOf(d) ?? throwError(wrong());
        return i => (Number.isFinite(values[i]) ? Math.max(0, values[i]!) : 0);
      };
      const [functionName, file, module] = [text(FRAME_COLUMNS.functionName), text(FRAME_COLUMNS.file), text(FRAME_COLUMNS.module)];
      const [line, col, address, functionLine, functionColumn] = [FRAME_COLUMNS.line, FRAME_COLUMNS.column, FRAME_COLUMNS.address, FRAME_COLUMNS.functionLine, FRAME_COLUMNS.functionColumn].map(number);
      const hasFunctionColumn = column(FRAME_COLUMNS.functionColumn) !== undefined;
      for (let i = 0; i < ids.length; i++) {
        const id = ids[i]!;
        if (!needed.has(id) || frames.has(id)) continue;
        const frame: StoredFrame = { functionName: functionName(i), file: file(i), line: line!(i), column: col!(i), module: module(i), address: address!(i) };
        frames.set(id, storedFrameOf(frame, functionLine!(i), hasFunctionColumn ? functionColumn!(i) : undefined));
      }
    }
  }
  for (const id of needed) if (!frames.has(id)) throw damaged(dataset.dir, `its stacks refer to frame ${id}, which no file of frames/ holds`);
  return frames;
}
