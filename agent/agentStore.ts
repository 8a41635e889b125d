import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeError } from '../common/errors';
import { Store } from '../storage/store';
import type { StoreOptions } from '../storage/storeOptions';
import { log } from './log';

export interface AgentStore {
  store: Store;
  /** False when the agent fell back to a temporary store: what it records is lost when it stops. */
  persistent: boolean;
  /** Why the configured store could not be used, in words for the user. */
  problem: string | undefined;
}

/**
 * Opens the agent's store. When the configured directory cannot be used (another agent holds it, its manifest
 * is damaged, the disk refuses), the agent still serves profiles from a temporary store and says why, rather
 * than not starting at all.
 */
export async function openAgentStore(directory: string | undefined, limits: Pick<StoreOptions, 'retentionMaxAgeMs' | 'retentionMaxBytes' | 'activePartMaxAgeMs'>): Promise<AgentStore> {
  const owner = `Icicle agent (pid ${process.pid})`;
  const options = { owner, ...limits };
  if (directory) {
    try {
      const store = await Store.open(directory, options);
      reportRecovery(store);
      void store.applyRetention().catch(error => log('warn', `retention failed: ${describeError(error)}`));
      return { store, persistent: true, problem: undefined };
    } catch (error) {
      const problem = `The profile store in ${directory} could not be opened (${describeError(error)}); profiles opened now are kept only until the agent stops.`;
      log('warn', problem);
      const store = await Store.open(temporaryDirectory(), options);
      return { store, persistent: false, problem };
    }
  }
  return { store: await Store.open(temporaryDirectory(), options), persistent: false, problem: undefined };
}

function temporaryDirectory(): string {
  return mkdtempSync(join(tmpdir(), 'icicle-store-'));
}

function reportRecovery(store: Store): void {
  const report = store.openReport;
  log('info', `store ${store.directory} open: ${report.replayedTxs} writes replayed from the log, watermark ${store.watermark}`);
  if (report.truncatedTailBytes > 0) log('warn', `the log ended in an unfinished write (${report.truncatedTailBytes} bytes), cut off; it was never acknowledged`);
  if (report.removedOrphanFiles > 0) log('info', `removed ${report.removedOrphanFiles} block files left by an interrupted flush`);
  if (report.walCorruption) log('error', `${report.walCorruption.message} The store serves what it holds but takes no new writes.`);
}
