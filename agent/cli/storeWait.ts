import { setTimeout as sleep } from 'node:timers/promises';
import type { ParseArgsConfig } from 'node:util';
import { StoreLockedError } from '../../storage/storeLock';
import { CommandError } from './cliErrors';

/**
 * How a writing command meets a store another process writes: fail at once, or wait (for at most a while). Kept apart
 * from writableStore.ts, which opens the store, so that `icicle record`'s small bin (icicle.ts) can wait for the store
 * before it starts the program without loading the store's code.
 */
export interface StoreWait {
  wait: boolean;
  /** With `wait`, how long to wait at most, in seconds; undefined: as long as it takes. */
  timeoutSeconds: number | undefined;
}

/** The options of the commands that write the store. */
export const WAIT_OPTIONS = {
  wait: { type: 'boolean' },
  'wait-timeout': { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

/** Reads `--wait` and `--wait-timeout SECONDS`; undefined `problem` when they make sense together. */
export function storeWaitOf(values: { wait?: boolean; 'wait-timeout'?: string }): StoreWait | { problem: string } {
  const wait = values.wait ?? false;
  if (values['wait-timeout'] === undefined) return { wait, timeoutSeconds: undefined };
  const timeoutSeconds = Number(values['wait-timeout']);
  if (!wait) return { problem: '--wait-timeout goes with --wait' };
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds < 0) return { problem: '--wait-timeout must be a number of seconds, like 300' };
  return { wait, timeoutSeconds };
}

/** How often a waiting command looks at the lock again: a CI job queued behind another gains little from less. */
const RETRY_MS = 250;

/**
 * Runs `attempt` (which takes or checks the store's lock) until it does not fail for the lock. Without `--wait` the
 * lock's failure is final, naming the holder and the option; with it the command says once, on stderr, whom it waits
 * for, and goes on as soon as that process lets go (a holder that died is taken over by the lock itself), or gives up
 * after `--wait-timeout` seconds. Other failures are the caller's to describe.
 */
export async function retryWhileLocked<T>(directory: string, wait: StoreWait, err: (line: string) => void, attempt: () => Promise<T>): Promise<T> {
  const started = Date.now();
  let told = false;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof StoreLockedError)) throw error;
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
