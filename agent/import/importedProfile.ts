import { IcicleErrorCode, UserFacingError } from '../../common/errors';
import { formatName, type ProfileFormat } from '../../common/profileFormats';
import { StackTable } from '../../storage/metadata/stackTable';

/** A frame as an importer found it. Equal frames are usually one frame here; the store merges any that are not. */
export interface ImportedFrame {
  name: string;
  /** Source file, script URL or '' when unknown. */
  file: string;
  /** 1-based; 0 when unknown. */
  line: number;
  /** 1-based; 0 when unknown. */
  column: number;
  /** Binary, shared object or package; '' when unknown. */
  module: string;
  /** Instruction address for native frames; 0 when unknown. */
  address: number;
  /**
   * The line the function starts at (0: unknown) when `line` is elsewhere in it (pprof's Function.start_line; a
   * native frame's line from debug information); absent when `line` and `column` are the function's definition.
   */
  functionLine?: number;
}

/**
 * What one value column of a profile measures. Each becomes one profile type in the store, named the way Parca
 * names them: `<name>:<sample type>:<sample unit>:<period type>:<period unit>`, e.g.
 * `process_cpu:cpu:nanoseconds:cpu:nanoseconds`.
 */
export interface ValueType {
  profileType: string;
  /** The unit values are in: 'nanoseconds', 'count', 'bytes', or what the file says. */
  unit: string;
}

/**
 * The common form every importer produces and the store writer consumes (importToStore.ts): interned frames and
 * stacks, and samples as parallel arrays. Several value columns share the samples (pprof's sample types).
 */
export interface ImportedProfile {
  format: ProfileFormat;
  valueTypes: ValueType[];
  frames: ImportedFrame[];
  /**
   * Frame ids (indices into `frames`), leaf first. Read-only: ProfileBuilder's are views into shared slabs
   * (stackTable.ts), so a stack is rewritten by making a new one.
   */
  stacks: ArrayLike<number>[];
  /** Per sample: its stack (index into `stacks`). */
  sampleStacks: number[];
  /** Per value type, per sample. */
  sampleValues: number[][];
  /**
   * Per sample, milliseconds: since the epoch when `clock` is 'epoch', else since the profile's first moment; absent
   * when the format has no sample times (then `startMs`).
   */
  sampleTimes: number[] | undefined;
  /** Per sample, the line its leaf frame was executing (V8's positionTicks); absent or 0 when unknown. */
  sampleLines?: number[];
  /**
   * Native code's addresses, for finding source lines on this machine (agent/import/sourceLines/): per frame, the offsets
   * into its module (hex, as perf prints them) its samples were at; per sample, its leaf's offset (null: none).
   */
  nativeAddresses?: { frameOffsets: (string[] | undefined)[]; leafOffsets: (string | null)[] };
  /** Per-sample labels (pprof sample labels, perf's pid and tid, a trace's thread); null when a sample lacks one. */
  sampleLabels: Record<string, (string | null)[]>;
  /** Labels of the whole profile found in the file. */
  labels: Record<string, string>;
  /** When the profile started, milliseconds: since the epoch when `clock` is 'epoch', else 0. */
  startMs: number;
  /**
   * Whether the file said when the profile was taken ('epoch': pprof's time_nanos, a DevTools trace's start, perf's
   * "captured on"), or its times are only relative (absent: a V8 profile's monotonic microseconds, a format without
   * times). A relative profile is placed in time by the importer's caller (timeAnchor.ts).
   */
  clock?: 'epoch';
  durationNs: number;
  periodNs: number;
}

/** A file that is not (or no longer) a readable profile: the message says what it is and what to do. */
export class ProfileImportError extends UserFacingError {
  constructor(
    readonly displayName: string,
    readonly format: ProfileFormat | 'unknown',
    reason: string,
  ) {
    super(IcicleErrorCode.ProfileInvalid, `${displayName} ${format === 'unknown' ? 'is not a profile Icicle reads' : `is not a readable ${formatName(format)}`}: ${reason}`);
    this.name = 'ProfileImportError';
  }
}

/**
 * Builds an ImportedProfile: frames and stacks are interned as they are added, so importers can add samples in
 * any order without building per-sample objects.
 */
