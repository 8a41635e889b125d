import type { RecordBatch, Vector } from 'apache-arrow';
import { executeChunks, scan, selectionPredicate, type ScanSource, type Selection } from '../../../storage/query';
import { COLUMN, isInternalLabel, isLabelColumn, LABEL_PREFIX, labelColumn } from '../../../storage/schema';
import type { DatasetIds } from './datasetIds';
import { utcDate, type RunKey } from './datasetLayout';

/** The rows of one batch that belong to a group, ascending. */
export interface GroupPart {
  batch: RecordBatch;
  rows: Uint32Array;
}

/** The selected samples of one run in one partition: what one samples file holds (datasetLayout.ts's RunKey). */
export interface SampleGroup {
  key: RunKey;
  parts: GroupPart[];
  rows: number;
  /** The label columns some row of the group has a value in. */
  labelColumns: Set<string>;
  /**
   * A fingerprint of the group's rows, whatever their order: a sum of a 64-bit hash of each row's values (with its
   * stack's dataset id, not the store's). The same rows give the same fingerprint in every store and after the
   * store's compaction reorders them; a row more or less changes it.
   */
  fingerprint: string;
}

const SESSION = labelColumn('session_id');
const PROFILE = labelColumn('profile_id');
/**
 * The run labels every samples file has, null where a sample lacks them, so that a query naming a run (as the design
 * note's regression query does) reads any dataset.
 */
export const ALWAYS_LABELS = [SESSION, PROFILE] as const;
const DAY_MS = 86_400_000;

/** Scans the selection once and sorts its rows into groups, fingerprinting each. */
export async function groupSamples(source: ScanSource, selection: Selection, selectionKey: string, ids: DatasetIds): Promise<SampleGroup[]> {
  const groups = new Map<string, GroupBuilder>();
  const stackWords = new StackWords(ids);
  const plan = scan().where(selectionPredicate(selection)).build();
  for await (const chunk of executeChunks(plan, source)) {
    const batch = chunk.batch;
    const n = chunk.rows ? chunk.rows.length : batch.numRows;
    if (n === 0) continue;
    const types = batch.getChild(COLUMN.profileType)!;
    const sessions = batch.getChild(SESSION);
    const profiles = batch.getChild(PROFILE);
    const timestamps = numberColumn(batch, COLUMN.timestamp)!;
    const numbers = [COLUMN.value, COLUMN.duration, COLUMN.period].map(name => numberColumn(batch, name)!);
    const stacks = numberColumn(batch, COLUMN.stackId)!;
    const lines = numberColumn(batch, COLUMN.line)!;
    const labels = batch.schema.fields
      .filter(f => isLabelColumn(f.name) && !isInternalLabel(f.name.slice(LABEL_PREFIX.length)))
      .map(f => new LabelHashes(f.name, batch.getChild(f.name)!));
    let current: GroupBuilder | undefined;
    let currentKey = '';
    for (let k = 0; k < n; k++) {
      const i = chunk.rows ? chunk.rows[k]! : k;
      const timestamp = timestamps.values[timestamps.offset + i]!;
      const profileType = types.get(i) as string;
      const sessionId = (sessions?.get(i) as string | null | undefined) ?? null;
      const profileId = sessionId === null ? ((profiles?.get(i) as string | null | undefined) ?? null) : null;
      const keyText = `${Math.floor(timestamp / DAY_MS)}\u0000${profileType}\u0000${sessionId}\u0000${profileId}`;
      if (current === undefined || keyText !== currentKey) {
        currentKey = keyText;
        current = groups.get(keyText);
        if (!current) groups.set(keyText, (current = new GroupBuilder({ selection: selectionKey, profileType, date: utcDate(timestamp), sessionId, profileId })));
      }
      let h1 = 0x9747b28c;
      let h2 = 0x2545f491;
      const mixIn = (word: number): void => {
        h1 = mix(h1, word);
        h2 = mix(h2, word ^ 0x5bd1e995);
      };
      mixIn(timestamp % 4294967296);
      mixIn(Math.floor(timestamp / 4294967296));
      for (const column of numbers) {
        const v = column.values[column.offset + i]!;
        mixIn(v % 4294967296);
        mixIn(Math.floor(v / 4294967296));
      }
      const stack = stacks.values[stacks.offset + i]!;
      mixIn(stackWords.low(stack));
      mixIn(stackWords.high(stack));
      mixIn(lines.values[lines.offset + i]!);
      for (const label of labels) {
        const hash = label.hash(i);
        if (hash === undefined) continue;
        current.labelColumns.add(label.name);
        mixIn(hash[0]);
        mixIn(hash[1]);
      }
      current.add(batch, i, fmix(h1), fmix(h2));
    }
  }
  return [...groups.values()].map(g => g.build());
}

