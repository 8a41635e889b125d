import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { baseDatasetBenchmark } from './baseDatasetBenchmark';
import { commandOf, renderSection, replaceSection, type Benchmark, type Fields } from './benchmarkDoc';
import { comparePowerBenchmark } from './comparePowerBenchmark';
import { cpuprofileBenchmark } from './cpuprofileBenchmark';
import { editorOpenBenchmark } from './editorOpenBenchmark';
import { flameChartBenchmark } from './flameChartBenchmark';
import { hugeBenchmark } from './hugeBenchmark';
import { importBenchmark } from './importBenchmark';
import { ingestBenchmark } from './ingestBenchmark';
import { liveBenchmark } from './liveBenchmark';
import { lspBenchmark } from './lspBenchmark';
import { overheadBenchmark } from './overheadBenchmark';
import { recordStartBenchmark } from './recordStartBenchmark';
import { renderBenchmark } from './renderBenchmark';
import { requeryBenchmark } from './requeryBenchmark';
import { stallBenchmark } from './stallBenchmark';
import { storageBenchmark } from './storage/storageBenchmark';
import { traceIdsBenchmark } from './traceIdsBenchmark';

/**
 * Benchmarks, run by `npm run bench [-- <name>...] [--json] [--no-write]` (never as timed tests). Each prints its
 * figures and the ratio to a reference measured in the same run, because these machines are too noisy for absolute
 * figures to mean much on their own. Names select benchmarks (none: all of them). Each benchmark that completes
 * rewrites its own section of docs/benchmarks.md (bench/benchmarkDoc.ts) with the run's figures, the date and the
 * machine, unless `--no-write`. `--json` adds one JSON object with every figure as the last line of stdout, for
 * scripts and CI to compare runs (null: a figure that could not be measured, such as a peer that crashed, with a
 * `_note` field saying why).
 */
const benchmarks: Record<string, Benchmark> = {
  'base-dataset': baseDatasetBenchmark,
  'compare-power': comparePowerBenchmark,
  cpuprofile: cpuprofileBenchmark,
  'editor-open': editorOpenBenchmark,
  'flame-chart': flameChartBenchmark,
  huge: hugeBenchmark,
  import: importBenchmark,
  ingest: ingestBenchmark,
  live: liveBenchmark,
  lsp: lspBenchmark,
  overhead: overheadBenchmark,
  record: recordStartBenchmark,
  render: renderBenchmark,
  requery: requeryBenchmark,
  stall: stallBenchmark,
  storage: storageBenchmark,
  'trace-ids': traceIdsBenchmark,
};

const root = join(__dirname, '..');
const DOC = join(root, 'docs', 'benchmarks.md');
const OPTIONS = ['--json', '--no-write'];

function git(...args: string[]): string {
  const run = spawnSync('git', args, { cwd: root, encoding: 'utf8' });
  return run.status === 0 ? run.stdout.trim() : '';
}

/** The commit measured; changes to docs/benchmarks.md, which this run writes, do not count as changes to the code. */
function commitMeasured(): string {
  const commit = git('rev-parse', '--short', 'HEAD') || 'unknown';
  return git('status', '--porcelain', '--untracked-files=no', '--', '.', ':!docs/benchmarks.md') === '' ? commit : `${commit} with uncommitted changes`;
}

function machine(): string {
  const model = cpus()[0]?.model.trim().replace(/\s+/g, ' ') ?? 'unknown processor';
  return `${cpus().length} cores (${model}), ${Math.round(totalmem() / 2 ** 30)} GB, Node ${process.version}, load average ${loadavg()[0]!.toFixed(1)} at the start`;
}

function utcMinute(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const write = !args.includes('--no-write');
  const names = args.filter(a => !OPTIONS.includes(a));
  const unknown = names.filter(n => !(n in benchmarks));
  if (unknown.length > 0) {
    console.error(`unknown benchmark or option ${unknown.join(', ')}; choose from ${Object.keys(benchmarks).join(', ')} and ${OPTIONS.join(', ')}`);
    process.exitCode = 2;
    return;
  }
  const commit = commitMeasured();
  const fields: Fields = {};
  for (const name of names.length > 0 ? names : Object.keys(benchmarks)) {
    const benchmark = benchmarks[name]!;
    const onMachine = machine();
    const figures = await benchmark.run();
    Object.assign(fields, figures);
    // Written as each benchmark ends, so that a later one failing loses nothing measured before it.
    if (write) {
      const context = { command: commandOf(name, process.env), date: utcMinute(new Date()), commit, machine: onMachine };
      writeFileSync(DOC, replaceSection(readFileSync(DOC, 'utf8'), name, renderSection(name, figures, benchmark, context)));
      console.log(`(written to docs/benchmarks.md, section ${name})`);
    }
    console.log();
  }
  if (json) console.log(JSON.stringify(fields));
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