export class ProfileBuilder {
  private readonly frames: ImportedFrame[] = [];
  private readonly frameIds = new Map<string, number>();
  private readonly stackTable = new StackTable();
  private readonly sampleStacks: number[] = [];
  private readonly sampleValues: number[][];
  private readonly sampleTimes: number[] = [];
  private readonly sampleLabels: Record<string, (string | null)[]> = {};
  /** The columns of `sampleLabels`, so that a sample does not list them (most profiles have none). */
  private readonly labelColumns: (string | null)[][] = [];
  private hasTimes = false;

  constructor(
    private readonly format: ProfileFormat,
    private readonly valueTypes: ValueType[],
  ) {
    this.sampleValues = valueTypes.map(() => []);
  }

  get sampleCount(): number {
    return this.sampleStacks.length;
  }

  /**
   * Interns a frame. A caller that knows a shorter identity for its frames (pprof: function id, line, column,
   * mapping, address) passes it as `key`; frames it keys apart that are equal field by field are merged later by
   * the store, so the key only has to keep different frames apart.
   */
  frame(frame: ImportedFrame, key = `${frame.name}\u0000${frame.file}\u0000${frame.line}\u0000${frame.column}\u0000${frame.module}\u0000${frame.address}`): number {
    let id = this.frameIds.get(key);
    if (id === undefined) {
      id = this.frames.length;
      this.frames.push(frame);
      this.frameIds.set(key, id);
    }
    return id;
  }

  /** A stack of frame ids, leaf first. */
  stack(frameIds: ArrayLike<number>): number {
    return this.stackTable.intern(frameIds);
  }

  /**
   * The stack of the first `length` ids of `frameIds`, whose key (stackTable.ts stackHashKey) the caller computed
   * incrementally from its parent's; the ids are copied, so the caller may reuse the array.
   */
  hashedStack(frameIds: Uint32Array, length: number, hashKey: number): number {
    return this.stackTable.intern(frameIds, length, hashKey);
  }

  /** The key of a stack made here (stackTable.ts), from which a child's key is computed. */
  stackKey(id: number): number {
    return this.stackTable.key(id);
  }

  /** The frame ids of a stack made here, leaf first. */
  stackFrames(id: number): Uint32Array {
    return this.stackTable.stacks[id]!;
  }

  /** Adds a sample: one value per value type; labels absent from a sample read as null. */
  sample(stack: number, values: readonly number[], timeMs?: number, labels?: Record<string, string>): void {
    const index = this.sampleStacks.length;
    this.sampleStacks.push(stack);
    for (let t = 0; t < this.sampleValues.length; t++) this.sampleValues[t]!.push(values[t] ?? 0);
    if (timeMs !== undefined) this.hasTimes = true;
    this.sampleTimes.push(timeMs ?? 0);
    if (labels) {
      for (const [key, value] of Object.entries(labels)) {
        let column = this.sampleLabels[key];
        if (column === undefined) {
          column = this.sampleLabels[key] = new Array<string | null>(index).fill(null);
          this.labelColumns.push(column);
        }
        column.push(value);
      }
    }
    for (const column of this.labelColumns) if (column.length === index) column.push(null);
  }

  /** The profile. Frame kinds are not the importer's business: the store classifies stored frames (frameKind.ts). */
  build(profile: { labels?: Record<string, string>; startMs?: number; durationNs?: number; periodNs?: number; clock?: 'epoch' }): ImportedProfile {
    return {
      ...(profile.clock ? { clock: profile.clock } : {}),
      format: this.format,
      valueTypes: this.valueTypes,
      frames: this.frames,
      stacks: this.stackTable.stacks,
      sampleStacks: this.sampleStacks,
      sampleValues: this.sampleValues,
      sampleTimes: this.hasTimes ? this.sampleTimes : undefined,
      sampleLabels: this.sampleLabels,
      labels: profile.labels ?? {},
      startMs: profile.startMs ?? 0,
      durationNs: profile.durationNs ?? 0,
      periodNs: profile.periodNs ?? 0,
    };
  }
}

/** Label keys in the store match [A-Za-z_][A-Za-z0-9_]*; keys from files ("thread id", "span-id") are made to fit. */
export function labelKey(raw: string): string {
  const key = raw.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z_]/.test(key) ? key : `_${key}`;
}
