import { createHash } from 'node:crypto';
import type { MetadataStore, StoredFrame } from '../../../storage/metadata/metadataStore';
import { functionPositions } from '../../queries/stacks/functionPositions';

/**
 * A frame as the dataset's frames/ table holds it. `functionLine` and `functionColumn` say where the frame's function
 * is defined, as Icicle places it (agent/queries/stacks/functionPositions.ts): for a V8 frame its own line and column,
 * for a pprof frame Function.start_line and no column, for a frame that names none the one definition its store knows
 * of that name and file; 0 when unknown. Function name, file and those two identify a function in SQL as in Icicle.
 */
export interface DatasetFrame {
  functionName: string;
  file: string;
  line: number;
  column: number;
  module: string;
  address: number;
  functionLine: number;
  functionColumn: number;
}

export function datasetFrame(frame: StoredFrame, definition: { line: number; column: number }): DatasetFrame {
  return {
    functionName: frame.functionName,
    file: frame.file,
    line: frame.line,
    column: frame.column,
    module: frame.module,
    address: frame.address,
    functionLine: definition.line,
    functionColumn: definition.column,
  };
}

/** The first 8 bytes of a SHA-256, as a signed big-endian int64: the dataset's id of a row's content. */
function hashId(content: Uint8Array | string): bigint {
  return createHash('sha256').update(content).digest().readBigInt64BE(0);
}

/**
 * A frame's id: the hash of the UTF-8 JSON array of all its fields in the table's column order (JSON quoting keeps
 * any name or file apart from its neighbours), so the same frame has the same id in every store and two frames that
 * differ in any field (two `onEnter`s of one file) never share one.
 */
export function frameId(frame: DatasetFrame): bigint {
  return hashId(JSON.stringify([frame.functionName, frame.file, frame.line, frame.column, frame.module, frame.address, frame.functionLine, frame.functionColumn]));
}

/** A stack's id: the hash of its frame ids, leaf first, each as 8 big-endian bytes (the empty stack: of nothing). */
export function stackId(frameIds: readonly bigint[]): bigint {
  const bytes = Buffer.alloc(8 * frameIds.length);
  frameIds.forEach((id, i) => bytes.writeBigInt64BE(id, 8 * i));
  return hashId(bytes);
}

/**
 * The dataset ids of one store's frames and stacks, each computed once, when first asked. Stack 0 (a sample without
 * a stack) is the empty stack.
 */
export class DatasetIds {
  private readonly frameIds = new Map<number, bigint>();
  private readonly stackIds = new Map<number, bigint>();

  private readonly positionOf: (frame: StoredFrame) => { line: number; column: number };
  /** Each store stack's id as two 32-bit words (low, high) once computed, for per-row loops: no BigInt, no Map. */
  private readonly words: Int32Array;
  private readonly dense: BigInt64Array;
  private readonly known: Uint8Array;

  constructor(readonly metadata: MetadataStore) {
    this.positionOf = functionPositions(metadata);
    this.known = new Uint8Array(metadata.stackCount + 1);
    this.dense = new BigInt64Array(metadata.stackCount + 1);
    this.words = new Int32Array(this.dense.buffer);
  }

  /** A store frame as the frames table's row. */
  row(id: number): DatasetFrame {
    const frame = this.metadata.frame(id);
    return datasetFrame(frame, this.positionOf(frame));
  }

  frame(id: number): bigint {
    let hash = this.frameIds.get(id);
    if (hash === undefined) this.frameIds.set(id, (hash = frameId(this.row(id))));
    return hash;
  }

  /** The store's frame ids of a stack, leaf first (none for stack 0). */
  stackFrames(id: number): ArrayLike<number> {
    return id === 0 ? [] : this.metadata.stack(id);
  }

  stack(id: number): bigint {
    if (id < this.known.length) {
      if (this.known[id] === 0) this.remember(id);
      return this.dense[id]!;
    }
    let hash = this.stackIds.get(id);
    if (hash === undefined) this.stackIds.set(id, (hash = stackId(Array.from(this.stackFrames(id), f => this.frame(f)))));
    return hash;
  }

  /** The stack's id as its low and high 32-bit words (little-endian int64 halves). */
  stackWords(id: number): [number, number] {
    if (id >= this.known.length) {
      const hash = BigInt.asUintN(64, this.stack(id));
      return [Number(hash & 0xffffffffn) | 0, Number(hash >> 32n) | 0];
    }
    if (this.known[id] === 0) this.remember(id);
    return [this.words[2 * id]!, this.words[2 * id + 1]!];
  }

  /** Writes the stack's id as two 32-bit words (an int64 in memory) at `at` of `target`, without making a BigInt. */
  copyStackWords(id: number, target: Int32Array, at: number): void {
    if (id >= this.known.length) {
      const [low, high] = this.stackWords(id);
      target[at] = low;
      target[at + 1] = high;
      return;
    }
    if (this.known[id] === 0) this.remember(id);
    target[at] = this.words[2 * id]!;
    target[at + 1] = this.words[2 * id + 1]!;
  }

  private remember(id: number): void {
    this.dense[id] = stackId(Array.from(this.stackFrames(id), f => this.frame(f)));
    this.known[id] = 1;
  }
}
