import * as assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SPOOL_SUFFIX } from '../../common/protocol/probeProtocol';
import { CHUNK_LABEL } from '../../agent/recording/storeRecordedProfile';
import { count, eq, executePlan, scan } from '../../storage/query';
import { StoreReader } from '../../storage/storeReader';
import { exited, startBuiltAgent } from '../support/agentProcess';
import { pollUntil } from '../support/poll';
import { spawnProfiledProgram } from '../support/profiledProgram';
import { random } from '../support/random';

/**
 * Every probe chunk is stored exactly once, whatever the timing: randomised trials of a real profiled program
 * (the built probe in a real Node.js process) against the real agent process, varying when the program exits
 * relative to the chunk interval (stretches of computing longer than the interval, exiting within milliseconds
 * after), whether the probe spools at exit, and SIGKILLs of the agent at random moments with restarts after random
 * delays. The probe writes a ledger of the chunks it made, with their sample counts, and of what became of each
 * (acknowledged, spooled, dropped); afterwards the store, read as the command line reads it, must hold every
 * acknowledged or spooled chunk exactly once with all its samples, a dropped one once or not at all, nothing else,
 * so each run's stored total equals what its probe measured.
 *
 * ICICLE_EXACTLY_ONCE_TRIALS sets the number of trials (`npm run torture`: 1,000, three programs at a time),
 * ICICLE_EXACTLY_ONCE_PARALLEL how many run at once, ICICLE_EXACTLY_ONCE_SEED the seed; the summary goes to
 * test-results/reliability/exactly-once-<trials>.json (every 50 trials, and at the end).
 */

const TRIALS = Number(process.env.ICICLE_EXACTLY_ONCE_TRIALS ?? 24);
const SEED = Number(process.env.ICICLE_EXACTLY_ONCE_SEED ?? 17);
/** Programs profiled at once (the agent, its kills and the store are shared). */
const PARALLEL = Number(process.env.ICICLE_EXACTLY_ONCE_PARALLEL ?? 1);
const root = join(__dirname, '..', '..');
const program = join(root, 'test', 'reliability', 'programs', 'exitTiming.js');

interface Trial {
  index: number;
  chunkMs: number;
  startMs: number;
  busyMs: number;
  slices: number;
  gapMs: number;
  tailMs: number;
  spool: boolean;
  /** Milliseconds after the program starts at which the agent is killed, and how long it stays down. */
  kill: { atMs: number; downMs: number } | undefined;
}

function drawTrial(index: number, next: () => number): Trial {
  const chunkMs = Math.round(200 + next() * 400);
  return {
    index,
    chunkMs,
    startMs: Math.round(next() * 120),
    // From a fraction of an interval to over two, often as one stretch that never yields.
    busyMs: Math.round(chunkMs * (0.3 + next() * 2)),
    slices: next() < 0.5 ? 1 : 2 + Math.floor(next() * 3),
    gapMs: Math.round(1 + next() * chunkMs * 0.5),
    // Half the programs exit within 10 ms of their last computation, the case.
    tailMs: next() < 0.5 ? Math.round(next() * 10) : Math.round(next() * 150),
    spool: next() < 0.75,
    kill: next() < 0.5 ? { atMs: Math.round(next() * (chunkMs * 2.5 + 300)), downMs: Math.round(next() * 400) } : undefined,
  };
}

interface LedgerChunk {
  samples: number;
  fate: 'acked' | 'spooled' | 'dropped' | undefined;
}

function readLedger(file: string): Map<string, LedgerChunk> {
  const chunks = new Map<string, LedgerChunk>();
  if (!existsSync(file)) return chunks;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line === '') continue;
    const event = JSON.parse(line) as { chunk?: string; samples?: number; acked?: string; spooled?: string; dropped?: string };
    if (event.chunk !== undefined) chunks.set(event.chunk, { samples: event.samples!, fate: undefined });
    // The last word counts: a chunk acknowledged is never spooled; one sent again after a kill may be acknowledged late.
    for (const fate of ['acked', 'spooled', 'dropped'] as const) {
      const key = event[fate];
      if (key !== undefined && chunks.has(key) && chunks.get(key)!.fate !== 'acked') chunks.get(key)!.fate = fate;
    }
  }
  return chunks;
}

