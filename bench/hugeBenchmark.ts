import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseStreamedFile } from '../agent/import/streamImport';
import { requeryBenchmark } from './requeryBenchmark';
import { stallBenchmark } from './stallBenchmark';
import type { Benchmark, Fields } from './benchmarkDoc';
import { hugeCpuProfile, hugePerfScript, sizeMb } from './hugeInputs';

/**
 * Huge inputs (issue 20): `icicle import` of a 420+ MB V8 profile and of a long `perf script` text, each in a child
 * process as users run it (`node out/agent/icicle.js import FILE --store DIR`, a fresh store), timed from start to
 * exit with its peak resident memory (VmHWM, read from /proc while it runs). Floors in the same run: reading the file
 * once in 4 MB chunks (what any reader pays), and for the V8 profile cpupro's loader when it is installed (below).
 * Targets: the V8 profile in ≤ 3 s with RSS ≤ 1 GB; perf script at ≥ 150 MB/s. Then the requery and stall benchmarks
 * run as part of it, so that this one command prints every figure of the issue (`requery_ms`, `hover_p99_under_query_ms`).
 *
 * cpupro (npm `cpupro`, the record-holder for big V8 profiles) is the peer. It may not be a dependency of the
 * repository, so it is run from a scratch install: `npm install --prefix /tmp/cpupro cpupro@0.7.0 --ignore-scripts`
 * (or ICICLE_HUGE_CPUPRO pointing at such a prefix); without it the peer's field is null with a note.
 */

/** The command line measured: this checkout's build, or another's (ICICLE_HUGE_CLI, to measure a commit before a change). */
const CLI = process.env['ICICLE_HUGE_CLI'] ?? join(__dirname, '..', 'out', 'agent', 'icicle.js');
const CPUPRO_PREFIX = process.env['ICICLE_HUGE_CPUPRO'] ?? '/tmp/cpupro';

interface ChildRun {
  ms: number;
  rssMb: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs node with `args`, timing it and polling its peak resident set size (VmHWM) every 10 ms. */
function runMeasured(args: string[]): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    let peakKb = 0;
    const poll = setInterval(() => {
      try {
        const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (match) peakKb = Math.max(peakKb, Number(match[1]));
      } catch {
        // The child has exited between two polls.
      }
    }, 10);
    child.on('error', error => {
      clearInterval(poll);
      reject(error);
    });
    child.on('close', code => {
      clearInterval(poll);
      resolve({ ms: performance.now() - started, rssMb: Math.round(peakKb / 1024), code, stdout, stderr });
    });
  });
}

/** `icicle import FILE` into a fresh store. */
async function importOnce(file: string): Promise<ChildRun> {
  const store = mkdtempSync(join(tmpdir(), 'icicle-bench-huge-store-'));
  try {
    return await runMeasured([CLI, 'import', file, '--store', store]);
  } finally {
    rmSync(store, { recursive: true, force: true });
  }
}

/** Reading the file once, in 4 MB chunks, counting newlines so that nothing is optimised away: the floor. */
function readFloorMs(file: string): number {
  const started = performance.now();
  const fd = openSync(file, 'r');
  const chunk = Buffer.allocUnsafe(4 * 2 ** 20);
  let lines = 0;
  try {
    for (let n = readSync(fd, chunk); n > 0; n = readSync(fd, chunk)) {
      for (let at = chunk.indexOf(10); at >= 0 && at < n; at = chunk.indexOf(10, at + 1)) lines++;
    }
  } finally {
    closeSync(fd);
  }
  if (lines < 0) throw new Error('unreachable');
  return performance.now() - started;
}

/**
 * The perf script reader alone, in this process: the file streamed and parsed into a profile, nothing stored, so
 * that the import's time splits into the reader's and the store's.
 */
async function parseOnlyMs(file: string): Promise<number> {
  const started = performance.now();
  const streamed = await parseStreamedFile(file, 'huge.perf.txt');
  if (streamed === undefined) throw new Error(`${file} was not read as a stream`);
  return performance.now() - started;
}

/** A sentence from a failed import's stderr (the CLI's own message), for the `_note` field. */
function failure(run: ChildRun): string {
  const message = run.stderr.trim().split('\n').pop() ?? '';
  return `exit ${String(run.code)} after ${Math.round(run.ms)} ms: ${message}`.slice(0, 300);
}

/**
 * cpupro's loader on the same file, when installed in the scratch prefix: it reads the file with
 * @discoveryjs/json-ext's parseChunked (cpupro's own reading of big profiles, which never makes one string of the
 * file). Null with a note when cpupro is not there.
 */
