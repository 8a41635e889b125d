import { Store } from '../../storage/store';
import { describeFileError } from '../fileErrors';
import { CommandError } from './cliErrors';
import { retryWhileLocked, type StoreWait } from './storeWait';

/**
 * Opens the store for writing (one writer at a time: storage/storeLock.ts). When another process holds it, the
 * command fails at once naming the holder, unless it was asked to `--wait` (storeWait.ts). Other failures say what is
 * wrong with which path.
 */
export async function openWritableStore(directory: string, owner: string, wait: StoreWait, err: (line: string) => void): Promise<Store> {
  try {
    return await retryWhileLocked(directory, wait, err, () => Store.open(directory, { owner }));
  } catch (error) {
    if (error instanceof CommandError) throw error;
    throw new CommandError(describeFileError(error, `the store in ${directory}`) ?? (error as Error).message, { cause: error });
  }
}