/**
 * Rows stored per chunk key for a session, and rows without a key, read beside the agent as `icicle top` reads
 * (StoreReader.read: again from a new view when the agent compacted a block away meanwhile).
 */
function storedRows(store: string, session: string): Promise<{ byChunk: Map<string, number>; total: number }> {
  return StoreReader.read(store, async reader => {
    const snapshot = reader.snapshot();
    const byChunk = new Map<string, number>();
    if (!snapshot.columnNames().includes('labels.session_id')) return { byChunk, total: 0 };
    const chunkColumn = `labels.${CHUNK_LABEL}`;
    const keyed = snapshot.columnNames().includes(chunkColumn);
    const plan = scan().where(eq('labels.session_id', session)).aggregate(keyed ? [chunkColumn] : [], [count('rows')]).build();
    const { table } = await executePlan(plan, snapshot);
    // A damaged block would leave its rows out of this answer: the trial must not pass or fail on such a read.
    assert.deepEqual(snapshot.damagedBlocks.map(d => d.message), [], 'the store has damaged blocks');
    const rows = table.getChild('rows')?.toArray() as ArrayLike<number> | undefined;
    let total = 0;
    for (let i = 0; i < table.numRows; i++) {
      const key = keyed ? (table.getChild(chunkColumn)!.get(i) as string | null) : null;
      byChunk.set(key ?? '(none)', Number(rows![i]));
      total += Number(rows![i]);
    }
    return { byChunk, total };
  });
}

/** What is wrong with a trial's stored chunks (empty when each is stored as its fate requires), and whether it may still change. */
function judge(ledger: Map<string, LedgerChunk>, stored: Map<string, number>): { problems: string[]; settled: boolean } {
  const problems: string[] = [];
  let settled = true;
  for (const [key, chunk] of ledger) {
    const rows = stored.get(key) ?? 0;
    if (rows === chunk.samples) continue;
    if (rows === 0 && chunk.fate !== 'acked') {
      // Spooled and not yet taken in, or dropped (which may still be stored from a request the agent is finishing).
      if (chunk.fate === 'spooled' || chunk.fate === undefined) settled = false;
      if (chunk.fate !== 'dropped') problems.push(`chunk ${key} (${chunk.fate ?? 'no fate'}) is not stored`);
      continue;
    }
    problems.push(`chunk ${key} (${chunk.fate ?? 'no fate'}, ${chunk.samples} samples) is stored with ${rows} rows`);
  }
  for (const [key, rows] of stored) if (!ledger.has(key)) problems.push(`${rows} rows under ${key}, a chunk the probe never made`);
  return { problems, settled };
}

