import { count, executePlan, numbers, scan, selectionPredicate, strings, type ScanSource, type Selection } from '../../../storage/query';
import { COLUMN, labelColumn } from '../../../storage/schema';

/**
 * How many runs of a selection ran code of each file: sessions, plus profile files that belong to no session (as the
 * source costs count runs). A mean per run is a file's cost over these runs, not over every run of a branch, which
 * may hold other programs that never load the file and would shrink the mean with their zeros.
 */
export async function runsPerFile(source: ScanSource, selection: Selection): Promise<Map<string, number>> {
  const runsOf = new Map<string, Set<string>>();
  const sides: [string, Selection][] = [
    ['session_id', selection],
    ['profile_id', { ...selection, matchers: [...selection.matchers, { key: 'session_id', op: '=', value: '' }] }],
  ];
  const metadata = source.metadata;
  for (const [key, keyed] of sides) {
    const column = labelColumn(key);
    if (!source.columnNames().includes(column)) continue;
    const { table } = await executePlan(scan().where(selectionPredicate(keyed)).aggregate([column, COLUMN.stackId], [count('rows')]).build(), source);
    const runs = strings(table, column);
    const stacks = numbers(table, COLUMN.stackId);
    // Each stored frame's file, read once: a run's stacks share most of their frames.
    const fileOf = new Map<number, string>();
    runs.forEach((run, row) => {
      if (run === null || run === '' || stacks[row] === 0) return;
      const id = `${key}\u0000${run}`;
      for (const frameId of metadata.stack(stacks[row]!)) {
        let file = fileOf.get(frameId);
        if (file === undefined) fileOf.set(frameId, (file = metadata.frame(frameId).file));
        if (file === '') continue;
        let set = runsOf.get(file);
        if (!set) runsOf.set(file, (set = new Set()));
        set.add(id);
      }
    });
  }
  return new Map([...runsOf].map(([file, runs]) => [file, runs.size]));
}