async function cpuproPeer(file: string, fields: Fields): Promise<void> {
  const jsonExt = join(CPUPRO_PREFIX, 'node_modules', '@discoveryjs', 'json-ext');
  if (!existsSync(join(CPUPRO_PREFIX, 'node_modules', 'cpupro')) || !existsSync(jsonExt)) {
    fields['import_420mb_cpupro_ms'] = null;
    fields['import_420mb_cpupro_ms_note'] = `cpupro is not installed: npm install --prefix ${CPUPRO_PREFIX} cpupro@0.7.0 --ignore-scripts`;
    return;
  }
  const script = `
const { parseChunked } = require(${JSON.stringify(jsonExt)});
const { createReadStream } = require('node:fs');
parseChunked(createReadStream(process.argv[1], { highWaterMark: 4 * 1024 * 1024 })).then(profile => {
  process.stdout.write(String(profile.nodes.length) + ' nodes\\n');
}, error => { process.stderr.write(String(error && error.message) + '\\n'); process.exit(1); });
`;
  const run = await runMeasured(['-e', script, file]);
  if (run.code !== 0) {
    fields['import_420mb_cpupro_ms'] = null;
    fields['import_420mb_cpupro_ms_note'] = failure(run);
    return;
  }
  console.log(`  cpupro's parseChunked: ${Math.round(run.ms)} ms, peak RSS ${run.rssMb} MB (${run.stdout.trim()})`);
  fields['import_420mb_cpupro_ms'] = Math.round(run.ms);
  fields['import_420mb_cpupro_rss_mb'] = run.rssMb;
}

/** The V8 profile's import, its floor and cpupro's reading of it. */
async function measureCpuProfile(profile: string, fields: Fields): Promise<void> {
  const profileMb = sizeMb(profile);
  fields['huge_cpuprofile_mb'] = profileMb;
  fields['import_420mb_read_ms'] = Math.round(readFloorMs(profile));
  const v8 = await importOnce(profile);
  if (v8.code === 0) {
    console.log(`  ${profileMb} MB V8 profile: ${Math.round(v8.ms)} ms, peak RSS ${v8.rssMb} MB   targets ≤ 3000 ms, ≤ 1024 MB: ${v8.ms <= 3000 && v8.rssMb <= 1024 ? 'PASS' : 'MISS'}`);
    fields['import_420mb_ms'] = Math.round(v8.ms);
    fields['import_420mb_rss_mb'] = v8.rssMb;
  } else {
    console.log(`  ${profileMb} MB V8 profile: not imported (${failure(v8)})`);
    fields['import_420mb_ms'] = null;
    fields['import_420mb_ms_note'] = failure(v8);
    fields['import_420mb_rss_mb'] = v8.rssMb;
  }
  await cpuproPeer(profile, fields);
}

export async function runHugeBenchmark(): Promise<Fields> {
  const fields: Fields = {};
  // ICICLE_HUGE_CPUPROFILE: a V8 profile to use instead of the generated one (one recording was made, the merge's
  // second failed: see docs/handoff/streamImport.md).
  let profile: string | undefined;
  try {
    profile = process.env['ICICLE_HUGE_CPUPROFILE'] ?? hugeCpuProfile('huge');
  } catch (error) {
    fields['import_420mb_ms'] = null;
    fields['import_420mb_ms_note'] = `the input could not be made: ${(error as Error).message}`;
  }
  const perf = hugePerfScript('huge');
  console.log(`icicle import of huge files in a child process, fresh store each (wall time, peak RSS)`);
  if (profile !== undefined) await measureCpuProfile(profile, fields);
  const perfMb = sizeMb(perf);
  fields['huge_perf_script_mb'] = perfMb;
  const readMs = readFloorMs(perf);
  fields['perf_script_read_mb_per_s'] = Math.round(perfMb / (readMs / 1000));
  const parseMs = await parseOnlyMs(perf);
  fields['perf_script_parse_mb_per_s'] = Math.round(perfMb / (parseMs / 1000));
  console.log(`  ${perfMb} MB perf script, parsed only (no store): ${Math.round(parseMs)} ms (${fields['perf_script_parse_mb_per_s']} MB/s)`);
  const perfRun = await importOnce(perf);
  if (perfRun.code === 0) {
    const rate = perfMb / (perfRun.ms / 1000);
    console.log(`  ${perfMb} MB perf script: ${Math.round(perfRun.ms)} ms (${Math.round(rate)} MB/s), peak RSS ${perfRun.rssMb} MB   target ≥ 150 MB/s: ${rate >= 150 ? 'PASS' : 'MISS'}`);
    fields['perf_script_mb_per_s'] = Math.round(rate);
    fields['perf_script_rss_mb'] = perfRun.rssMb;
  } else {
    console.log(`  ${perfMb} MB perf script: not imported (${failure(perfRun)})`);
    fields['perf_script_mb_per_s'] = null;
    fields['perf_script_mb_per_s_note'] = failure(perfRun);
  }
  // The other two figures, so that one command prints them all: a re-query of the 185k-node view and a
  // hover under a 10M-sample query (each also its own benchmark).
  Object.assign(fields, await requeryBenchmark.run(), await stallBenchmark.run());
  return fields;
}

/** Each import against reading its file once, the V8 profile's against cpupro's loader; the requery and stall figures against their own peers. */
export const hugeBenchmark: Benchmark = {
  run: runHugeBenchmark,
  peersOf: field => {
    if (field === 'import_420mb_ms') return ['import_420mb_cpupro_ms', 'import_420mb_read_ms'];
    if (field === 'import_420mb_rss_mb') return ['import_420mb_cpupro_rss_mb'];
    if (field === 'perf_script_mb_per_s') return ['perf_script_parse_mb_per_s', 'perf_script_read_mb_per_s'];
    if (field === 'perf_script_parse_mb_per_s') return ['perf_script_read_mb_per_s'];
    if (field.startsWith('requery_')) return requeryBenchmark.peersOf?.(field) ?? [];
    return stallBenchmark.peersOf?.(field) ?? [];
  },
};
