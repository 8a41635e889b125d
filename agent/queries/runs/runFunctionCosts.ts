import { pathToFileURL } from 'node:url';
import { COLUMN, labelColumn } from '../../../storage/schema';
import { count, executePlan, numbers, scan, selectionPredicate, strings, sum, type ScanSource, type Selection } from '../../../storage/query';
import { functionCostsOf, type FunctionCost } from '../stacks/functionCosts';

/** One run's per-function costs and its whole value. */
export interface RunCosts {
  run: string;
  total: number;
  functions: FunctionCost[];
}

/**
 * Per-function cost of each run in the selection, a run being the samples sharing a value of `runKey` (`session_id`
 * for recorded runs, `profile_id` for imported files): what a comparison needs to tell a change from run-to-run
 * noise. One aggregation by (run, stack), then one walk of each run's distinct stacks. Samples without the label are
 * left out.
 */
export async function runFunctionCosts(source: ScanSource, selection: Selection, runKey: string): Promise<RunCosts[]> {
  const column = labelColumn(runKey);
  if (!source.columnNames().includes(column)) return [];
  const plan = scan()
    .where(selectionPredicate(selection))
    .aggregate([column, COLUMN.stackId], [sum(COLUMN.value, 'value'), count('samples')])
    .build();
  const { table } = await executePlan(plan, source);
  const runs = strings(table, column);
  const stacks = numbers(table, COLUMN.stackId);
  const values = numbers(table, 'value');
  const samples = numbers(table, 'samples');
  const rowsOf = new Map<string, number[]>();
  runs.forEach((run, row) => {
    if (run === null || run === '') return;
    let rows = rowsOf.get(run);
    if (!rows) rowsOf.set(run, (rows = []));
    rows.push(row);
  });
  return [...rowsOf].map(([run, rows]) => {
    const merged = {
      stackIds: Uint32Array.from(rows, r => stacks[r]!),
      values: Float64Array.from(rows, r => values[r]!),
      samples: Float64Array.from(rows, r => samples[r]!),
    };
    return { run, total: merged.values.reduce((a, b) => a + b, 0), functions: functionCostsOf(source.metadata, merged) };
  }).sort((a, b) => (a.run < b.run ? -1 : a.run > b.run ? 1 : 0));
}

/** What a run is: a recorded session when the samples have them, else an imported profile file. */
export const RUN_KEYS = ['session_id', 'profile_id'] as const;

/**
 * The per-run costs of a selection, its runs being sessions, else profile files; empty when none match. Runs made in
 * a checkout of their own (labelled `source_root`, as "Compare Branches…" does) name their files relative to it, so
 * the same function in two checkouts is one function.
 */
export async function runsOf(source: ScanSource, selection: Selection): Promise<RunCosts[]> {
  for (const key of RUN_KEYS) {
    const runs = await runFunctionCosts(source, selection, key);
    if (runs.length === 0) continue;
    const roots = await sourceRoots(source, selection, key);
    return roots.size === 0 ? runs : runs.map(run => relativeTo(run, roots.get(run.run)));
  }
  return [];
}

async function sourceRoots(source: ScanSource, selection: Selection, key: string): Promise<Map<string, string>> {
  const runColumn = labelColumn(key);
  const rootColumn = labelColumn('source_root');
  if (!source.columnNames().includes(rootColumn)) return new Map();
  const { table } = await executePlan(scan().where(selectionPredicate(selection)).aggregate([runColumn, rootColumn], [count('rows')]).build(), source);
  const runs = strings(table, runColumn);
  const roots = strings(table, rootColumn);
  const out = new Map<string, string>();
  runs.forEach((run, i) => {
    const root = roots[i];
    if (run && root) out.set(run, root);
  });
  return out;
}

/** Every checkout root of the selection's runs, as the prefixes its frames' files start with. */
export async function rootPrefixes(source: ScanSource, selection: Selection): Promise<string[]> {
  const roots = new Set<string>();
  for (const key of RUN_KEYS) for (const root of (await sourceRoots(source, selection, key)).values()) roots.add(root);
  return [...roots].flatMap(root => [`${pathToFileURL(root).href}/`, `${root}/`]);
}

function relativeTo(run: RunCosts, root: string | undefined): RunCosts {
  if (!root) return run;
  const prefixes = [`${pathToFileURL(root).href}/`, `${root}/`];
  const strip = (file: string): string => {
    for (const prefix of prefixes) if (file.startsWith(prefix)) return file.slice(prefix.length);
    return file;
  };
  return { ...run, functions: run.functions.map(f => ({ ...f, file: strip(f.file) })) };
}