describe(`exactly once: ${TRIALS} randomised trials of program exit timing × agent kills × spool`, function () {
  this.timeout(0);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-once-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("stores each run's chunks exactly once: the stored total equals what the probe measured", async () => {
    const socket = join(dir, 'agent.sock');
    const store = join(dir, 'store');
    const spool = join(dir, 'spool');
    mkdirSync(spool, { recursive: true, mode: 0o700 });
    const agentArgs = ['--flush-after-s', '2', '--spool', spool];
    let agent = await startBuiltAgent(socket, store, agentArgs);
    // One kill and restart at a time, whichever trial asks: the trials share the agent.
    let agentTurn: Promise<void> = Promise.resolve();
    const killAndRestart = (downMs: number): Promise<void> =>
      (agentTurn = agentTurn.then(async () => {
        agent.child.kill('SIGKILL');
        await exited(agent.child);
        await new Promise(resolve => setTimeout(resolve, downMs));
        agent = await startBuiltAgent(socket, store, agentArgs);
      }));
    const next = random(SEED);
    const trials = Array.from({ length: TRIALS }, (_, t) => drawTrial(t, next));
    const started = Date.now();
    const failures: string[] = [];
    const tally = { trials: 0, parallel: PARALLEL, kills: 0, spoolOn: 0, chunks: 0, acked: 0, spooled: 0, dropped: 0, droppedStored: 0, samples: 0, storedRows: 0, exceededInterval: 0 };
    const summary = (): Record<string, unknown> => ({ seed: SEED, ...tally, failed: failures.length, seconds: Math.round((Date.now() - started) / 1000), failures: failures.slice(0, 20) });
    const writeSummary = (): void => {
      mkdirSync(join(root, 'test-results', 'reliability'), { recursive: true });
      writeFileSync(join(root, 'test-results', 'reliability', `exactly-once-${TRIALS}.json`), `${JSON.stringify(summary(), null, 2)}\n`);
    };

    const runTrial = async (trial: Trial): Promise<void> => {
      const t = trial.index;
      const session = `trial-${SEED}-${t}`;
      const ledgerFile = join(dir, `${session}.ledger`);
      const child: ChildProcess = spawnProfiledProgram(program, [trial.startMs, trial.busyMs, trial.slices, trial.gapMs, trial.tailMs].map(String), {
        socket,
        spool: trial.spool ? spool : undefined,
        chunkMillis: trial.chunkMs,
        labels: { session_id: session },
        ledger: ledgerFile,
      });
      const killing = trial.kill ? new Promise(resolve => setTimeout(resolve, trial.kill!.atMs)).then(() => killAndRestart(trial.kill!.downMs)) : Promise.resolve();
      const code = await exited(child);
      await killing;
      await agentTurn;
      assert.equal(code, 0, `trial ${t}: the program exited with ${code}`);
      // At exit the probe has said what became of every chunk; its spooled ones are taken in once none is left.
      const ownSpool = `${child.pid}-`;
      await pollUntil(() => readdirSync(spool).every(name => !(name.startsWith(ownSpool) && name.endsWith(SPOOL_SUFFIX))), {
        timeoutMs: 30_000,
        intervalMs: 50,
        what: `trial ${t}'s spooled chunks to be taken in`,
      }).catch(() => undefined);
      const ledger = readLedger(ledgerFile);
      let verdict: ReturnType<typeof judge> = { problems: [], settled: false };
      let stored: Awaited<ReturnType<typeof storedRows>> = { byChunk: new Map(), total: 0 };
      await pollUntil(
        async () => {
          stored = await storedRows(store, session);
          verdict = judge(ledger, stored.byChunk);
          return verdict.settled && verdict.problems.length === 0;
        },
        { timeoutMs: 20_000, intervalMs: 200, what: `trial ${t}'s chunks to be stored` },
      ).catch(() => undefined);
      // Looked at once more a moment after it settled, so that a second copy arriving late is seen too.
      await new Promise(resolve => setTimeout(resolve, 200));
      stored = await storedRows(store, session);
      verdict = judge(ledger, stored.byChunk);
      if (verdict.problems.length > 0) failures.push(`trial ${t} ${JSON.stringify(trial)}: ${verdict.problems.join('; ')}`);
      const chunks = [...ledger.values()];
      tally.trials++;
      tally.kills += trial.kill ? 1 : 0;
      tally.spoolOn += trial.spool ? 1 : 0;
      tally.exceededInterval += trial.slices === 1 && trial.busyMs > trial.chunkMs ? 1 : 0;
      tally.chunks += chunks.length;
      tally.acked += chunks.filter(c => c.fate === 'acked').length;
      tally.spooled += chunks.filter(c => c.fate === 'spooled').length;
      tally.dropped += chunks.filter(c => c.fate === 'dropped').length;
      tally.droppedStored += [...ledger].filter(([key, c]) => c.fate === 'dropped' && stored.byChunk.get(key) === c.samples).length;
      tally.samples += chunks.reduce((sum, c) => sum + c.samples, 0);
      tally.storedRows += stored.total;
      if (TRIALS >= 100 && tally.trials % 50 === 0) {
        writeSummary();
        process.stderr.write(`exactly once: ${tally.trials}/${TRIALS} trials, ${failures.length} failed, ${Math.round((Date.now() - started) / 1000)} s\n`);
      }
    };

    try {
      let nextTrial = 0;
      await Promise.all(
        Array.from({ length: PARALLEL }, async () => {
          while (nextTrial < trials.length) await runTrial(trials[nextTrial++]!);
        }),
      );
    } finally {
      await agentTurn.catch(() => undefined);
      agent.child.kill('SIGTERM');
      await exited(agent.child);
    }
    writeSummary();
    process.stderr.write(`exactly once: ${JSON.stringify({ ...summary(), failures: undefined })}\n`);
    assert.deepEqual(failures, [], `${failures.length} of ${TRIALS} trials stored chunks other than exactly once`);
    assert.ok(tally.chunks > TRIALS, 'the trials made chunks');
  });
});
