import type { IcicleErrorCode } from '../../../common/errors';
import type { ViewQuery, ViewResult } from '../../../common/viewQuery';
import type { BlockEntry } from '../../../storage/manifest';
import type { MetadataChanges, StoredFrame } from '../../../storage/metadata/metadataStore';
import type { DataVersion } from './viewCache';

/**
 * The metadata interned since what the worker was last sent, with the stacks in one array (`ids`, each stack's
 * length in `lengths`): the store's stacks are views into shared slabs, each of which a message would copy whole.
 */
export interface PackedMetadataChanges {
  firstFrameId: number;
  frames: StoredFrame[];
  firstStackId: number;
  lengths: Uint32Array;
  ids: Uint32Array;
}

/** One view query, as of a snapshot the agent holds until the reply: its blocks, its in-memory rows, its version. */
export interface ViewWorkerQuery {
  kind: 'query';
  id: number;
  blocksDir: string;
  blocks: readonly BlockEntry[];
  /** The snapshot's in-memory rows, each batch as an Arrow IPC stream. */
  memory: Uint8Array[];
  watermark: number;
  version: DataVersion;
  metadata: PackedMetadataChanges;
  query: ViewQuery;
  minShare: number;
}

/** For tests: the worker waits (blocking its thread) until `gate[0]` is set, so that a test can act meanwhile. */
export interface ViewWorkerHold {
  kind: 'hold';
  gate: Int32Array;
}

export type ViewWorkerRequest = ViewWorkerQuery | ViewWorkerHold;

export type ViewWorkerReply =
  | { kind: 'answered'; id: number; result: ViewResult; cacheHits: number }
  | { kind: 'failed'; id: number; message: string; code?: IcicleErrorCode; cacheHits: number };

export function packMetadataChanges(changes: MetadataChanges): PackedMetadataChanges {
  const lengths = Uint32Array.from(changes.stacks, stack => stack.length);
  const ids = new Uint32Array(lengths.reduce((sum, n) => sum + n, 0));
  let at = 0;
  for (const stack of changes.stacks) {
    ids.set(stack, at);
    at += stack.length;
  }
  return { firstFrameId: changes.firstFrameId, frames: changes.frames, firstStackId: changes.firstStackId, lengths, ids };
}

export function unpackMetadataChanges(packed: PackedMetadataChanges): MetadataChanges {
  const stacks: Uint32Array[] = [];
  let at = 0;
  for (const length of packed.lengths) {
    stacks.push(packed.ids.subarray(at, at + length));
    at += length;
  }
  return { firstFrameId: packed.firstFrameId, frames: packed.frames, firstStackId: packed.firstStackId, stacks };
}
