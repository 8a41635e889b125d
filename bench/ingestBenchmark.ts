import type { Benchmark } from './benchmarkDoc';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IngestProfileRequest } from '../common/protocol/agentProtocol';
import { PROBE_ENV, SPOOL_SUFFIX } from '../common/protocol/probeProtocol';
import { RecordingHub } from '../agent/recording/recordingHub';
import { Store } from '../storage/store';
import { median } from './storage/benchTiming';

/**
 * The agent's cost per recorded chunk, the way chunks arrive: a busy program (TypeScript transpiling this
 * repository's files in event-loop slices, bundled by esbuild with a 14 MB source map) runs under the built probe for
 * 16 s, spooling its 5-second chunks; each chunk's message is then parsed (as vscode-jsonrpc does), validated and
 * stored into a fresh store through RecordingHub, then sent again (a duplicate). The reference is the transport's own
 * JSON.parse of the same messages, which any chunk costs.
 */
const ROUNDS = 3;

const PROGRAM = `
const ts = require('typescript');
const fs = require('fs');
const path = require('path');
const root = process.env.BENCH_SOURCES;
const files = ['agent', 'storage', 'common'].flatMap(d => fs.readdirSync(path.join(root, d)).filter(f => f.endsWith('.ts')).map(f => fs.readFileSync(path.join(root, d, f), 'utf8')));
const end = Date.now() + Number(process.argv[2]);
let i = 0;
(function slice() {
  const until = Math.min(end, Date.now() + 20);
  while (Date.now() < until) ts.transpileModule(files[i++ % files.length], { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS } });
  if (Date.now() < end) setImmediate(slice);
})();
`;

/** The probe's spooled chunks of the busy program, each as the message the probe sends. */
async function busyChunks(dir: string): Promise<string[]> {
  const root = join(__dirname, '..');
  writeFileSync(join(dir, 'busy.js'), PROGRAM);
  const esbuild = await import('esbuild');
  await esbuild.build({ entryPoints: [join(dir, 'busy.js')], bundle: true, platform: 'node', format: 'cjs', sourcemap: true, outfile: join(dir, 'busy.bundle.js'), nodePaths: [join(root, 'node_modules')], logLevel: 'silent' });
  const env = { ...process.env, BENCH_SOURCES: root, NODE_OPTIONS: `--require ${JSON.stringify(join(root, 'out', 'agent', 'nodeProbe.js'))}`, [PROBE_ENV.socket]: join(dir, 'nobody.sock'), [PROBE_ENV.spool]: join(dir, 'spool') };
  const run = spawnSync(process.execPath, [join(dir, 'busy.bundle.js'), '16000'], { env, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`the busy program failed: ${run.stderr}`);
  const spool = join(dir, 'spool');
  return readdirSync(spool)
    .filter(name => name.endsWith(SPOOL_SUFFIX))
    .sort()
    .map((name, id) => `{"jsonrpc":"2.0","id":${id},"method":"${IngestProfileRequest.method}","params":${readFileSync(join(spool, name), 'utf8')}}`);
}

export async function runIngestBenchmark(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'icicle-bench-ingest-'));
  try {
    const messages = await busyChunks(dir);
    const first: number[] = [];
    const later: number[] = [];
    const again: number[] = [];
    const transport: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const store = await Store.open(join(dir, `store-${round}`));
      const hub = new RecordingHub(store);
      const ingest = async (message: string): Promise<number> => {
        const started = performance.now();
        await hub.ingest(IngestProfileRequest.paramsSchema.parse((JSON.parse(message) as { params: unknown }).params));
        return performance.now() - started;
      };
      for (const [i, message] of messages.entries()) (i === 0 ? first : later).push(await ingest(message));
      for (const message of messages) again.push(await ingest(message));
      for (const message of messages) {
        const started = performance.now();
        JSON.parse(message);
        transport.push(performance.now() - started);
      }
      await store.close({ flush: false });
    }
    const megabytes = messages.reduce((sum, m) => sum + m.length, 0) / messages.length / 1e6;
    const parse = median(transport);
    console.log(`Recorded chunk ingest: ${messages.length} 5-second chunks of a busy bundled program (${megabytes.toFixed(1)} MB each), ${ROUNDS} fresh stores (median)`);
    console.log(`  first chunk of a recording (reads the source maps)  ${median(first).toFixed(1).padStart(8)} ms`);
    console.log(`  each later chunk                                     ${median(later).toFixed(1).padStart(8)} ms   JSON.parse of its message: ${parse.toFixed(1)} ms   ratio ${(median(later) / parse).toFixed(1)}×`);
    console.log(`  a chunk sent again (stored already)                  ${median(again).toFixed(1).padStart(8)} ms   ratio ${(median(again) / parse).toFixed(2)}×`);
    return { ingest_first_chunk_ms: Math.round(median(first)), ingest_chunk_ms: Math.round(median(later)), ingest_duplicate_ms: Math.round(median(again) * 10) / 10, ingest_message_parse_ms: Math.round(parse * 10) / 10 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Each chunk's ingest is compared with the JSON.parse of its message, the floor every transport pays. */
export const ingestBenchmark: Benchmark = {
  run: runIngestBenchmark,
  peersOf: field => (field === 'ingest_chunk_ms' || field === 'ingest_duplicate_ms' ? ['ingest_message_parse_ms'] : []),
};
