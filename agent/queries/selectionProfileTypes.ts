import { COLUMN } from '../../storage/schema';
import { executePlan, scan, selectionPredicate, type ScanSource, type Selection } from '../../storage/query';

/** The distinct profile types among the selected samples, sorted (a selection's own type, if any, is ignored). */
export async function profileTypes(source: ScanSource, selection: Selection): Promise<string[]> {
  if (!source.columnNames().includes(COLUMN.profileType)) return [];
  const { profileType: _ignored, ...rest } = selection;
  const plan = scan([COLUMN.profileType]).where(selectionPredicate(rest)).distinct(COLUMN.profileType).build();
  const { table } = await executePlan(plan, source);
  const column = table.getChild(COLUMN.profileType);
  const out: string[] = [];
  for (let i = 0; i < table.numRows; i++) {
    const value = column?.get(i) as string | null | undefined;
    if (value !== null && value !== undefined) out.push(value);
  }
  return out.sort();
}
