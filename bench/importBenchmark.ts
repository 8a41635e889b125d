import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';
import { importProfileBytes } from '../agent/import/importFile';
import { Store } from '../storage/store';
import { corpusDir } from '../test/support/corpus';
import { BIG_PROFILE_MIN_BYTES, bigCpuProfile } from './bigProfile';
import { median } from './storage/benchTiming';
import type { Benchmark } from './benchmarkDoc';

/**
 * Import into the store (detect, parse, source-map check, intern, insert, durable commit), against the floor for
 * each format measured in the same run: JSON.parse of the same text for V8 profiles, gunzip plus protobuf decode
 * (pprof-format) for pprof. Each run imports into a fresh store, so nothing is skipped as already stored.
 */
const RUNS = 5;

async function timeImport(bytes: Buffer, name: string): Promise<{ ms: number; rows: number }> {
  const samples: number[] = [];
  let rows = 0;
  for (let i = 0; i <= RUNS; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'icicle-bench-import-'));
    const store = await Store.open(dir);
    const started = performance.now();
    const result = await importProfileBytes(store, bytes, name, {});
    const ms = performance.now() - started;
    rows = result.rows;
    // The first run is a warm-up (JIT compilation, the block worker's start).
    if (i > 0) samples.push(ms);
    await store.close({ flush: false });
    rmSync(dir, { recursive: true, force: true });
  }
  return { ms: median(samples), rows };
}

function timeSync(work: () => unknown): number {
  work();
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    work();
    samples.push(performance.now() - started);
  }
  return median(samples);
}

function line(name: string, ms: number, peerName: string, peerMs: number, target: string, pass: boolean): void {
  console.log(`${name.padEnd(44)} ${ms.toFixed(1).padStart(8)} ms   ${peerName}: ${peerMs.toFixed(1).padStart(7)} ms   ratio ${(ms / peerMs).toFixed(2)}×   ${target.padEnd(10)} ${pass ? 'PASS' : 'MISS'}`);
}

export async function runImportBenchmark(): Promise<Record<string, number>> {
  const corpus = corpusDir();
  console.log(`Import into the store (median of ${RUNS}), against the floor of each format in the same run`);

  const small = gunzipSync(readFileSync(join(corpus, 'generated', 'tsc-small.cpuprofile.gz')));
  const smallText = small.toString('utf8');
  const cpuprofile = await timeImport(small, 'tsc-small.cpuprofile');
  const cpuprofileParse = timeSync(() => JSON.parse(smallText));
  line('tsc-small.cpuprofile (11.8 MB)', cpuprofile.ms, 'JSON.parse', cpuprofileParse, '≤ 2×', cpuprofile.ms <= 2 * cpuprofileParse);

  const pprofRaw = readFileSync(join(corpus, 'pprof', 'large.cpu'));
  const pprof = await timeImport(pprofRaw, 'large.cpu');
  const pprofDecode = timeSync(() => {
    const bytes = pprofRaw[0] === 0x1f && pprofRaw[1] === 0x8b ? gunzipSync(pprofRaw) : pprofRaw;
    return Profile.decode(bytes);
  });
  line('pprof large.cpu', pprof.ms, 'gunzip + decode', pprofDecode, '≤ 1.5×', pprof.ms <= 1.5 * pprofDecode);

  const bigFile = bigCpuProfile('import');
  const big = readFileSync(bigFile);
  if (big.length < BIG_PROFILE_MIN_BYTES) process.stderr.write(`[import] the generated profile is only ${big.length} bytes\n`);
  const bigText = big.toString('utf8');
  const bigImport = await timeImport(big, 'tsc-big.cpuprofile');
  const bigParse = timeSync(() => JSON.parse(bigText));
  line(`tsc-big.cpuprofile (${(big.length / 2 ** 20).toFixed(1)} MB)`, bigImport.ms, 'JSON.parse', bigParse, '< 1000 ms', bigImport.ms < 1000);
  console.log(`  - rows: tsc-small ${cpuprofile.rows}, large.cpu ${pprof.rows}, tsc-big ${bigImport.rows}; each run imports into a fresh store with fdatasync on.`);

  return {
    cpuprofile_ms: round(cpuprofile.ms),
    cpuprofile_parse_ms: round(cpuprofileParse),
    pprof_ms: round(pprof.ms),
    pprof_decode_ms: round(pprofDecode),
    big_cpuprofile_ms: round(bigImport.ms),
    big_cpuprofile_parse_ms: round(bigParse),
    big_cpuprofile_mb: round(big.length / 2 ** 20),
  };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

/** Each import against its format's floor: JSON.parse for V8 profiles, gunzip and decode for pprof. */
export const importBenchmark: Benchmark = { run: runImportBenchmark, peersOf: field => [field.replace(/_ms$/, '_parse_ms'), field.replace(/_ms$/, '_decode_ms')] };
