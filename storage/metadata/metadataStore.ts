/**
 * The store's metadata: frames and stacks, interned so that a sample row carries one stack id however deep
 * its stack is, and a frame seen in a million samples is stored once (Parca's model).
 *
 * A frame is (function, file, line, column, module, address); a stack is a list of frame ids, leaf first.
 * Ids are dense and start at 1 (0 means "none"), so columns of ids fit Uint32 arrays and Arrow dictionaries.
 * `changesSince` gives what was added after a point, in a compact form the write-ahead log can carry, and
 * `apply` replays it, so metadata is exactly as durable as the samples that refer to it.
 */
import { stackHash, StackTable } from './stackTable';

export interface StoredFrame {
  functionName: string;
  file: string;
  /** 1-based; 0 when unknown. */
  line: number;
  /** 1-based; 0 when unknown. */
  column: number;
  /** Binary or package the code belongs to; '' when unknown. */
  module: string;
  /** Instruction address for native frames; 0 when unknown. */
  address: number;
  /**
   * Where the frame's function starts (1-based; 0 unknown) when the frame's own line is elsewhere in it: pprof's
   * Function.start_line beside the line a sample or call was at, or a native frame's line from debug information.
   * Absent when the frame's line and column are the function's definition (V8). See common/functionIdentity.ts.
   */
  functionLine?: number;
}

export interface MetadataChanges {
  /** Frames added, as their fields in order; ids continue from `firstFrameId`. */
  firstFrameId: number;
  frames: StoredFrame[];
  firstStackId: number;
  /** Each added stack as its frame ids, leaf first. */
  stacks: ArrayLike<number>[];
}

export class MetadataStore {
  private readonly frames: StoredFrame[] = [];
  private readonly frameIds = new Map<string, number>();
  /** Stack id `i + 1` is the table's stack `i`: views into slabs, found by a hash (stackTable.ts). */
  private readonly stacks = new StackTable();

  get frameCount(): number {
    return this.frames.length;
  }

  get stackCount(): number {
    return this.stacks.size;
  }

  internFrame(frame: StoredFrame): number {
    const key = frameKey(frame);
    let id = this.frameIds.get(key);
    if (id === undefined) {
      this.frames.push({ ...frame });
      id = this.frames.length;
      this.frameIds.set(key, id);
    }
    return id;
  }

  /**
   * Interns a stack of frame ids (leaf first); every id must name an interned frame. Keyed by a hash of the ids
   * rather than a joined string: importing a profile interns tens of thousands of stacks a hundred frames deep.
   */
  internStack(frameIds: ArrayLike<number>): number {
    const length = frameIds.length;
    const key = stackHash(frameIds, length);
    const found = this.stacks.find(frameIds, length, key);
    if (found >= 0) return found + 1;
    const frameCount = this.frames.length;
    for (let i = 0; i < length; i++) {
      const f = frameIds[i]!;
      if (!Number.isInteger(f) || f < 1 || f > frameCount) throw new RangeError(`stack refers to unknown frame ${f}`);
    }
    return this.stacks.add(frameIds, length, key) + 1;
  }

  frame(id: number): StoredFrame {
    const frame = this.frames[id - 1];
    if (!frame) throw new RangeError(`no frame ${id}`);
    return frame;
  }

  /** The frame ids of a stack, leaf first. */
  stack(id: number): Uint32Array {
    const stack = this.stacks.stacks[id - 1];
    if (!stack) throw new RangeError(`no stack ${id}`);
    return stack;
  }

  /** Everything added after the given counts (e.g. the counts at the last write-ahead-log record). */
  changesSince(frameCount: number, stackCount: number): MetadataChanges {
    return {
      firstFrameId: frameCount + 1,
      frames: this.frames.slice(frameCount),
      firstStackId: stackCount + 1,
      // The stored arrays themselves, not copies: they are never modified, and a big import has tens of thousands.
      stacks: this.stacks.stacks.slice(stackCount),
    };
  }

  /** Replays changes in order; changes already applied (ids below the current counts) are skipped. */
  apply(changes: MetadataChanges): void {
    if (changes.firstFrameId > this.frames.length + 1 || changes.firstStackId > this.stacks.size + 1) {
      throw new Error(`metadata changes start at frame ${changes.firstFrameId}, stack ${changes.firstStackId}, after a gap`);
    }
    changes.frames.forEach((frame, i) => {
      if (changes.firstFrameId + i > this.frames.length) this.internFrame(frame);
    });
    changes.stacks.forEach((stack, i) => {
      if (changes.firstStackId + i > this.stacks.size) this.internStack(stack);
    });
  }
}

function frameKey(f: StoredFrame): string {
  // Numbers go first and the two strings are separated by their length, so no text can forge another key.
  return `${f.line},${f.column},${f.address},${f.functionLine ?? -1},${f.functionName.length},${f.functionName}${f.file.length},${f.file}${f.module}`;
}
