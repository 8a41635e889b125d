import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { queryLabelValues } from '../../agent/queries/view/viewQueries';
import { mergeStacks } from '../../agent/queries/stacks/mergeStacks';
import { sourceCosts } from '../../agent/queries/source/sourceCosts';
import { Store } from '../../storage/store';
import { simpleWrite, stackOf } from '../support/sampleData';

const BASE_ROWS = 500_000;
/** Each write's samples are a millisecond apart; writes start this far apart, so they never overlap in time. */
const WRITE_SPAN_MS = 1_000_000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * Queries while the store is busy: one writer ingesting without pause (100,000-sample writes, as a burst of probes
 * would) with flushes and compactions happening, and readers running the flame graph's, the language server's and
 * the selection bar's queries. Every query sees a consistent snapshot (its sample count is a whole number of writes), and the median
 * latency stays within 3× of the same query on an idle store.
 */
describe('queries under continuous ingest and compaction', function () {
  this.timeout(300_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-load-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('see whole writes only, within 3× of their idle latency', async () => {
    // A small active part and eager compaction, so flushes and compactions happen while the queries run.
    const store = await Store.open(join(dir, 'store'), { activePartBytes: 16 * 1024 * 1024, autoCompactBlocks: 4 });
    try {
      const stacks = ['main;parse', 'main;render', 'main;parse;lex', 'main;gc'].map(path => stackOf(store, path));
      const WRITE = 100_000;
      const writeOnce = (i: number) => store.write(simpleWrite(stacks[i % stacks.length]!, WRITE, { service: `s${i % 5}` }, 1_700_000_000_000 + i * WRITE_SPAN_MS));
      for (let i = 0; i < BASE_ROWS / WRITE; i++) await writeOnce(i);
      await store.flush();

      // The queries look at the first writes' time range, so they read the same data however much the writer adds:
      // what slows them is only the load itself.
      const timeRange = { startMs: 1_700_000_000_000, endMs: 1_700_000_000_000 + (BASE_ROWS / WRITE) * WRITE_SPAN_MS };
      const query = async (): Promise<{ ms: number; samples: number }> => {
        const snapshot = store.snapshot();
        try {
          const started = performance.now();
          const merged = await mergeStacks(snapshot, { matchers: [], timeRange });
          await sourceCosts(snapshot, { matchers: [{ key: 'service', op: '=', value: 's1' }], timeRange });
          // The selection bar's completion, as typed: the values of a label among the selection.
          const values = await queryLabelValues(store, 'service', '{service=~"s.*"}', 100);
          assert.equal(values.values.length, 5);
          return { ms: performance.now() - started, samples: merged.samples.reduce((a, b) => a + b, 0) };
        } finally {
          snapshot.release();
        }
      };
      const idle: number[] = [];
      for (let i = 0; i < 9; i++) idle.push((await query()).ms);

      let writing = true;
      let writes = BASE_ROWS / WRITE;
      const writer = (async () => {
        while (writing) await writeOnce(writes++);
      })();
      // Queries for as long as it takes the writer to add 4M samples (several flushes and compactions).
      const busy: number[] = [];
      const flushedBefore = store.stats().blocks;
      while (writes < BASE_ROWS / WRITE + 40 || busy.length < 15) {
        // Requests reach the agent through its event loop, one I/O event each: a loop of queries answered from
        // memory must let the writer's I/O in between, as the socket does.
        await new Promise(resolve => setImmediate(resolve));
        const { ms, samples } = await query();
        busy.push(ms);
        assert.equal(samples, BASE_ROWS, `a query saw ${samples} samples of the first ${BASE_ROWS}`);
        // Every whole snapshot: its total is a whole number of writes.
        const all = store.snapshot();
        try {
          const merged = await mergeStacks(all, { matchers: [] });
          const total = merged.samples.reduce((a, b) => a + b, 0);
          assert.equal(total % WRITE, 0, `a snapshot held ${total} samples: part of a write`);
        } finally {
          all.release();
        }
      }
      writing = false;
      await writer;
      const stats = store.stats();
      const ratio = median(busy) / median(idle);
      console.log(`      idle ${median(idle).toFixed(1)} ms, under load ${median(busy).toFixed(1)} ms (${ratio.toFixed(2)}×, ${busy.length} queries), ` +
        `${((writes * WRITE) / 1e6).toFixed(1)}M samples written, blocks ${flushedBefore} → ${stats.blocks}`);
      assert.ok(ratio <= 3, `queries under load took ${ratio.toFixed(2)}× their idle time`);
    } finally {
      await store.close();
    }
  });
});
