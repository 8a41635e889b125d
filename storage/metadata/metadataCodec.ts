import type { StoredFrame } from './metadataStore';

/**
 * How interned metadata travels in bytes, in a write-ahead-log payload and in a metadata-log record alike: frames
 * column-wise in JSON (arrays of strings and numbers serialise several times faster than objects, and files and
 * modules repeat across frames, so each is written once), stacks as raw uint32 arrays (a big import's stacks hold
 * millions of frame ids: as JSON they were a string of tens of megabytes and its copies).
 */
export interface FrameColumns {
  first: number;
  name: string[];
  files: string[];
  file: number[];
  line: number[];
  column: number[];
  modules: string[];
  module: number[];
  address: number[];
  /** Only present when a frame's line is not its function's start (pprof's); null for the frames without one. */
  functionLine?: (number | null)[];
}

export function frameColumns(first: number, frames: StoredFrame[]): FrameColumns {
  return {
    first,
    name: frames.map(f => f.functionName),
    ...dictionary(frames.map(f => f.file), 'files', 'file'),
    line: frames.map(f => f.line),
    column: frames.map(f => f.column),
    ...dictionary(frames.map(f => f.module), 'modules', 'module'),
    address: frames.map(f => f.address),
    // A V8 profile's frames carry none: its records stay as they were before the field existed.
    ...(frames.some(f => f.functionLine !== undefined) ? { functionLine: frames.map(f => f.functionLine ?? null) } : {}),
  };
}

export function framesFromColumns(f: FrameColumns): StoredFrame[] {
  return f.name.map((functionName, i) => {
    const functionLine = f.functionLine?.[i];
    return {
      functionName,
      file: f.files[f.file[i]!]!,
      line: f.line[i]!,
      column: f.column[i]!,
      module: f.modules[f.module[i]!]!,
      address: f.address[i]!,
      ...(functionLine === undefined || functionLine === null ? {} : { functionLine }),
    };
  });
}

/** Stacks as their lengths and the frame ids of all of them in order, the ids as the fewest contiguous runs. */
export interface PackedStacks {
  lengths: Uint32Array;
  /** Byte views whose concatenation is every stack's ids, leaf first, stack after stack. */
  idRuns: Uint8Array[];
  idCount: number;
}

/**
 * Packs stacks without copying their ids where they are already contiguous: the metadata store keeps its stacks
 * as views into slabs, one after another, so a checkpoint after a big import writes a few hundred slab regions as
 * they are instead of copying 60 MB of ids into a record first.
 */
export function packStacks(stacks: ArrayLike<number>[]): PackedStacks {
  const lengths = new Uint32Array(stacks.length);
  const idRuns: Uint8Array[] = [];
  let idCount = 0;
  let run: Uint32Array | undefined;
  let runLength = 0;
  const endRun = (): void => {
    if (run !== undefined && runLength > 0) idRuns.push(new Uint8Array(run.buffer, run.byteOffset, runLength * 4));
    run = undefined;
    runLength = 0;
  };
  stacks.forEach((stack, s) => {
    lengths[s] = stack.length;
    idCount += stack.length;
    if (stack.length === 0) return;
    if (stack instanceof Uint32Array) {
      if (run !== undefined && stack.buffer === run.buffer && stack.byteOffset === run.byteOffset + runLength * 4) {
        runLength += stack.length;
        return;
      }
      endRun();
      run = stack;
      runLength = stack.length;
      return;
    }
    endRun();
    idRuns.push(new Uint8Array(Uint32Array.from(stack).buffer));
  });
  endRun();
  return { lengths, idRuns, idCount };
}

/** The stacks of packed ids, as views into `ids` (not copies). */
export function unpackStacks(lengths: Uint32Array, ids: Uint32Array): Uint32Array[] {
  const stacks: Uint32Array[] = new Array<Uint32Array>(lengths.length);
  let at = 0;
  for (let s = 0; s < lengths.length; s++) {
    stacks[s] = ids.subarray(at, at + lengths[s]!);
    at += lengths[s]!;
  }
  return stacks;
}

/** Distinct values and an index per value, under the given names. */
function dictionary<V extends string, I extends string>(values: string[], valuesName: V, indexName: I): Record<V, string[]> & Record<I, number[]> {
  const distinct: string[] = [];
  const ids = new Map<string, number>();
  const index = values.map(value => {
    let id = ids.get(value);
    if (id === undefined) {
      id = distinct.length;
      distinct.push(value);
      ids.set(value, id);
    }
    return id;
  });
  return { [valuesName]: distinct, [indexName]: index } as Record<V, string[]> & Record<I, number[]>;
}