interface NumberColumn {
  values: ArrayLike<number>;
  offset: number;
}

export function numberColumn(batch: RecordBatch, name: string): NumberColumn | undefined {
  const data = batch.getChild(name)?.data[0];
  return data ? { values: data.values as ArrayLike<number>, offset: data.offset } : undefined;
}

class GroupBuilder {
  readonly labelColumns = new Set<string>(ALWAYS_LABELS);
  private readonly parts: GroupPart[] = [];
  private batch: RecordBatch | undefined;
  private rows: number[] = [];
  private count = 0;
  private sum1 = 0;
  private sum2 = 0;

  constructor(private readonly key: RunKey) {}

  add(batch: RecordBatch, row: number, h1: number, h2: number): void {
    if (batch !== this.batch) this.close(batch);
    this.rows.push(row);
    this.count++;
    this.sum1 = (this.sum1 + h1) >>> 0;
    this.sum2 = (this.sum2 + h2) >>> 0;
  }

  build(): SampleGroup {
    this.close(undefined);
    const fingerprint = `v1:${this.count}:${this.sum1.toString(16)}:${this.sum2.toString(16)}`;
    return { key: this.key, parts: this.parts, rows: this.count, labelColumns: this.labelColumns, fingerprint };
  }

  private close(next: RecordBatch | undefined): void {
    if (this.batch && this.rows.length > 0) this.parts.push({ batch: this.batch, rows: Uint32Array.from(this.rows) });
    this.batch = next;
    this.rows = [];
  }
}

/** A label column's hash per dictionary value (of its name and the value), computed once per dictionary. */
class LabelHashes {
  private readonly dictionaryHashes: Uint32Array | undefined;
  private readonly indices: Int32Array | undefined;
  private readonly offset: number;

  constructor(
    readonly name: string,
    private readonly vector: Vector,
  ) {
    const data = vector.data[0]!;
    const dictionary = data.dictionary;
    this.offset = data.offset;
    if (dictionary) {
      this.indices = data.values as Int32Array;
      const seed = stringHash(name, 0x811c9dc5);
      this.dictionaryHashes = new Uint32Array(2 * dictionary.length);
      for (let d = 0; d < dictionary.length; d++) {
        const value = dictionary.get(d) as string;
        this.dictionaryHashes[2 * d] = stringHash(value, seed);
        this.dictionaryHashes[2 * d + 1] = stringHash(value, seed ^ 0x27d4eb2f);
      }
    }
  }

  hash(row: number): [number, number] | undefined {
    if (!this.vector.isValid(row)) return undefined;
    if (this.dictionaryHashes && this.indices) {
      const d = this.indices[this.offset + row]!;
      return [this.dictionaryHashes[2 * d]!, this.dictionaryHashes[2 * d + 1]!];
    }
    const value = String(this.vector.get(row));
    const seed = stringHash(this.name, 0x811c9dc5);
    return [stringHash(value, seed), stringHash(value, seed ^ 0x27d4eb2f)];
  }
}

/** The two 32-bit words of each store stack's dataset id, computed once per stack. */
class StackWords {
  private readonly words = new Map<number, [number, number]>();

  constructor(private readonly ids: DatasetIds) {}

  low(stack: number): number {
    return this.of(stack)[0];
  }

  high(stack: number): number {
    return this.of(stack)[1];
  }

  private of(stack: number): [number, number] {
    let words = this.words.get(stack);
    if (!words) {
      const id = BigInt.asUintN(64, this.ids.stack(stack));
      this.words.set(stack, (words = [Number(id & 0xffffffffn), Number(id >> 32n)]));
    }
    return words;
  }
}

/** FNV-1a over UTF-16 code units from a seed, then finalised: a label value's 32-bit hash. */
function stringHash(text: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return fmix(h ^ text.length);
}

/** MurmurHash3's block step: one 32-bit word into the running hash. */
function mix(h: number, word: number): number {
  let k = Math.imul(word | 0, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** MurmurHash3's finaliser. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
