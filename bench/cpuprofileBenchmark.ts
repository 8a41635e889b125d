import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseCpuProfile } from '../test/support/cpuprofileTree';
import { openProfileThroughStore } from '../agent/profileLibrary';
import { Store } from '../storage/store';
import { corpusDir } from '../test/support/corpus';
import type { Benchmark } from './benchmarkDoc';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function time(runs: number, work: () => unknown): number {
  work(); // Warm-up: the first run pays for JIT compilation.
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    work();
    samples.push(performance.now() - started);
  }
  return median(samples);
}

function report(name: string, ms: number, peerName: string, peerMs: number): void {
  console.log(`${name.padEnd(72)} ${ms.toFixed(1).padStart(8)} ms   ${peerName}: ${peerMs.toFixed(1)} ms   ratio ${(ms / peerMs).toFixed(2)}×`);
}

/** Opening a profile as the editor does: import into a fresh store, then query its call tree. Median of `runs`. */
async function timeOpen(runs: number, text: string): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'icicle-bench-open-'));
    const store = await Store.open(dir);
    const started = performance.now();
    await openProfileThroughStore(store, text, 'bench.cpuprofile');
    // The first run is a warm-up (JIT compilation, the block worker's start).
    if (i > 0) samples.push(performance.now() - started);
    await store.close({ flush: false });
    rmSync(dir, { recursive: true, force: true });
  }
  return median(samples);
}

/**
 * A V8 cpuprofile shown as a flame graph, against JSON.parse of the same text (the floor): the editor's path (import
 * into the store and query the tree) and the direct reader the store's trees are checked against. Returns figures
 * for --json.
 */
export async function runCpuprofileBenchmark(): Promise<Record<string, number>> {
  const corpus = corpusDir();
  const inputs = [
    { key: 'sucrase', name: 'sucrase.cpuprofile (1.0 MB, 3,493 nodes)', text: readFileSync(join(corpus, 'cpuprofile', 'sucrase.cpuprofile'), 'utf8') },
    {
      key: 'tsc_small',
      name: 'tsc-small.cpuprofile (11.8 MB, 52,799 nodes)',
      text: gunzipSync(readFileSync(join(corpus, 'generated', 'tsc-small.cpuprofile.gz'))).toString('utf8'),
    },
  ];
  const fields: Record<string, number> = {};
  console.log('V8 cpuprofile → merged call tree (median of 7), against JSON.parse of the same text (the floor)');
  for (const input of inputs) {
    const open = await timeOpen(7, input.text);
    const direct = time(7, () => parseCpuProfile(input.text, 'bench'));
    const floor = time(7, () => JSON.parse(input.text));
    report(`${input.name}, opened through the store`, open, 'JSON.parse', floor);
    report(`${input.name}, direct reader`, direct, 'JSON.parse', floor);
    fields[`cpuprofile_${input.key}_open_ms`] = Math.round(open * 10) / 10;
    fields[`cpuprofile_${input.key}_ms`] = Math.round(direct * 10) / 10;
    fields[`cpuprofile_${input.key}_json_parse_ms`] = Math.round(floor * 10) / 10;
  }
  return fields;
}

/** Both ways of reading a profile are held against JSON.parse of the same text. */
export const cpuprofileBenchmark: Benchmark = { run: runCpuprofileBenchmark, peersOf: field => [field.replace(/(_open)?_ms$/, '_json_parse_ms')] };
