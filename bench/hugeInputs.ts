import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { corpusDir } from '../test/support/corpus';

/**
 * The `huge` benchmark's inputs, made once and kept in ~/.cache/icicle/bench (each takes minutes to make): real
 * programs' profiles scaled up honestly, never padded JSON.
 *
 * - A V8 profile of 420+ MB: one `node --cpu-prof` recording (50 µs interval, as tsc-big.cpuprofile) of a process that
 *   type-checks this repository COPIES times, each time with its own copy of the TypeScript compiler (as a monorepo's
 *   build or a language server holding several TypeScript versions does). Each copy is a script of its own to V8, so
 *   its functions are call frames of their own and the recorded tree grows by one real tsc tree per copy (about
 *   185,000 nodes and 55 MB each): the size comes from nodes, as in the big profiles users open, not from samples.
 * - `perf script` text of PERF_TARGET_MB: the corpus' real recording of xz (generated/xz.perf.txt.gz, 1.5 MB) played
 *   again and again as one longer time series: each copy's samples follow the previous copy's, times shifted, so the
 *   file reads as one long recording of the same program.
 */

const CACHE = join(homedir(), '.cache', 'icicle', 'bench');

/** Copies of the compiler the recorded process loads; 8 make about 450 MB. */
const COPIES = Number(process.env['ICICLE_HUGE_COPIES'] ?? 8);
/** The perf script text's size: under the 400 MiB limit the in-memory path had, so that both paths can be timed. */
const PERF_TARGET_MB = Number(process.env['ICICLE_HUGE_PERF_MB'] ?? 300);

/** The program recorded: tsc's API on this repository's tsconfig.json, once per freshly compiled copy of typescript.js. */
function workload(root: string, copies: number): string {
  return `
const Module = require('node:module');
const { readFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const file = require.resolve('typescript', { paths: [${JSON.stringify(root)}] });
const source = readFileSync(file, 'utf8');
for (let copy = 0; copy < ${copies}; copy++) {
  // A different source text is a different script to V8 (its compilation cache would otherwise share the functions).
  const m = new Module(file, null);
  m.filename = file;
  m.paths = Module._nodeModulePaths(dirname(file));
  m._compile(source + '\\n// copy ' + copy + '\\n', file);
  const ts = m.exports;
  const host = { ...ts.sys, onUnRecoverableConfigFileDiagnostic() {} };
  const config = ts.getParsedCommandLineOfConfigFile(join(${JSON.stringify(root)}, 'tsconfig.json'), {}, host);
  const program = ts.createProgram({ rootNames: config.fileNames, options: { ...config.options, noEmit: true } });
  process.stderr.write('copy ' + copy + ': ' + ts.getPreEmitDiagnostics(program).length + ' diagnostics\\n');
}
`;
}

/** The path of the 420+ MB V8 profile (made on first use, which takes a few minutes). */
export function hugeCpuProfile(who: string): string {
  const file = join(CACHE, `tsc-huge-${COPIES}.cpuprofile`);
  if (existsSync(file)) return file;
  mkdirSync(CACHE, { recursive: true });
  const out = mkdtempSync(join(tmpdir(), 'icicle-bench-huge-'));
  try {
    process.stderr.write(`[${who}] recording tsc type-checking this repository ${COPIES} times at 50 µs (once, a few minutes)\n`);
    const root = join(__dirname, '..');
    const run = spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-interval', '50', `--cpu-prof-dir=${out}`, '-e', workload(root, COPIES)], { stdio: ['ignore', 'ignore', 'inherit'], cwd: root });
    const made = readdirSync(out).find(f => f.endsWith('.cpuprofile'));
    if (run.status !== 0 || !made) throw new Error(`could not record the huge profile (exit ${String(run.status ?? run.signal)})`);
    // Renamed into place whole, so a benchmark stopped half-way never leaves a truncated profile for the next one.
    renameSync(join(out, made), file);
    return file;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** The path of the long `perf script` text (made on first use from the corpus' xz recording). */
export function hugePerfScript(who: string): string {
  const file = join(CACHE, `xz-long-${PERF_TARGET_MB}mb.perf.txt`);
  if (existsSync(file)) return file;
  mkdirSync(CACHE, { recursive: true });
  process.stderr.write(`[${who}] writing ${PERF_TARGET_MB} MB of perf script text from the corpus' xz recording\n`);
  const text = gunzipSync(readFileSync(join(corpusDir(), 'generated', 'xz.perf.txt.gz'))).toString('utf8');
  const copy = timeSeriesCopier(text);
  const partial = `${file}.partial`;
  const fd = openSync(partial, 'w');
  try {
    let written = 0;
    for (let i = 0; written < PERF_TARGET_MB * 2 ** 20; i++) written += writeSync(fd, copy(i));
  } finally {
    closeSync(fd);
  }
  renameSync(partial, file);
  return file;
}

/** Sizes of the inputs, in MB, for the report. */
export function sizeMb(path: string): number {
  return Math.round((statSync(path).size / 2 ** 20) * 10) / 10;
}

/**
 * Copy `i` of a perf script text: its samples with each time field moved `i` recording-lengths (plus one sampling
 * period) later; comment lines only in the first copy.
 */
function timeSeriesCopier(text: string): (i: number) => string {
  const TIME = /^(\S.*?\s)(\d+)\.(\d{6}):/;
  const times: number[] = [];
  const lines = text.split('\n');
  for (const line of lines) {
    const match = TIME.exec(line);
    if (match) times.push(Number(match[2]) * 1e6 + Number(match[3]));
  }
  const first = Math.min(...times);
  const last = Math.max(...times);
  const spanUs = last - first + 1000;
  const body = lines.filter(line => !line.startsWith('#'));
  return i => {
    if (i === 0) return text.endsWith('\n') ? text : `${text}\n`;
    const shift = i * spanUs;
    const out = body.map(line => {
      const match = TIME.exec(line);
      if (!match) return line;
      const us = Number(match[2]) * 1e6 + Number(match[3]) + shift;
      return `${match[1]!}${Math.floor(us / 1e6)}.${String(us % 1e6).padStart(6, '0')}:${line.slice(match[0].length)}`;
    });
    const joined = out.join('\n');
    return joined.endsWith('\n') ? joined : `${joined}\n`;
  };
}
