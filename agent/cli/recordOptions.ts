import { parseLabels, UsageError } from './cliErrors';
import { parseCommandArgs } from './cliOptions';
import { defaultStoreDirectory } from './defaultStoreDirectory';
import { storeWaitOf, WAIT_OPTIONS, type StoreWait } from './storeWait';

export interface RecordOptions {
  store: string;
  labels: Record<string, string>;
  command: string[];
  /** Sampling interval of the Node.js probe, in microseconds. */
  intervalMicros: number;
  limit: number;
  /** Whether the Node.js probe also samples heap allocations (`--allocations`): the run gets `memory:alloc_space` too. */
  allocations: boolean;
  /** Whether to wait for a store another process writes (`--wait`, `--wait-timeout`). */
  wait: StoreWait;
}

/** `icicle record`'s arguments (after the word `record`); undefined for --help. Throws UsageError. */
export function parseRecordArgs(args: string[]): RecordOptions | undefined {
  const { values, positionals } = parseCommandArgs('record', args, { label: { type: 'string', multiple: true }, interval: { type: 'string' }, allocations: { type: 'boolean' }, limit: { type: 'string' }, ...WAIT_OPTIONS });
  if (values.help) return undefined;
  if (positionals.length === 0) throw new UsageError('record needs a command to run, after --', 'record');
  const intervalMicros = values.interval === undefined ? 1000 : Number(values.interval);
  if (!Number.isInteger(intervalMicros) || intervalMicros < 50) throw new UsageError('--interval must be a whole number of microseconds, at least 50', 'record');
  const limit = values.limit === undefined ? 10 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit must be a positive whole number', 'record');
  const wait = storeWaitOf(values);
  if ('problem' in wait) throw new UsageError(wait.problem, 'record');
  return { store: values.store ?? defaultStoreDirectory(), labels: parseLabels(values.label ?? [], 'record'), command: positionals, intervalMicros, limit, allocations: values.allocations === true, wait };
}
