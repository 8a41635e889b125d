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
  const plan = scan().where(selectionPredicate(selection)).build();
  for await (const chunk of executeChunks(plan, source)) {
    const batch = chunk.batch;
    const n = chunk.rows ? chunk.rows.length : batch.numRows;
    if (n === 0) continue;
    const types = codesOf(batch.getChild(COLUMN.profileType));
    const sessions = codesOf(batch.getChild(SESSION));
    const profiles = codesOf(batch.getChild(PROFILE));
    const timestamps = numberColumn(batch, COLUMN.timestamp)!;
    const numbers = [COLUMN.value, COLUMN.duration, COLUMN.period].map(name => numberColumn(batch, name)!);
    const stacks = numberColumn(batch, COLUMN.stackId)!;
    const lines = numberColumn(batch, COLUMN.line)!;
    const labels = batch.schema.fields
      .filter(f => isLabelColumn(f.name) && !isInternalLabel(f.name.slice(LABEL_PREFIX.length)))
      .map(f => new LabelHashes(f.name, batch.getChild(f.name)!));
    // The group of the previous row, by its day and dictionary codes: rows of a batch mostly share theirs.
    let current: GroupBuilder | undefined;
    let currentCodes = [NaN, NaN, NaN, NaN];
    for (let k = 0; k < n; k++) {
      const i = chunk.rows ? chunk.rows[k]! : k;
      const timestamp = timestamps.values[timestamps.offset + i]!;
      const day = Math.floor(timestamp / DAY_MS);
      const type = types!.code(i);
      const session = sessions ? sessions.code(i) : -1;
      const profile = session < 0 && profiles ? profiles.code(i) : -1;
      if (current === undefined || day !== currentCodes[0] || type !== currentCodes[1] || session !== currentCodes[2] || profile !== currentCodes[3]) {
        currentCodes = [day, type, session, profile];
        const profileType = types!.value(type)!;
        const sessionId = sessions?.value(session) ?? null;
        const profileId = profiles?.value(profile) ?? null;
        const keyText = JSON.stringify([day, profileType, sessionId, profileId]);
        current = groups.get(keyText);
        if (!current) groups.set(keyText, (current = new GroupBuilder({ selection: selectionKey, profileType, date: utcDate(timestamp), sessionId, profileId })));
      }
      let h1 = mix(0x9747b28c, timestamp % 4294967296);
      let h2 = mix(0x2545f491, timestamp % 4294967296 ^ 0x5bd1e995);
      h1 = mix(h1, Math.floor(timestamp / 4294967296));
      h2 = mix(h2, Math.floor(timestamp / 4294967296) ^ 0x5bd1e995);
      for (const column of numbers) {
        const v = column.values[column.offset + i]!;
        h1 = mix(mix(h1, v % 4294967296), Math.floor(v / 4294967296));
        h2 = mix(mix(h2, (v % 4294967296) ^ 0x5bd1e995), Math.floor(v / 4294967296) ^ 0x5bd1e995);
      }
      const stack = stacks.values[stacks.offset + i]!;
      const words = ids.stackWords(stack);
      const line = lines.values[lines.offset + i]!;
      h1 = mix(mix(mix(h1, words[0]), words[1]), line);
      h2 = mix(mix(mix(h2, words[0] ^ 0x5bd1e995), words[1] ^ 0x5bd1e995), line ^ 0x5bd1e995);
      for (const label of labels) {
        const d = label.dictionaryIndex(i);
        if (d < 0) continue;
        current.labelColumns.add(label.name);
        h1 = mix(mix(h1, label.hashes[2 * d]!), label.hashes[2 * d + 1]!);
        h2 = mix(mix(h2, label.hashes[2 * d]! ^ 0x5bd1e995), label.hashes[2 * d + 1]! ^ 0x5bd1e995);
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
  private rows = new Uint32Array(1024);
  private used = 0;
  private count = 0;
  private sum1 = 0;
  private sum2 = 0;

  constructor(private readonly key: RunKey) {}

  add(batch: RecordBatch, row: number, h1: number, h2: number): void {
    if (batch !== this.batch) this.close(batch);
    if (this.used === this.rows.length) {
      const grown = new Uint32Array(2 * this.rows.length);
      grown.set(this.rows);
      this.rows = grown;
    }
    this.rows[this.used++] = row;
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
    if (this.batch && this.used > 0) this.parts.push({ batch: this.batch, rows: this.rows.slice(0, this.used) });
    this.batch = next;
    this.used = 0;
  }
}

/** A dictionary-encoded string column's codes per row (-1 for null) and the value of a code. */
interface DictionaryCodes {
  code(row: number): number;
  value(code: number): string | null;
}

export function codesOf(vector: Vector | null): DictionaryCodes | undefined {
  if (!vector) return undefined;
  const data = vector.data[0]!;
  const dictionary = data.dictionary;
  if (!dictionary) {
    // Not expected (the store's strings are dictionaries in memory), but then each row is its own code.
    return { code: row => (vector.isValid(row) ? row : -1), value: code => (code < 0 ? null : String(vector.get(code))) };
  }
  const indices = data.values as Int32Array;
  const offset = data.offset;
  const bitmap = data.nullCount > 0 ? data.nullBitmap : undefined;
  return {
    code: row => {
      const at = offset + row;
      if (bitmap && (bitmap[at >> 3]! & (1 << (at & 7))) === 0) return -1;
      return indices[at]!;
    },
    value: code => (code < 0 ? null : (dictionary.get(code) as string)),
  };
}

/** A label column's two 32-bit hashes per dictionary value (of its name and the value), computed once per batch. */
class LabelHashes {
  readonly hashes: Uint32Array;
  private readonly codes: DictionaryCodes;

  constructor(
    readonly name: string,
    vector: Vector,
  ) {
    this.codes = codesOf(vector)!;
    const data = vector.data[0]!;
    const size = data.dictionary ? data.dictionary.length : vector.length;
    const seed = stringHash(name, 0x811c9dc5);
    this.hashes = new Uint32Array(2 * size);
    for (let d = 0; d < size; d++) {
      const value = this.codes.value(d);
      if (value === null) continue;
      this.hashes[2 * d] = stringHash(value, seed);
      this.hashes[2 * d + 1] = stringHash(value, seed ^ 0x27d4eb2f);
    }
  }

  /** The row's dictionary index; -1 for null. */
  dictionaryIndex(row: number): number {
    return this.codes.code(row);
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
