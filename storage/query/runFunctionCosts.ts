import { COLUMN, labelColumn } from '../schema';
import { executePlan } from './execute';
import { functionCostsOf, type FunctionCost } from './functionCosts';
import { count, scan, sum } from './logicalPlan';
import { numbers, strings } from './resultColumns';
import type { ScanSource } from './scanSource';
import { selectionPredicate, type Selection } from './selection';

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
