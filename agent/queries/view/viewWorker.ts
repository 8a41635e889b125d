import { tableFromIPC } from 'apache-arrow';
import { join } from 'node:path';
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { UserFacingError } from '../../../common/errors';
import { BlockCache } from '../../../storage/blockCache';
import { statsOfBatch } from '../../../storage/block/blockStats';
import { BlockWorkerClient } from '../../../storage/block/blockWorkerClient';
import { MetadataStore } from '../../../storage/metadata/metadataStore';
import type { BlockStats } from '../../../storage/schema';
import { DEFAULT_STORE_OPTIONS } from '../../../storage/storeOptions';
import { StoreSnapshot, type MemoryBatch } from '../../../storage/storeSnapshot';
import { ViewCache } from './viewCache';
import { queryViewOf } from './viewQueries';
import { unpackMetadataChanges, type ViewWorkerQuery, type ViewWorkerReply, type ViewWorkerRequest } from './viewWorkerProtocol';

/**
 * The view query worker: a profile view's queries (scans, the call tree, its cut and pruning) run here, off the
 * agent's request thread, so that hovers and pings are answered while a big flame graph is computed. It reads the
 * snapshot the agent took and holds: the blocks it lists (through a block cache of its own), its in-memory rows
 * (sent as Arrow IPC) and the store's metadata, a replica kept current by the frames and stacks each request
 * carries. The view cache lives here, keyed by the version the agent read with the snapshot, so its rules are
 * those of an in-thread query.
 */
const port = parentPort;
if (!port) throw new Error('viewWorker.ts runs only as a worker thread');

/**
 * The worker's threads run at a lower priority than the agent's request thread, so that on a busy machine a hover
 * takes the CPU from a flame graph, not the other way round: with the scheduler left to share it evenly, hovers under a
 * flame graph waited 2-4x their idle latency at p50 (nice 5 and 10 measured alike; docs/handoff/queryWorker.md). Only on
 * Linux, where a thread's nice value is its own (setpriority on thread 0 is the calling thread; elsewhere it would lower
 * the whole agent). Threads this one starts (its block worker) inherit it.
 */
const NICE = 5;
if (process.platform === 'linux') {
  try {
    setPriority(0, NICE);
  } catch {
    // Not allowed (a sandbox): the worker runs at the agent's priority, as it would elsewhere.
  }
}

const metadata = new MetadataStore();
const blocks = new BlockWorkerClient();
let blocksDir = '';
const blockCache = new BlockCache(blocks, entry => join(blocksDir, entry.file), DEFAULT_STORE_OPTIONS.blockCacheBytes);
const viewCache = new ViewCache();

port.on('message', (request: ViewWorkerRequest) => {
  if (request.kind === 'hold') {
    Atomics.wait(request.gate, 0, 0);
    return;
  }
  // Metadata changes arrive in order and are applied before any later request runs.
  try {
    metadata.apply(unpackMetadataChanges(request.metadata));
  } catch (error) {
    // A replica out of step would answer with wrong frames: stop, and the agent starts a new worker.
    port.postMessage({ kind: 'failed', id: request.id, message: `the view worker's copy of the store's metadata is out of step (${messageOf(error)})`, cacheHits: viewCache.hits } satisfies ViewWorkerReply);
    process.exit(1);
  }
  void answer(request).then(
    reply => port.postMessage(reply),
    (error: unknown) =>
      port.postMessage({ kind: 'failed', id: request.id, message: messageOf(error), ...(error instanceof UserFacingError ? { code: error.code } : {}), cacheHits: viewCache.hits } satisfies ViewWorkerReply),
  );
});

async function answer(request: ViewWorkerQuery): Promise<ViewWorkerReply> {
  blocksDir = request.blocksDir;
  const memory = request.memory.flatMap(ipc => tableFromIPC(ipc).batches.map(memoryBatch));
  // Releasing is the agent's: it holds the snapshot's blocks until this reply arrives.
  const snapshot = new StoreSnapshot(request.watermark, metadata, request.blocks, memory, blockCache, () => undefined);
  const result = await queryViewOf({ snapshot, version: request.version, cache: viewCache }, request.query, request.minShare);
  return { kind: 'answered', id: request.id, result, cacheHits: viewCache.hits };
}

/** In-memory rows with their statistics computed when first asked for, as the active part does. */
function memoryBatch(batch: MemoryBatch['batch']): MemoryBatch {
  let stats: BlockStats | undefined;
  return {
    batch,
    get stats(): BlockStats {
      return (stats ??= statsOfBatch(batch));
    },
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
