import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectToAgent } from '../../common/agentConnection';
import { ListRunsRequest, QuerySelectionRequest, SamplesStoredNotification, StoreStatusRequest } from '../../common/protocol/agentProtocol';
import { exited, startBuiltAgent } from '../support/agentProcess';
import { pollUntil } from '../support/poll';
import { busyServer, spawnProfiledProgram } from '../support/profiledProgram';

/**
 * The soak: a busy Node program profiled every millisecond, continuously, by the real probe into the real agent,
 * with a store size limit, while a view queries the run as an open flame graph does. Every few seconds it records
 * the agent's memory, the store's size on disk and a query's latency, and asserts that they stay flat within the
 * configured bounds once retention has started dropping old blocks.
 *
 * CI runs the bounded form (2 minutes); `npm run soak` runs the long form (ICICLE_SOAK_MINUTES=10). The series is
 * written to test-results/reliability/soak-<minutes>min.{json,md}.
 */

const root = join(__dirname, '..', '..');

const MINUTES = Number(process.env.ICICLE_SOAK_MINUTES ?? 2);
/** The retention limit on blocks, small enough that the bounded form reaches it within its first minute. */
const MAX_STORE_MB = 0.1;
/** Samples reach a block (and retention) within this many seconds. */
const FLUSH_AFTER_S = 10;
const TICK_MS = 5000;

interface Tick {
  seconds: number;
  rssMb: number;
  heapMb: number;
  storeMb: number;
  blocks: number;
  blockRows: number;
  activeRows: number;
  samplesIngested: number;
  queryMs: number;
  oldestSampleAgeS: number;
}

function directoryBytes(path: string): number {
  let total = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const full = join(path, entry.name);
    try {
      total += entry.isDirectory() ? directoryBytes(full) : statSync(full).size;
    } catch {
      // A block deleted by retention between listing and stat counts as gone.
    }
  }
  return total;
}

const mb = (bytes: number) => bytes / 1024 / 1024;

function maxOf(ticks: Tick[], pick: (t: Tick) => number): number {
  return Math.max(...ticks.map(pick));
}

