import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectToAgent, type AgentConnection } from '../../common/agentConnection';
import { IngestProfileRequest, LabelValuesRequest, QuerySelectionRequest, SourceCostsRequest, StoreStatusRequest } from '../../common/protocol/agentProtocol';
import { exited, startBuiltAgent } from '../support/agentProcess';
import { syntheticChunk } from '../support/syntheticChunk';

/**
 * The agent process under load, as an editor sees it: four "probes" stream 5,000-sample chunks every half second
 * (40,000 samples a second, about eight busy programs profiled every millisecond), the store flushes every two
 * seconds and compacts, and three clients query at the same time over their own connections: an open flame graph,
 * the language server's source costs, and the selection bar's label completion. The queries read a run stored
 * before the load, so only the load can slow them: each median stays within 3× of its idle figure, and every flame
 * graph of the streamed runs holds whole chunks only.
 */

const CHUNK_SAMPLES = 5000;
const WRITERS = 4;
const WRITE_EVERY_MS = 500;
const LOAD_MS = 15_000;

interface QueryClient {
  name: string;
  run(): Promise<void>;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** Runs each client's query back to back until `until()` says stop; returns the latencies per client. */
async function queryLoops(clients: QueryClient[], until: () => boolean, minimum: number): Promise<Map<string, number[]>> {
  const latencies = new Map(clients.map(c => [c.name, [] as number[]]));
  await Promise.all(
    clients.map(async client => {
      const times = latencies.get(client.name)!;
      while (times.length < minimum || !until()) {
        const started = performance.now();
        await client.run();
        times.push(performance.now() - started);
      }
    }),
  );
  return latencies;
}

describe('the agent under continuous ingest with several querying clients', function () {
  this.timeout(300_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-agent-load-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps each query within 3× of its idle latency, and every view holds whole chunks', async () => {
    const socket = join(dir, 'agent.sock');
    const agent = await startBuiltAgent(socket, join(dir, 'store'), ['--flush-after-s', '2']);
    const connections: AgentConnection[] = [];
    const connectClient = async (kind: 'test' | 'probe' | 'language-server') => {
      const connection = await connectToAgent(socket, kind, 'load');
      connections.push(connection);
      return connection.connection;
    };
    try {
      // The run the queries read: 200,000 samples, stored and flushed before the load starts.
      const seed = await connectClient('probe');
      for (let i = 0; i < 40; i++) {
        await seed.sendRequest(IngestProfileRequest.type, { format: 'v8', profile: syntheticChunk(i, CHUNK_SAMPLES, 40), startMs: 1_700_000_000_000 + i * 10_000, labels: { session_id: 'base' }, droppedChunks: 0 });
      }

      const flameGraph = await connectClient('test');
      const languageServer = await connectClient('language-server');
      const selectionBar = await connectClient('test');
      let torn = 0;
      let streamedViews = 0;
      const clients: QueryClient[] = [
        {
          name: 'flame graph',
          run: async () => {
            const view = await flameGraph.sendRequest(QuerySelectionRequest.type, { selector: '{session_id="base"}', minShare: 0.001 });
            assert.equal(view.summary.sampleCount, 40 * CHUNK_SAMPLES);
            // The streamed runs as a live view sees them: whole chunks only.
            const live = await flameGraph.sendRequest(QuerySelectionRequest.type, { selector: '{session_id=~"load.*"}', minShare: 0.001 });
            streamedViews++;
            if (live.summary.sampleCount % CHUNK_SAMPLES !== 0) torn++;
          },
        },
        {
          name: 'source costs',
          run: async () => {
            const costs = await languageServer.sendRequest(SourceCostsRequest.type, { selection: { kind: 'allRuns', selector: '{session_id="base"}' } });
            assert.equal(costs.totalSamples, 40 * CHUNK_SAMPLES);
          },
        },
        {
          name: 'label completion',
          run: async () => {
            const values = await selectionBar.sendRequest(LabelValuesRequest.type, { key: 'session_id', selector: '', limit: 100 });
            assert.ok(values.values.includes('base'));
          },
        },
      ];

      const idleUntil = Date.now() + 3000;
      const idle = await queryLoops(clients, () => Date.now() > idleUntil, 10);

      // The load: each writer streams its own run, a chunk every half second, for 15 s.
      let writing = true;
      let chunks = 0;
      const writers = await Promise.all(Array.from({ length: WRITERS }, () => connectClient('probe')));
      const streams = writers.map(async (writer, w) => {
        for (let i = 0; writing; i++) {
          const next = Date.now() + WRITE_EVERY_MS;
          await writer.sendRequest(IngestProfileRequest.type, {
            format: 'v8',
            profile: syntheticChunk(1000 + w * 100_000 + i, CHUNK_SAMPLES, 40),
            startMs: Date.now(),
            labels: { session_id: `load${w}` },
            droppedChunks: 0,
          });
          chunks++;
          await new Promise(resolve => setTimeout(resolve, Math.max(0, next - Date.now())));
        }
      });
      const loadUntil = Date.now() + LOAD_MS;
      const busy = await queryLoops(clients, () => Date.now() > loadUntil, 10);
      writing = false;
      await Promise.all(streams);
      const status = await flameGraph.sendRequest(StoreStatusRequest.type);

      const lines: string[] = [];
      for (const { name } of clients) {
        const ratio = median(busy.get(name)!) / median(idle.get(name)!);
        lines.push(`${name} ${median(idle.get(name)!).toFixed(0)} → ${median(busy.get(name)!).toFixed(0)} ms (${ratio.toFixed(2)}×, ${busy.get(name)!.length} queries)`);
      }
      const samplesPerSecond = (chunks * CHUNK_SAMPLES) / (LOAD_MS / 1000);
      console.log(`      ${chunks} chunks (${Math.round(samplesPerSecond).toLocaleString('en')} samples/s) while: ${lines.join('; ')}; ${status.blocks} blocks; ${streamedViews} live views, ${torn} torn`);
      assert.equal(torn, 0, 'a view held part of a chunk');
      assert.equal(status.maintenanceError, undefined);
      assert.ok(chunks >= (WRITERS * LOAD_MS) / WRITE_EVERY_MS / 2, `the writers managed only ${chunks} chunks: ingest was starved`);
      for (const { name } of clients) {
        const ratio = median(busy.get(name)!) / median(idle.get(name)!);
        // A floor of 5 ms: label completion answers from its cache in about a millisecond, where any one
        // ingest step in between is a larger ratio without being a slowdown a user could see.
        assert.ok(median(busy.get(name)!) <= Math.max(3 * median(idle.get(name)!), 5), `${name} under load: ${lines.join('; ')}`);
        assert.ok(Number.isFinite(ratio));
      }
    } finally {
      connections.forEach(c => c.dispose());
      agent.child.kill();
      await exited(agent.child);
    }
  });
});
