import type { MessageConnection } from 'vscode-jsonrpc';
import { connectToAgent } from '../../common/agentConnection';
import type { Store } from '../../storage/store';
import { IngestProfileRequest, PingRequest, QuerySelectionRequest, SourceCostsRequest } from '../../common/protocol/agentProtocol';
import { random } from './random';
import { syntheticChunk } from './syntheticChunk';

/**
 * Stores for measuring whether a long query stalls the agent (test/reliability/agentStall.test.ts and
 * `npm run bench -- stall`): many samples that a whole-store flame graph reads, and one small run, in a label of its
 * own, whose source costs a hover needs while that flame graph is computed.
 */

/** The big samples' profile type (the storage benchmark's too); the flame graph asks for it by name. */
export const BIG_PROFILE_TYPE = 'cpu:samples:count:cpu:nanoseconds';

/** The small run's selector: the big samples lack `session_id`, so a query of the small run skips their blocks. */
export const HOVER_RUN_SELECTOR = '{session_id="hover"}';

/** What the language server asks the agent for the small run: the source costs its hovers and lenses show. */
export const HOVER_COSTS_PARAMS: SourceCostsRequest.Params = { selection: { kind: 'allRuns', selector: HOVER_RUN_SELECTOR } };

/**
 * Stores the small run through the agent, as a probe sends a chunk: 5,000 samples of a few functions, kept in the
 * active part (a run recorded minutes ago), apart from the big samples' blocks.
 */
export async function storeHoverRun(socket: string): Promise<void> {
  const probe = await connectToAgent(socket, 'probe', 'stall');
  try {
    await probe.connection.sendRequest(IngestProfileRequest.type, { format: 'v8', profile: syntheticChunk(1, 5_000, 40), startMs: 1_700_000_000_000, labels: { session_id: 'hover' }, droppedChunks: 0 });
  } finally {
    probe.dispose();
  }
}

/**
 * Writes `samples` samples over 5,000 stacks 5 to 30 frames deep (3,000 frames in 150 files), in writes of 65,536
 * with four in flight, as the storage benchmark loads its store: enough distinct stacks that a flame graph of them
 * all is real work per batch, like a long recording's.
 */
export async function writeManySamples(store: Store, samples: number, seed = 20): Promise<void> {
  const next = random(seed);
  const frames = Array.from({ length: 3_000 }, (_, i) =>
    store.internFrame({ functionName: `fn${i}`, file: `/src/module${i % 150}.ts`, line: 10 + Math.floor(i / 150) * 12, column: 3, module: 'app', address: 0 }),
  );
  const stacks = Uint32Array.from({ length: 5_000 }, () => store.internStack(Array.from({ length: 5 + Math.floor(next() * 26) }, (_, d) => frames[Math.floor(Math.pow(next(), d < 3 ? 3 : 1.2) * frames.length)]!)));
  const writeRows = 65_536;
  const pending = new Set<Promise<unknown>>();
  for (let start = 0; start < samples; start += writeRows) {
    const n = Math.min(writeRows, samples - start);
    const write = store.write({
      profileType: BIG_PROFILE_TYPE,
      periodNs: 10_000_000,
      rowLabels: { thread: Array.from({ length: n }, () => `t${Math.floor(next() * 100)}`) },
      timestamps: Float64Array.from({ length: n }, (_, i) => 1_600_000_000_000 + start + i),
      values: Float64Array.from({ length: n }, () => 1 + Math.floor(next() * 1000)),
      stackIds: Uint32Array.from({ length: n }, () => stacks[Math.floor(Math.pow(next(), 2) * stacks.length)]!),
    });
    const tracked: Promise<unknown> = write.finally(() => pending.delete(tracked));
    pending.add(tracked);
    if (pending.size >= 4) await Promise.race(pending);
  }
  await Promise.all(pending);
}


/** Latencies of the short requests, in milliseconds: the small run's source costs, and a ping (the loop alone). */
export interface ShortLatencies {
  hoverMs: number[];
  pingMs: number[];
}

interface Timed {
  sentAt: number;
  ms: number;
}

/**
 * Sends the small run's source costs and a ping together, waits for both answers, then `everyMs`, until `until()`;
 * resolves with each request's sending time and latency. One pair at a time, as an editor's hovers come: on a
 * machine shared with other work, sending on a clock instead would measure the queue of our own requests.
 */
async function hoverLoop(connection: MessageConnection, everyMs: number, until: () => boolean): Promise<{ hover: Timed[]; ping: Timed[] }> {
  const hover: Timed[] = [];
  const ping: Timed[] = [];
  const timed = (into: Timed[], request: () => Promise<unknown>): Promise<void> => {
    const sentAt = performance.now();
    return request().then(() => void into.push({ sentAt, ms: performance.now() - sentAt }));
  };
  while (!until()) {
    await Promise.all([timed(hover, () => connection.sendRequest(SourceCostsRequest.type, HOVER_COSTS_PARAMS)), timed(ping, () => connection.sendRequest(PingRequest.type))]);
    await new Promise(resolve => setTimeout(resolve, everyMs));
  }
  return { hover, ping };
}

/** The short requests' latencies on an agent doing nothing else: `count` of each, one every `everyMs`. */
export async function shortRequestLatencies(connection: MessageConnection, count: number, everyMs: number): Promise<ShortLatencies> {
  let sent = 0;
  const { hover, ping } = await hoverLoop(connection, everyMs, () => sent++ >= count);
  return { hoverMs: hover.map(t => t.ms), pingMs: ping.map(t => t.ms) };
}

/** Flame graphs asked so far by this process: each has a selector of its own (see viewQueryLoop). */
let rounds = 0;

/** Runs the big samples' flame graph (a view of `{}` of their type, pruned as the extension does) back to back until `until()`. */
export async function viewQueryLoop(connection: MessageConnection, until: () => boolean): Promise<number[]> {
  const queryMs: number[] = [];
  do {
    const started = performance.now();
    // Each round's selector differs (a label no sample has, never equal to it: every sample), so the agent's view
    // cache, which answers the same selection again from memory, cannot: every round computes the whole graph. The
    // count is the process's, not the loop's: a warm-up loop's selectors must not come again in a measured one.
    const selector = `{stall_round!="${++rounds}"}`;
    await connection.sendRequest(QuerySelectionRequest.type, { selector, profileType: BIG_PROFILE_TYPE, minShare: 0.002 });
    queryMs.push(performance.now() - started);
  } while (!until());
  return queryMs;
}

/**
 * The short requests' latencies on `hovers` while `queries` whole-store flame graphs run back to back on `views`:
 * only requests sent before the last flame graph was answered count.
 */
export async function latenciesUnderViewQueries(views: MessageConnection, hovers: MessageConnection, queries: number, everyMs: number): Promise<ShortLatencies & { queryMs: number[] }> {
  let endedAt = Infinity;
  let started = 0;
  const loop = viewQueryLoop(views, () => ++started >= queries).then(times => {
    endedAt = performance.now();
    return times;
  });
  const { hover, ping } = await hoverLoop(hovers, everyMs, () => endedAt !== Infinity);
  const during = (timed: Timed[]): number[] => timed.filter(t => t.sentAt < endedAt).map(t => t.ms);
  return { hoverMs: during(hover), pingMs: during(ping), queryMs: await loop };
}

/** The latency at quantile `q` (0..1) of a list of milliseconds. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}