describe(`soak: ${MINUTES} minutes of 1 ms profiling with a store limit`, function () {
  this.timeout(MINUTES * 60_000 + 120_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-soak-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps agent memory and store size flat, and keeps up with the program', async () => {
    const socket = join(dir, 'agent.sock');
    const store = join(dir, 'store');
    const agent = await startBuiltAgent(socket, store, ['--max-store-mb', String(MAX_STORE_MB), '--flush-after-s', String(FLUSH_AFTER_S)]);
    const client = await connectToAgent(socket, 'extension', 'soak');
    let samplesIngested = 0;
    client.connection.onNotification(SamplesStoredNotification.type, ({ rows }) => (samplesIngested += rows));
    const program = spawnProfiledProgram(busyServer, [], { socket, spool: join(dir, 'spool'), intervalMicros: 1000, labels: { session_id: 'soak' } });
    const ticks: Tick[] = [];
    const started = Date.now();
    try {
      await pollUntil(() => samplesIngested > 0, { timeoutMs: 30_000, what: 'the first chunk', details: agent.log });
      const end = started + MINUTES * 60_000;
      while (Date.now() < end) {
        await new Promise(resolve => setTimeout(resolve, Math.min(TICK_MS, end - Date.now())));
        const queryStart = performance.now();
        const view = await client.connection.sendRequest(QuerySelectionRequest.type, { selector: '{session_id="soak"}', minShare: 0.001 });
        const queryMs = performance.now() - queryStart;
        const status = await client.connection.sendRequest(StoreStatusRequest.type);
        assert.equal(status.maintenanceError, undefined, 'background flushes, compactions and retention succeed');
        assert.equal(program.exitCode, null, 'the profiled program is still running');
        ticks.push({
          seconds: Math.round((Date.now() - started) / 1000),
          rssMb: mb(status.rssBytes),
          heapMb: mb(status.heapUsedBytes),
          storeMb: mb(directoryBytes(store)),
          blocks: status.blocks,
          blockRows: status.blockRows,
          activeRows: status.activeRows,
          samplesIngested,
          queryMs,
          oldestSampleAgeS: view.timeline ? (Date.now() - view.timeline.span.startMs) / 1000 : 0,
        });
      }
      // The run is still being stored to its last few seconds: profiling keeps up with the program.
      const { runs } = await client.connection.sendRequest(ListRunsRequest.type, {});
      const run = runs.find(r => r.sessionId === 'soak');
      assert.ok(run, 'the run is listed');
      assert.ok(Date.now() - run.endMs < 20_000, `the newest stored sample is ${((Date.now() - run.endMs) / 1000).toFixed(0)} s old`);
    } finally {
      program.kill();
      client.dispose();
      agent.child.kill();
      await exited(agent.child);
      report(ticks);
    }

    // Sampling every millisecond: the samples taken add up to most of the time the program ran.
    const last = ticks.at(-1)!;
    assert.ok(last.samplesIngested > 0.6 * last.seconds * 1000, `${last.samplesIngested} samples in ${last.seconds} s`);
    // Retention has dropped old blocks: fewer rows are kept than were taken, and the oldest is recent.
    assert.ok(last.blockRows + last.activeRows < last.samplesIngested, 'retention dropped the oldest samples');
    // Bounds: the store stays within its limit plus what waits for the next flush, plus the dictionaries.
    const steady = ticks.filter(t => t.seconds >= 45);
    assert.ok(steady.length >= 3, 'enough ticks after warm-up');
    const storeBound = MAX_STORE_MB + 3;
    assert.ok(maxOf(ticks, t => t.storeMb) < storeBound, `store size peaked at ${maxOf(ticks, t => t.storeMb).toFixed(2)} MB (bound ${storeBound} MB)`);
    // Flat memory: the second half of the steady state holds no more than the first half plus a small margin.
    const half = Math.floor(steady.length / 2);
    const early = maxOf(steady.slice(0, half), t => t.rssMb);
    const late = maxOf(steady.slice(half), t => t.rssMb);
    assert.ok(late < early * 1.15 + 15, `agent memory grew from ${early.toFixed(0)} MB to ${late.toFixed(0)} MB`);
    // And the view's query stays as fast, since retention bounds what it reads.
    const earlyQuery = median(steady.slice(0, half).map(t => t.queryMs));
    const lateQuery = median(steady.slice(half).map(t => t.queryMs));
    assert.ok(lateQuery < earlyQuery * 2 + 50, `query latency went from ${earlyQuery.toFixed(0)} ms to ${lateQuery.toFixed(0)} ms`);
  });
});

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** Writes the series for RELIABILITY.md and prints one line a minute (and the last). */
function report(ticks: Tick[]): void {
  if (ticks.length === 0) return;
  const out = join(root, 'test-results', 'reliability');
  mkdirSync(out, { recursive: true });
  const name = `soak-${MINUTES}min`;
  writeFileSync(join(out, `${name}.json`), JSON.stringify(ticks, null, 2));
  const rows = ticks.map(
    t =>
      `| ${t.seconds} | ${t.rssMb.toFixed(0)} | ${t.heapMb.toFixed(0)} | ${t.storeMb.toFixed(2)} | ${t.blocks} | ${t.blockRows + t.activeRows} | ${t.samplesIngested} | ${t.oldestSampleAgeS.toFixed(0)} | ${t.queryMs.toFixed(0)} |`,
  );
  const header = '| s | agent RSS MB | heap MB | store on disk MB | blocks | rows kept | samples taken | oldest kept, s ago | view query ms |\n|---|---|---|---|---|---|---|---|---|';
  writeFileSync(join(out, `${name}.md`), `${header}\n${rows.join('\n')}\n`);
  const perMinute = ticks.filter((t, i) => i === ticks.length - 1 || Math.floor(t.seconds / 60) !== Math.floor((ticks[i + 1]?.seconds ?? 0) / 60));
  console.log(`      ${header.split('\n')[0]}`);
  for (const t of perMinute) console.log(`      ${rows[ticks.indexOf(t)]}`);
}
