import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BlockCache } from './blockCache';
import { BlockWorkerClient } from './block/blockWorkerClient';
import { readManifest } from './manifest';
import { MetadataLog } from './metadata/metadataLog';
import { ActivePart } from './part/activePart';
import { BLOCKS_DIR, MANIFEST_FILE, METADATA_FILE, WAL_DIR } from './store';
import { DEFAULT_STORE_OPTIONS } from './storeOptions';
import { BlockGoneError, StoreSnapshot } from './storeSnapshot';
import type { WalCorruptionError } from './wal/writeAheadLog';
import { WriteAheadLog } from './wal/writeAheadLog';
import { decodeWalTransaction } from './write/walTransaction';

/** Reads of a store whose manifest changes (or whose blocks are replaced) during each of them before the reader gives up. */
const MAX_OPEN_ATTEMPTS = 20;

/**
 * A read-only view of a store that another process may be writing (the command line beside the agent): it takes
 * no lock and changes no file. It reads the manifest's blocks and replays the log's acknowledged writes into memory,
 * again if the writer checkpointed meanwhile; an unfinished last record is skipped (the writer may be finishing it).
 * The writer deletes a block it compacted (or dropped by retention) without knowing of this view, so a block read
 * after that is gone: the snapshot's scan then fails with BlockGoneError rather than answer without its rows, and
 * `read` reads again from a new view. A block missing while the manifest still lists it is damaged, and reported so.
 */
export class StoreReader {
  private constructor(
    readonly directory: string,
    private readonly snapshotValue: StoreSnapshot,
    private readonly worker: BlockWorkerClient,
    readonly walCorruption: WalCorruptionError | undefined,
  ) {}

  /**
   * Runs `work` on a new view, again on a newer one each time a block was replaced under it (see BlockGoneError), so
   * its answer holds every write acknowledged before the call. `work` must not print before its reads are done.
   */
  static async read<T>(directory: string, work: (reader: StoreReader) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const reader = await StoreReader.open(directory);
      try {
        return await work(reader);
      } catch (error) {
        if (!(error instanceof BlockGoneError)) throw error;
        if (attempt >= MAX_OPEN_ATTEMPTS) throw new Error(`the store ${directory} changed under every one of ${MAX_OPEN_ATTEMPTS} reads; try again`, { cause: error });
      } finally {
        await reader.close();
      }
    }
  }

  static async open(directory: string): Promise<StoreReader> {
    if (!existsSync(join(directory, MANIFEST_FILE)) && !existsSync(join(directory, WAL_DIR))) {
      throw new Error(`${directory} is not an Icicle store (it has no manifest.json and no wal/)`);
    }
    // The writer checkpoints by writing a new manifest, then deleting the log segments it covers. A log read between
    // the two reads of the same manifest holds every write after that manifest's checkpoint; a log read while the
    // manifest changed may lack the segments just checkpointed, so it is read again.
    for (let attempt = 1; ; attempt++) {
      const manifestText = await readFile(join(directory, MANIFEST_FILE), 'utf8').catch(() => '');
      const manifest = (await readManifest(join(directory, MANIFEST_FILE))) ?? { version: 1 as const, checkpointTxId: 0, nextBlockId: 1, blocks: [] };
      const metadata = await MetadataLog.readOnly(join(directory, METADATA_FILE));
      const log = await WriteAheadLog.readOnly(join(directory, WAL_DIR));
      const unchanged = (await readFile(join(directory, MANIFEST_FILE), 'utf8').catch(() => '')) === manifestText;
      if (!unchanged && attempt < MAX_OPEN_ATTEMPTS) continue;
      if (!unchanged) throw new Error(`the store ${directory} changed under every one of ${MAX_OPEN_ATTEMPTS} reads; try again`);
      const active = new ActivePart();
      let watermark = manifest.checkpointTxId;
      for (const record of log.records) {
        const { entries } = decodeWalTransaction(record.payload);
        for (const entry of entries) metadata.apply(entry.metadata);
        if (record.txId <= manifest.checkpointTxId) continue;
        for (const entry of entries) active.append(entry.write, record.txId);
        watermark = record.txId;
      }
      const worker = new BlockWorkerClient();
      const cache = new BlockCache(worker, entry => join(directory, BLOCKS_DIR, entry.file), DEFAULT_STORE_OPTIONS.blockCacheBytes);
      const leftManifest = async (block: { id: number }): Promise<boolean> => {
        const current = await readManifest(join(directory, MANIFEST_FILE)).catch(() => undefined);
        return current !== undefined && !current.blocks.some(b => b.id === block.id);
      };
      const snapshot = new StoreSnapshot(watermark, metadata, manifest.blocks, active.snapshot(), cache, () => undefined, undefined, leftManifest);
      return new StoreReader(directory, snapshot, worker, log.corruption);
    }
  }

  /** The view as of opening; it does not follow later writes. */
  snapshot(): StoreSnapshot {
    return this.snapshotValue;
  }

  async close(): Promise<void> {
    await this.worker.close();
  }
}
