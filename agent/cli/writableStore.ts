import { setTimeout as sleep } from 'node:timers/promises';
import { Store } from '../../storage/store';
import { StoreLockedError } from '../../storage/storeLock';
import { describeFileError } from '../fileErrors';
import { CommandError } from './cliErrors';

/** How a writing command meets a store another process writes: fail at once, or wait (for at most a while). */
export interface StoreWait {
  wait: boolean;
  /** With `wait`, how long to wait at most, in seconds; undefined: as long as it takes. */
  timeoutSeconds: number | undefined;
}

/** How often a waiting command looks at the lock again: a CI job queued behind another gains little from less. */
const RETRY_MS = 250;

/**
 * Opens the store for writing (one writer at a time: storage/storeLock.ts). When another process holds it, the
 * command fails at once naming the holder, unless it was asked to `--wait`: then it says once, on stderr, whom it
 * waits for, and takes the store as soon as that process lets go (a holder that died is taken over by the lock itself),
 * or gives up after `--wait-timeout` seconds. Other failures say what is wrong with which path.
 */
export async function openWritableStore(directory: string, owner: string, wait: StoreWait, err: (line: string) => void): Promise<Store> {
  const started = Date.now();
  let told = false;
  for (;;) {
    try {
      return await Store.open(directory, { owner });
    } catch (error) {
      if (!(error instanceof StoreLockedError)) throw new CommandError(describeFileError(error, `the store in ${directory}`) ?? (error as Error).message, { cause: error });
      if (!wait.wait) throw new CommandError(`${error.message} To wait until it is free, run the command with --wait.`, { cause: error });
      const waited = (Date.now() - started) / 1000;
      if (wait.timeoutSeconds !== undefined && waited >= wait.timeoutSeconds) {
        throw new CommandError(`Gave up after waiting ${waited.toFixed(1)} s for the store in ${directory}, still in use by ${holderOf(error)}.`, { cause: error });
      }
      if (!told) {
        const limit = wait.timeoutSeconds === undefined ? '' : ` (at most ${wait.timeoutSeconds} s)`;
        err(`icicle: waiting for the store in ${directory}${limit}: it is in use by ${holderOf(error)}.`);
        told = true;
      }
      await sleep(RETRY_MS);
    }
  }
}

function holderOf(error: StoreLockedError): string {
  return `${error.holder.description} (pid ${error.holder.pid} on ${error.holder.hostname}, since ${error.holder.since})`;
}

/** Reads `--wait` and `--wait-timeout SECONDS`; undefined `problem` when they make sense together. */
export function storeWaitOf(values: { wait?: boolean; 'wait-timeout'?: string }): StoreWait | { problem: string } {
  const wait = values.wait ?? false;
  if (values['wait-timeout'] === undefined) return { wait, timeoutSeconds: undefined };
  const timeoutSeconds = Number(values['wait-timeout']);
  if (!wait) return { problem: '--wait-timeout goes with --wait' };
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds < 0) return { problem: '--wait-timeout must be a number of seconds, like 300' };
  return { wait, timeoutSeconds };
}
