import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseCpuProfile } from '../agent/importers/cpuprofile';
import { corpusDir } from '../test/support/corpus';

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
  console.log(`${name.padEnd(48)} ${ms.toFixed(1).padStart(8)} ms   ${peerName}: ${peerMs.toFixed(1)} ms   ratio ${(ms / peerMs).toFixed(2)}×`);
}

/** V8 cpuprofile → merged call tree, against JSON.parse of the same text (the floor). Returns figures for --json. */
export function runCpuprofileBenchmark(): Record<string, number> {
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
    const ours = time(7, () => parseCpuProfile(input.text, 'bench'));
    const floor = time(7, () => JSON.parse(input.text));
    report(input.name, ours, 'JSON.parse', floor);
    fields[`cpuprofile_${input.key}_ms`] = Math.round(ours * 10) / 10;
    fields[`cpuprofile_${input.key}_json_parse_ms`] = Math.round(floor * 10) / 10;
  }
  return fields;
}
