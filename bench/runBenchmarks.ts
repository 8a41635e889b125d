import { runComparePowerBenchmark } from './comparePowerBenchmark';
import { runCpuprofileBenchmark } from './cpuprofileBenchmark';
import { runEditorOpenBenchmark } from './editorOpenBenchmark';
import { runImportBenchmark } from './importBenchmark';
import { runIngestBenchmark } from './ingestBenchmark';
import { runLspBenchmark } from './lspBenchmark';
import { runOverheadBenchmark } from './overheadBenchmark';
import { runRecordStartBenchmark } from './recordStartBenchmark';
import { runRenderBenchmark } from './renderBenchmark';
import { runStorageBenchmark } from './storage/storageBenchmark';

/**
 * Benchmarks, run by `npm run bench [-- <name>...] [--json]` (never as timed tests). Each prints its figures
 * and the ratio to a reference measured in the same run on the same input, because these machines are too noisy
 * for absolute figures to mean much on their own. Names select benchmarks (none: all of them); `--json` adds
 * one JSON object with every figure as the last line of stdout, for scripts and CI to compare runs (null: a figure
 * that could not be measured, such as a peer that crashed, with a `_note` field saying why).
 */
type Fields = Record<string, number | string | null>;

const benchmarks: Record<string, () => Promise<Fields> | Fields> = {
  'compare-power': runComparePowerBenchmark,
  cpuprofile: runCpuprofileBenchmark,
  'editor-open': runEditorOpenBenchmark,
  import: runImportBenchmark,
  ingest: runIngestBenchmark,
  lsp: runLspBenchmark,
  overhead: runOverheadBenchmark,
  record: runRecordStartBenchmark,
  render: runRenderBenchmark,
  storage: runStorageBenchmark,
};

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const names = args.filter(a => a !== '--json');
  const unknown = names.filter(n => !(n in benchmarks));
  if (unknown.length > 0) {
    console.error(`unknown benchmark ${unknown.join(', ')}; choose from ${Object.keys(benchmarks).join(', ')}`);
    process.exitCode = 2;
    return;
  }
  const fields: Fields = {};
  for (const name of names.length > 0 ? names : Object.keys(benchmarks)) {
    Object.assign(fields, await benchmarks[name]!());
    console.log();
  }
  if (json) console.log(JSON.stringify(fields));
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
