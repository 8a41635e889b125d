import { mkdir, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { BlockCache } from './blockCache';
import { BlockWorkerClient } from './block/blockWorkerClient';
import { blockHalves } from './block/blockHalves';
import { EMPTY_MANIFEST, readManifest, writeManifest, type BlockEntry, type Manifest } from './manifest';
import { MetadataLog } from './metadata/metadataLog';
import { MetadataStore, type StoredFrame } from './metadata/metadataStore';
import { ActivePart } from './part/activePart';
import { PartResultCache } from './query/partResultCache';
import { mayMatch } from './query/pruning';
import { selectionPredicate, type Selection } from './query/selection';
import { isLabelColumn } from './schema';
import { StoreLock } from './storeLock';
import { DEFAULT_STORE_OPTIONS, type StoreOptions } from './storeOptions';
import { StoreSnapshot, blockPartKey, type MemoryBatch } from './storeSnapshot';
import { WalCorruptionError, WriteAheadLog } from './wal/writeAheadLog';
import { decodeWalTransaction, walTransactionPieces } from './write/walTransaction';
import { encodeWrite, type SampleWrite } from './write/sampleWrite';
import { WriteKeys } from './writeKeys';

export const MANIFEST_FILE = 'manifest.json';
export const METADATA_FILE = 'metadata.log';
export const BLOCKS_DIR = 'blocks';
export const WAL_DIR = 'wal';
/** Results kept per block at most, besides their bytes, so that dropping a block's results (a walk over them) stays cheap. */
const PART_RESULT_CACHE_ENTRIES = 4096;

/** How a transaction ended: its tx id, or the tx id of the earlier transaction with the same idempotency key. */
export interface TransactionResult {
  txId: number;
  /** A transaction with the same idempotency key was stored before: nothing was written. */
  alreadyStored: boolean;
}

/** What the store found wrong when it opened; it still serves everything it could read. */
export interface OpenReport {
  replayedTxs: number;
  truncatedTailBytes: number;
  walCorruption: WalCorruptionError | undefined;
  removedOrphanFiles: number;
}

/**
 * The embedded columnar store: one directory, one writer (the lock), every sample Icicle records.
 *
 * Writes go to the write-ahead log first and become visible (applied to the active part, in tx order,
 * synchronously) only once durable; the watermark is the last applied tx. The active part is flushed to an
 * immutable Parquet block when it passes `activePartBytes`; the manifest then records the block and the
 * checkpoint tx, and log segments before it are deleted. Small blocks are compacted, old ones dropped by
 * retention. See docs/design/store.md.
 */
export class Store {
  readonly metadata: MetadataStore;
  private active = new ActivePart();
  /** When the active part took its first row (0 while it is empty), for the age limit. */
  private activeSinceMs = 0;
  /** Parts being written to blocks: still visible to readers until their block is in the manifest. */
  private frozen: ActivePart[] = [];
  private manifest: Manifest;
  private readonly references = new Map<number, number>();
  private readonly cache: BlockCache;
  /** Small results computed per block (label values for completion), kept between snapshots. */
  private readonly partResults: PartResultCache;
  private readonly worker = new BlockWorkerClient();
  /**
   * A second block worker, for the other half of a part while writers wait for the flush (writeBlocks): it ends
   * after a few idle seconds, so a store whose flushes keep up holds one worker's memory.
   */
  private readonly secondWorker = new BlockWorkerClient({ idleMs: 5_000 });
  /** Callers of flush() waiting for it: the flush is then what they wait for, as writers waiting for memory do. */
  private flushWaiters = 0;
  /** Whether a writer waited for memory since the last part's blocks were started (flushIsAwaited). */
  private writersWaited = false;
  /** Frozen parts that filled faster than one worker encodes a part (freeze). */
  private readonly fastParts = new WeakSet<ActivePart>();
  private maintenance: Promise<unknown> = Promise.resolve();
  /** Writers waiting for memory: woken each time one frozen part reaches its blocks (or a flush fails). */
  private memoryWaiters: (() => void)[] = [];
  private watermarkValue: number;
  /** Bumped each time rows leave the store (see deletionGeneration). */
  private deletionGenerationValue = 0;
  private waiters: { txId: number; resolve: () => void }[] = [];
  /** Metadata counts already carried by a write-ahead-log record. */
  private walFrames: number;
  private walStacks: number;
  /** The idempotency keys of stored transactions, and of those being written. */
  private readonly writeKeys: WriteKeys;
  private closed = false;
  /** What stops with the store (readers in other threads: the view query worker), before the lock is released. */
  private readonly closeListeners: (() => Promise<void>)[] = [];
  /** The last background flush or maintenance failure, cleared by the next success. */
  lastMaintenanceError: Error | undefined;

  private constructor(
    readonly directory: string,
    private readonly options: StoreOptions,
    private readonly lock: StoreLock,
    private readonly wal: WriteAheadLog,
    private readonly metadataLog: MetadataLog,
    metadata: MetadataStore,
    manifest: Manifest,
    readonly openReport: OpenReport,
  ) {
    this.metadata = metadata;
    this.manifest = manifest;
    this.walFrames = metadata.frameCount;
    this.walStacks = metadata.stackCount;
    this.watermarkValue = manifest.checkpointTxId;
    this.writeKeys = new WriteKeys(manifest.writeKeys ?? []);
    this.cache = new BlockCache(this.worker, entry => this.blockPath(entry), options.blockCacheBytes);
    this.partResults = new PartResultCache(options.partResultCacheBytes, PART_RESULT_CACHE_ENTRIES);
  }

  static async open(directory: string, options: Partial<StoreOptions> = {}): Promise<Store> {
    const settings = { ...DEFAULT_STORE_OPTIONS, ...options };
    await mkdir(join(directory, BLOCKS_DIR), { recursive: true, mode: 0o700 });
    const lock = await StoreLock.acquire(directory, settings.owner);
    try {
      const manifest = (await readManifest(join(directory, MANIFEST_FILE))) ?? structuredClone(EMPTY_MANIFEST);
      const removedOrphanFiles = await removeOrphanBlocks(join(directory, BLOCKS_DIR), manifest);
      const { log: metadataLog, metadata } = await MetadataLog.open(join(directory, METADATA_FILE));
      const opened = await WriteAheadLog.open(join(directory, WAL_DIR), { sync: settings.sync, firstTxId: manifest.checkpointTxId + 1 }).catch(
        async (error: unknown) => {
          await metadataLog.close();
          throw error;
        },
      );
      const report: OpenReport = {
        replayedTxs: 0,
        truncatedTailBytes: opened.truncatedTailBytes,
        walCorruption: opened.corruption,
        removedOrphanFiles,
      };
      const store = new Store(directory, settings, lock, opened.wal, metadataLog, metadata, manifest, report);
      for (const record of opened.records) {
        const transaction = decodeWalTransaction(record.payload);
        for (const entry of transaction.entries) metadata.apply(entry.metadata);
        if (transaction.key !== undefined) store.writeKeys.stored(transaction.key, record.txId);
        if (record.txId <= manifest.checkpointTxId) continue;
        for (const entry of transaction.entries) store.active.append(entry.write, record.txId);
        store.watermarkValue = record.txId;
        report.replayedTxs++;
      }
      store.walFrames = metadata.frameCount;
      store.walStacks = metadata.stackCount;
      if (store.active.rows > 0) store.activeSinceMs = Date.now();
      return store;
    } catch (error) {
      await lock.release();
      throw error;
    }
  }

  /** The highest tx whose write is visible to readers; every write up to it is visible whole. */
  get watermark(): number {
    return this.watermarkValue;
  }

  /**
   * Grows each time rows leave what snapshots see (deleteWhere, retention), which the watermark does not show: with
   * the watermark, it names the rows of a snapshot, so a result computed from them can be kept for as long as both
   * stay the same. It moves in the same synchronous step as the manifest that drops the rows. Not persisted: a
   * cache keyed by it lives no longer than this Store.
   */
  get deletionGeneration(): number {
    return this.deletionGenerationValue;
  }

  internFrame(frame: StoredFrame): number {
    return this.metadata.internFrame(frame);
  }

  internStack(frameIds: ArrayLike<number>): number {
    return this.metadata.internStack(frameIds);
  }

  /**
   * Writes samples. Resolves with the write's tx id once it is durable and visible (so the writer reads its
   * own write); rejects, with nothing visible, if it is invalid or could not be made durable.
   */
  async write(write: SampleWrite): Promise<number> {
    return (await this.writeTransaction([write])).txId;
  }

  /**
   * Writes several writes as one transaction: one log record, made visible all at once, replayed whole or not at
   * all, so a reader never sees part of it (an imported profile's value types and batches of rows).
   *
   * With an idempotency key (a probe's chunk, a profile's content hash), a transaction whose key the store holds
   * already is not written again and resolves with `alreadyStored`. The check and the write are one step: the key is
   * claimed synchronously before the log is written, so a second writer with the same key (the chunk sent over the
   * socket and the copy spooled at exit, both arriving at once) waits for the first and is told it is stored, or
   * writes it itself if the first failed. The key travels in the log record and, at each checkpoint, in the manifest
   * (the newest WriteKeys.KEPT keys), so the check holds across restarts and kills.
   */
  async writeTransaction(writes: SampleWrite[], options: { idempotencyKey?: string } = {}): Promise<TransactionResult> {
    const key = options.idempotencyKey;
    if (key === undefined) return { txId: await this.appendTransaction(writes, undefined), alreadyStored: false };
    WriteKeys.check(key);
    for (;;) {
      const stored = this.writeKeys.txOf(key);
      if (stored !== undefined) return { txId: stored, alreadyStored: true };
      const pending = this.writeKeys.pending(key);
      if (pending === undefined) break;
      await pending.catch(() => undefined);
    }
    // No await between the check above and claiming the key here.
    const appended = this.appendTransaction(writes, key);
    this.writeKeys.claim(key, appended);
    return { txId: await appended, alreadyStored: false };
  }

  /**
   * The tx id of the stored transaction with this idempotency key (waiting for one being written), or undefined: a
   * writer asks before preparing a transaction the store may hold already (a probe's chunk sent again), so that a
   * copy costs a lookup, not a parse. writeTransaction checks the key again in the same step as it writes.
   */
  async storedTransaction(key: string): Promise<number | undefined> {
    for (;;) {
      const stored = this.writeKeys.txOf(key);
      if (stored !== undefined) return stored;
      const pending = this.writeKeys.pending(key);
      if (pending === undefined) return undefined;
      await pending.catch(() => undefined);
    }
  }

  private async appendTransaction(writes: SampleWrite[], key: string | undefined): Promise<number> {
    if (this.closed) throw new Error('the store is closed');
    const encodedWrites = writes.map(write => encodeWrite(write, this.metadata.stackCount, this.active.labels));
    // Bounded memory: when flushing falls behind, writers wait for the next part to be flushed rather than grow
    // the active part. They wait for one part, not for every queued one, so filling and flushing overlap.
    while (this.frozen.length > 0 && this.frozenBytes() + this.active.bytes() > 2 * this.options.activePartBytes) {
      const failure = this.lastMaintenanceError;
      if (failure) {
        // Refuse this write with the reason (e.g. a full disk) and try flushing again for the next one.
        this.lastMaintenanceError = undefined;
        void this.scheduleFlush();
        throw failure;
      }
      this.writersWaited = true;
      await new Promise<void>(resolve => this.memoryWaiters.push(resolve));
    }
    if (this.closed) throw new Error('the store is closed');
    const frames = this.walFrames;
    const stacks = this.walStacks;
    // The first write of the record carries the metadata interned since the previous record; the others none.
    const noChanges = this.metadata.changesSince(this.metadata.frameCount, this.metadata.stackCount);
    const entries = encodedWrites.map((write, i) => ({ metadata: i === 0 ? this.metadata.changesSince(frames, stacks) : noChanges, write }));
    const payload = walTransactionPieces({ key, entries });
    // A transaction without writes (only a key) carries no metadata; it travels with the next record.
    if (entries.length > 0) {
      this.walFrames = this.metadata.frameCount;
      this.walStacks = this.metadata.stackCount;
    }
    let txId: number;
    try {
      txId = await this.wal.append(payload);
    } catch (error) {
      // The metadata this record carried must travel with the next one.
      this.walFrames = Math.min(this.walFrames, frames);
      this.walStacks = Math.min(this.walStacks, stacks);
      throw error;
    }
    // Visible at once, with its key: readers and the next writer with the same key see the transaction whole.
    if (this.active.rows === 0 && encodedWrites.some(w => w.rows > 0)) this.activeSinceMs = Date.now();
    for (const write of encodedWrites) this.active.append(write, txId);
    if (key !== undefined) this.writeKeys.stored(key, txId);
    this.advanceWatermark(txId);
    if (this.active.bytes() >= this.options.activePartBytes || this.activePartTooOld()) void this.scheduleFlush();
    return txId;
  }

  /** Resolves once every write up to `txId` is visible (read-after-write for a writer in another process). */
  waitForTx(txId: number): Promise<void> {
    if (txId <= this.watermarkValue) return Promise.resolve();
    return new Promise(resolve => this.waiters.push({ txId, resolve }));
  }

  private advanceWatermark(txId: number): void {
    this.watermarkValue = txId;
    if (this.waiters.length === 0) return;
    const ready = this.waiters.filter(w => w.txId <= txId);
    this.waiters = this.waiters.filter(w => w.txId > txId);
    ready.forEach(w => w.resolve());
  }

  /** A consistent view for queries; release it when done so that compacted blocks can be deleted. */
  snapshot(): StoreSnapshot {
    const blocks = [...this.manifest.blocks];
    for (const block of blocks) this.references.set(block.id, (this.references.get(block.id) ?? 0) + 1);
    const memory: MemoryBatch[] = [...this.frozen, this.active].flatMap(part => part.snapshot());
    return new StoreSnapshot(this.watermarkValue, this.metadata, blocks, memory, this.cache, () => {
      for (const block of blocks) {
        const count = (this.references.get(block.id) ?? 1) - 1;
        if (count > 0) this.references.set(block.id, count);
        else this.references.delete(block.id);
      }
      void this.deleteUnreferencedBlocks();
    }, this.partResults);
  }

  /** Starts the block worker ahead of the first flush, for a writer about to write much (BlockWorkerClient.start). */
  startBlockWorker(): void {
    if (!this.closed) this.worker.start();
  }

  /**
   * Flushes the active part to a block now (the store also does so by itself when the part is full). A writer calls
   * it when done writing, so the buffers kept for the next block's encoding are let go then, not 10 s later.
   */
  async flush(): Promise<void> {
    if (this.active.rows > 0) this.freeze();
    this.flushWaiters++;
    try {
      await this.enqueue(() => this.flushFrozen());
    } finally {
      this.flushWaiters--;
    }
    // The second worker ends now rather than after its idle time: its wasm heap never shrinks, and the writer is done.
    // Not when another writer's flush is using it meanwhile: that one would fail.
    this.secondWorker.endIfIdle();
    await this.worker.releaseBuffers();
  }

  private scheduleFlush(): Promise<void> {
    if (this.active.rows > 0) this.freeze();
    return this.enqueue(() => this.flushFrozen())
      .then(() => this.maintainAfterFlush())
      .then(
        () => {
          this.lastMaintenanceError = undefined;
        },
        (error: unknown) => {
          this.lastMaintenanceError = error instanceof Error ? error : new Error(String(error));
          this.wakeMemoryWaiters();
        },
      );
  }

  private wakeMemoryWaiters(): void {
    const waiters = this.memoryWaiters;
    this.memoryWaiters = [];
    waiters.forEach(wake => wake());
  }

  private activePartTooOld(): boolean {
    const maxAge = this.options.activePartMaxAgeMs;
    return maxAge > 0 && this.active.rows > 0 && Date.now() - this.activeSinceMs >= maxAge;
  }

  private freeze(): void {
    // A full part that filled within FAST_FILL_MS comes from writers faster than one block worker (a burst: an
    // import, a spool of chunks): its flush will hold them back, so it is encoded in halves from the start.
    if (this.active.bytes() >= this.options.activePartBytes && Date.now() - this.activeSinceMs < FAST_FILL_MS) this.fastParts.add(this.active);
    this.frozen.push(this.active);
    this.active = new ActivePart();
  }

  private frozenBytes(): number {
    return this.frozen.reduce((sum, part) => sum + part.bytes(), 0);
  }

  /** Maintenance (flush, compaction, retention) runs one operation at a time, as each rewrites the manifest. */
  private enqueue<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.maintenance.then(operation, operation);
    this.maintenance = run.catch(() => undefined);
    return run;
  }

  private async flushFrozen(): Promise<void> {
    while (this.frozen.length > 0) {
      const part = this.frozen[0]!;
      await this.wal.rotate();
      // The metadata log is appended while the worker writes the blocks (after a big import, 60 MB of stack ids to
      // write and sync): both must be durable before the manifest names the checkpoint, and their order does not
      // matter, as the log may hold more than a checkpoint needs. Every stack the part's rows use is interned already.
      // The blocks go first, so that the worker has its rows while this thread packs and checksums the metadata.
      const [blocks, metadata] = await Promise.allSettled([this.writeBlocks(part, this.flushIsAwaited() || this.fastParts.has(part)), this.metadataLog.persist(this.metadata)]);
      if (blocks.status === 'rejected') throw blocks.reason;
      if (metadata.status === 'rejected') throw metadata.reason;
      const entries = blocks.value;
      const manifest: Manifest = {
        ...this.manifest,
        checkpointTxId: part.lastTxId,
        writeKeys: this.writeKeys.keptThrough(part.lastTxId),
        nextBlockId: this.manifest.nextBlockId + entries.length,
        blocks: [...this.manifest.blocks, ...entries],
      };
      await writeManifest(join(this.directory, MANIFEST_FILE), manifest);
      // The swap is synchronous: readers see either the frozen part or its blocks, never both or neither.
      this.manifest = manifest;
      this.frozen.shift();
      this.writeKeys.forgetBeyondKept(part.lastTxId);
      this.wakeMemoryWaiters();
      await this.wal.removeSegmentsThrough(part.lastTxId);
    }
  }

  /**
   * Whether someone waits for the flush: writers held back for memory now or during the previous part's flush
   * (woken when it ended, they will be again: the flush is what limits them), another part queued behind this one,
   * or a caller of flush() (an import's end, close). The writers' thread then has little else to do, and the second
   * core is better spent encoding half of the part; otherwise one worker encodes it beside the writers.
   */
  private flushIsAwaited(): boolean {
    const waited = this.writersWaited;
    this.writersWaited = false;
    return waited || this.memoryWaiters.length > 0 || this.frozen.length > 1 || this.flushWaiters > 0;
  }

  /**
   * Writes a frozen part's blocks (one per group of label columns, or with `split` two per group big enough,
   * encoded by the two workers at once), returning their manifest entries. Both halves settle before a failure is
   * thrown, so a retry never writes a file a worker is still writing.
   */
  private async writeBlocks(part: ActivePart, split: boolean): Promise<BlockEntry[]> {
    const entries: BlockEntry[] = [];
    const workers = [this.worker, this.secondWorker];
    for (const group of groupByLabelColumns(part.snapshot(), this.options.maxBlockLabelColumns)) {
      const halves = split ? blockHalves(group, this.options.compactBelowRows) : [group];
      const files = halves.map((_, k) => blockFileName(this.manifest.nextBlockId + entries.length + k));
      const written = await Promise.allSettled(halves.map((half, k) => workers[k]!.writeBlock(join(this.directory, BLOCKS_DIR, files[k]!), half.map(m => m.batch), this.options.rowGroupRows)));
      for (const result of written) if (result.status === 'rejected') throw result.reason;
      written.forEach((result, k) => {
        const id = this.manifest.nextBlockId + entries.length;
        if (result.status === 'fulfilled') entries.push({ id, file: files[k]!, ...result.value, minTxId: part.firstTxId, maxTxId: part.lastTxId, createdAtMs: Date.now() });
      });
    }
    return entries;
  }

  /** Background upkeep after a flush the store started by itself: compaction when small blocks pile up, retention. */
  private async maintainAfterFlush(): Promise<void> {
    const { autoCompactBlocks, compactBelowRows, retentionMaxAgeMs, retentionMaxBytes } = this.options;
    const small = this.manifest.blocks.filter(b => b.stats.rows < compactBelowRows).length;
    if (autoCompactBlocks > 0 && small >= autoCompactBlocks) await this.compact();
    if (retentionMaxAgeMs > 0 || retentionMaxBytes > 0) await this.applyRetention();
  }

  /**
   * Merges small blocks into larger ones (fewer files, better compression, fewer batches per scan). Returns the
   * number of blocks merged away.
   */
  compact(): Promise<number> {
    return this.enqueue(async () => {
      const small = this.manifest.blocks.filter(b => b.stats.rows < this.options.compactBelowRows);
      let merged = 0;
      for (const group of planCompaction(small, this.options)) {
        const id = this.manifest.nextBlockId;
        const file = blockFileName(id);
        const inputs = group.map(b => ({ path: this.blockPath(b), crc32: b.crc32 }));
        const written = await this.worker.compact(inputs, join(this.directory, BLOCKS_DIR, file), this.options.rowGroupRows);
        const entry: BlockEntry = {
          id, file, ...written,
          minTxId: Math.min(...group.map(b => b.minTxId)),
          maxTxId: Math.max(...group.map(b => b.maxTxId)),
          // The newest input's time, so that compacting old blocks does not renew their retention.
          createdAtMs: Math.max(...group.map(b => b.createdAtMs)),
        };
        const removed = new Set(group.map(b => b.id));
        // The merged block takes the place of the first of its inputs, keeping blocks in tx order.
        const blocks = this.manifest.blocks.flatMap(b => (b.id === group[0]!.id ? [entry] : removed.has(b.id) ? [] : [b]));
        // The merged block holds every row of its inputs: what snapshots see does not change.
        await this.replaceManifest({ ...this.manifest, nextBlockId: id + 1, blocks }, group, { keepsRows: true });
        merged += group.length - 1;
      }
      return merged;
    });
  }

  /**
   * Deletes the stored samples a selection picks (a recorded run, an imported profile): the active part is flushed
   * first, then every block that may hold such rows is rewritten without them (or dropped when nothing is left),
   * each replacement committed by a manifest write, so a crash leaves either the old block or the new one. Samples
   * written after the call are not affected. Resolves with the number of rows deleted.
   */
  deleteWhere(selection: Selection): Promise<number> {
    const predicate = selectionPredicate(selection);
    if (predicate === undefined) return Promise.reject(new Error('deleteWhere needs a selection; an empty one would delete everything'));
    if (this.active.rows > 0) this.freeze();
    return this.enqueue(async () => {
      await this.flushFrozen();
      let deleted = 0;
      for (const block of [...this.manifest.blocks]) {
        if (!mayMatch(predicate, block.stats)) continue;
        const id = this.manifest.nextBlockId;
        const file = blockFileName(id);
        const result = await this.worker.rewrite({ path: this.blockPath(block), crc32: block.crc32 }, predicate, join(this.directory, BLOCKS_DIR, file), this.options.rowGroupRows);
        if (result.removed === 0) continue;
        const replacement: BlockEntry[] = result.written
          ? [{ id, file, ...result.written, minTxId: block.minTxId, maxTxId: block.maxTxId, createdAtMs: block.createdAtMs }]
          : [];
        const blocks = this.manifest.blocks.flatMap(b => (b.id === block.id ? replacement : [b]));
        await this.replaceManifest({ ...this.manifest, nextBlockId: id + 1, blocks }, [block]);
        deleted += result.removed;
      }
      return deleted;
    });
  }

  /**
   * Deletes blocks older than the age limit, then the oldest blocks while the total exceeds the size limit. A block's
   * age runs from the later of its newest sample and its writing: a profile file imported today keeps its own clock
   * (its samples may be months old) and must not vanish minutes after the user opened it.
   */
  applyRetention(nowMs = Date.now()): Promise<number> {
    return this.enqueue(async () => {
      const { retentionMaxAgeMs: maxAge, retentionMaxBytes: maxBytes } = this.options;
      const doomed = new Set<BlockEntry>();
      if (maxAge > 0) {
        for (const b of this.manifest.blocks) if (lastTouchedMs(b) < nowMs - maxAge) doomed.add(b);
      }
      if (maxBytes > 0) {
        const byAge = [...this.manifest.blocks].sort((a, b) => lastTouchedMs(a) - lastTouchedMs(b));
        let total = byAge.reduce((sum, b) => sum + (doomed.has(b) ? 0 : b.bytes), 0);
        for (const b of byAge) {
          if (total <= maxBytes) break;
          if (!doomed.has(b)) {
            doomed.add(b);
            total -= b.bytes;
          }
        }
      }
      if (doomed.size === 0) return 0;
      await this.replaceManifest({ ...this.manifest, blocks: this.manifest.blocks.filter(b => !doomed.has(b)) }, [...doomed]);
      return doomed.size;
    });
  }

  /** Unless `keepsRows` (the new blocks hold every row of the removed ones), the deletion generation moves. */
  private async replaceManifest(manifest: Manifest, removed: BlockEntry[], { keepsRows = false } = {}): Promise<void> {
    await writeManifest(join(this.directory, MANIFEST_FILE), manifest);
    this.manifest = manifest;
    if (!keepsRows) this.deletionGenerationValue++;
    for (const block of removed) {
      this.cache.drop(block.id);
      this.partResults.dropPart(blockPartKey(block));
    }
    const removedAtMs = Date.now();
    this.pendingDeletes.push(...removed.map(block => ({ block, removedAtMs })));
    await this.deleteUnreferencedBlocks();
  }

  private pendingDeletes: { block: BlockEntry; removedAtMs: number }[] = [];
  private deleteTimer: NodeJS.Timeout | undefined;

  /**
   * Deletes files of blocks no longer in the manifest once no snapshot refers to them and the grace for readers in
   * other processes has passed (`replacedBlockGraceMs`); comes back by itself for those still in their grace.
   */
  private async deleteUnreferencedBlocks(now = Date.now(), grace = this.options.replacedBlockGraceMs): Promise<void> {
    const ready = this.pendingDeletes.filter(p => !this.references.has(p.block.id) && now - p.removedAtMs >= grace);
    this.pendingDeletes = this.pendingDeletes.filter(p => !ready.includes(p));
    for (const { block } of ready) {
      await unlink(this.blockPath(block)).catch(() => undefined);
    }
    const waiting = this.pendingDeletes.filter(p => !this.references.has(p.block.id));
    if (waiting.length > 0 && this.deleteTimer === undefined && !this.closed) {
      const dueInMs = Math.max(0, Math.min(...waiting.map(p => p.removedAtMs + grace - now)));
      this.deleteTimer = setTimeout(() => {
        this.deleteTimer = undefined;
        void this.deleteUnreferencedBlocks();
      }, dueInMs + 10);
      // A grace period must not keep a command-line process alive.
      this.deleteTimer.unref();
    }
  }

  /** Totals for status displays and benchmarks. */
  stats(): { blocks: number; blockBytes: number; blockRows: number; activeRows: number; activeBytes: number; cacheBytes: number } {
    return {
      blocks: this.manifest.blocks.length,
      blockBytes: this.manifest.blocks.reduce((sum, b) => sum + b.bytes, 0),
      blockRows: this.manifest.blocks.reduce((sum, b) => sum + b.stats.rows, 0),
      activeRows: this.active.rows + this.frozen.reduce((sum, p) => sum + p.rows, 0),
      activeBytes: this.active.bytes() + this.frozenBytes(),
      cacheBytes: this.cache.size,
    };
  }

  /** Runs `stop` when the store closes: something that reads the store from another thread stops with it. */
  onClose(stop: () => Promise<void>): void {
    this.closeListeners.push(stop);
  }

  /** Flushes what is in memory (so the next open replays nothing), then releases the lock. */
  async close(options: { flush?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    try {
      if (options.flush ?? true) await this.flush().catch(() => undefined);
      await this.maintenance;
    } finally {
      this.closed = true;
      // Their queries end first, releasing their snapshots, so that the replaced blocks they held go below.
      await Promise.all(this.closeListeners.map(stop => stop().catch(() => undefined)));
      clearTimeout(this.deleteTimer);
      // Nothing of this process reads any more; files left (a reader elsewhere) would be removed at the next open.
      await this.deleteUnreferencedBlocks(Date.now(), 0);
      await this.wal.close();
      await this.metadataLog.close();
      await Promise.all([this.worker.close(), this.secondWorker.close()]);
      await this.lock.release();
    }
  }

  private blockPath(entry: BlockEntry): string {
    return join(this.directory, BLOCKS_DIR, entry.file);
  }
}

/**
 * A full part filled faster than this is encoded in halves by two workers (Store.freeze): one worker takes about
 * 1.3 s for a full part of 64 MB (some 900,000 rows of an import) on a quiet two-core machine.
 */
const FAST_FILL_MS = 2_000;

function blockFileName(id: number): string {
  return `${String(id).padStart(10, '0')}.parquet`;
}

/** Splits a part's batches into groups whose union of label columns stays within the limit. */
function groupByLabelColumns(batches: MemoryBatch[], limit: number): MemoryBatch[][] {
  const groups: { batches: MemoryBatch[]; labels: Set<string> }[] = [];
  for (const m of batches) {
    const labels = m.batch.schema.fields.map(f => f.name).filter(isLabelColumn);
    const fits = groups.find(g => new Set([...g.labels, ...labels]).size <= limit);
    if (fits) {
      fits.batches.push(m);
      labels.forEach(l => fits.labels.add(l));
    } else {
      groups.push({ batches: [m], labels: new Set(labels) });
    }
  }
  return groups.map(g => g.batches);
}

/** Groups of small blocks to merge: neighbours in tx order, within the row and label-column limits. */
function planCompaction(small: BlockEntry[], options: StoreOptions): BlockEntry[][] {
  const groups: BlockEntry[][] = [];
  let current: BlockEntry[] = [];
  let rows = 0;
  let labels = new Set<string>();
  for (const block of small) {
    const blockLabels = Object.keys(block.stats.columns).filter(isLabelColumn);
    const union = new Set([...labels, ...blockLabels]);
    if (current.length > 0 && (rows + block.stats.rows > options.compactTargetRows || union.size > options.maxBlockLabelColumns)) {
      groups.push(current);
      current = [];
      rows = 0;
      labels = new Set();
    }
    current.push(block);
    rows += block.stats.rows;
    blockLabels.forEach(l => labels.add(l));
  }
  groups.push(current);
  return groups.filter(g => g.length > 1);
}

/** Deletes block files the manifest does not list (left by a crash between writing a block and the manifest). */
async function removeOrphanBlocks(directory: string, manifest: Manifest): Promise<number> {
  const listed = new Set(manifest.blocks.map(b => b.file));
  let removed = 0;
  for (const name of await readdir(directory)) {
    if (listed.has(name)) continue;
    await unlink(join(directory, name));
    removed++;
  }
  return removed;
}

/** When a block was last new: its newest sample or its writing, whichever is later. */
function lastTouchedMs(block: BlockEntry): number {
  return Math.max(block.stats.columns['timestamp']?.max as number, block.createdAtMs);
}
