import { DataType, Dictionary, Int32, Utf8, makeData, makeVector, type Data, type RecordBatch } from 'apache-arrow';
import { dictionaryColumnData } from '../part/columnBuilders';
import { dictionaryPartIds } from './dictionaryPartIds';
import { zeroedArray, type ScratchBuffers } from './scratchBuffers';

/**
 * A string column of a new block whose dictionary stays UTF-8 bytes: entries are copied from the batches' own
 * dictionaries, never decoded to strings, except for the few (sort candidates) whose order is needed.
 */
export class ByteDictionaryColumn {
  validity: Uint8Array | undefined;
  private decoded: string[] | undefined;

  constructor(
    public codes: Int32Array,
    validity: Uint8Array | undefined,
    private readonly offsets: Int32Array,
    private readonly bytes: Uint8Array,
  ) {
    this.validity = validity;
  }

  get size(): number {
    return this.offsets.length - 1;
  }

  strings(): readonly string[] {
    if (!this.decoded) {
      const buffer = Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.length);
      this.decoded = Array.from({ length: this.size }, (_, i) => buffer.toString('utf8', this.offsets[i], this.offsets[i + 1]));
    }
    return this.decoded;
  }

  toData(length: number): Data<Dictionary<Utf8, Int32>> {
    const dictionary = makeVector(makeData({ type: new Utf8(), length: this.size, nullCount: 0, valueOffsets: this.offsets, data: this.bytes }));
    return dictionaryColumnData(this.codes, this.validity, length, dictionary);
  }
}

/**
 * Concatenates a label column of batches from one active part, translating each batch's dictionary into one shared
 * dictionary by the entries' part-wide ids (dictionaryPartIds.ts): the same entries in the same order as merging by
 * string, for a typed-array lookup each. Undefined when a batch's dictionary has no ids: it is merged by string.
 */
export function concatByPartIds(batches: RecordBatch[], name: string, length: number, scratch?: ScratchBuffers): ByteDictionaryColumn | undefined {
  const inputs: ({ data: Data; strings: Data; ids: Int32Array } | undefined)[] = [];
  let maxId = -1;
  let entries = 0;
  for (const batch of batches) {
    const data = batch.getChild(name)?.data[0];
    if (!data) {
      inputs.push(undefined);
      continue;
    }
    const chunks = data.dictionary?.data;
    if (!DataType.isDictionary(data.type) || chunks?.length !== 1 || chunks[0]!.offset !== 0) return undefined;
    const ids = dictionaryPartIds(chunks[0]!);
    if (!ids) return undefined;
    for (let code = 0; code < ids.length; code++) if (ids[code]! > maxId) maxId = ids[code]!;
    entries += ids.length;
    inputs.push({ data, strings: chunks[0]!, ids });
  }
  // Per part-wide id, its code in the merged dictionary plus one (0: not in it yet); per merged entry, its source.
  const byId = new Int32Array(maxId + 1);
  const fromInput = new Int32Array(entries);
  const fromCode = new Int32Array(entries);
  let size = 0;
  let totalBytes = 0;
  // Reused (ScratchBuffers) when the caller gives one: the column lives as long as the block being written.
  const codes = zeroedArray(scratch, `codes:${name}`, Int32Array, length);
  let validity: Uint8Array | undefined;
  const markNull = (row: number): void => {
    validity ??= new Uint8Array(Math.ceil(length / 8)).fill(0xff);
    validity[row >> 3]! &= ~(1 << (row & 7));
  };
  let offset = 0;
  for (let b = 0; b < batches.length; b++) {
    const n = batches[b]!.numRows;
    const input = inputs[b];
    if (!input) {
      for (let i = offset; i < offset + n; i++) markNull(i);
      offset += n;
      continue;
    }
    const { data, ids } = input;
    const sourceOffsets = input.strings.valueOffsets as Int32Array;
    const translate = new Int32Array(ids.length);
    for (let code = 0; code < ids.length; code++) {
      const id = ids[code]!;
      let merged = byId[id]!;
      if (merged === 0) {
        merged = byId[id] = ++size;
        fromInput[size - 1] = b;
        fromCode[size - 1] = code;
        totalBytes += sourceOffsets[code + 1]! - sourceOffsets[code]!;
      }
      translate[code] = merged - 1;
    }
    const source = data.values as Int32Array;
    const nulls = data.nullCount > 0 ? data.nullBitmap : undefined;
    for (let i = 0; i < n; i++) {
      const at = data.offset + i;
      if (nulls && !(nulls[at >> 3]! & (1 << (at & 7)))) {
        codes[offset + i] = 0;
        markNull(offset + i);
      } else {
        codes[offset + i] = translate[source[i]!]!;
      }
    }
    offset += n;
  }
  const offsets = new Int32Array(size + 1);
  const bytes = new Uint8Array(totalBytes);
  let at = 0;
  for (let e = 0; e < size; e++) {
    const input = inputs[fromInput[e]!]!;
    const sourceOffsets = input.strings.valueOffsets as Int32Array;
    const sourceBytes = input.strings.values as Uint8Array;
    const code = fromCode[e]!;
    // Label values are short (a trace id is 32 bytes): a loop costs less than a subarray and a set per entry.
    for (let k = sourceOffsets[code]!, end = sourceOffsets[code + 1]!; k < end; k++) bytes[at++] = sourceBytes[k]!;
    offsets[e + 1] = at;
  }
  return new ByteDictionaryColumn(codes, validity, offsets, bytes);
}
