import { parseSelector } from '../../common/selector';
import { executePlan, scan, type Selection } from '../../storage/query';
import type { ScanSource } from '../../storage/query/scanSource';
import { StoreReader } from '../../storage/storeReader';
import { UsageError, whereToSelector } from './cliErrors';

/** The store opened for reading and the selection the options describe. */
export interface QueryContext {
  reader: StoreReader;
  source: ScanSource;
  selection: Selection;
  /** The profile type chosen (the one asked for, or the store's CPU time, or its only one). */
  profileType: string | undefined;
}

const PREFERRED_TYPES = ['process_cpu:cpu:nanoseconds:cpu:nanoseconds', 'process_cpu:samples:count:cpu:nanoseconds'];

/**
 * Opens the store read-only (so the command works while the agent writes it) and resolves `--where` and `--type`.
 * Without `--type`, a store holding several profile types is read as CPU time when it has it, else its first type,
 * and the command says which.
 */
export async function openForQuery(storeDirectory: string, where: readonly string[], type: string | undefined): Promise<QueryContext> {
  let matchers;
  try {
    matchers = parseSelector(whereToSelector(where));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const reader = await StoreReader.open(storeDirectory);
  const source = reader.snapshot();
  const types = await profileTypes(source, { matchers });
  if (type !== undefined && !types.includes(type)) {
    await reader.close();
    throw new UsageError(`no samples of profile type ${type} match; the store has: ${types.join(', ') || 'nothing'}`);
  }
  const profileType = type ?? PREFERRED_TYPES.find(t => types.includes(t)) ?? types[0];
  return { reader, source, selection: { matchers, ...(profileType ? { profileType } : {}) }, profileType };
}

/** The distinct profile types among the selected samples. */
export async function profileTypes(source: ScanSource, selection: Selection): Promise<string[]> {
  if (!source.columnNames().includes('profile_type')) return [];
  const { selectionPredicate } = await import('../../storage/query');
  const plan = scan(['profile_type']).where(selectionPredicate(selection)).distinct('profile_type').build();
  const { table } = await executePlan(plan, source);
  const column = table.getChild('profile_type');
  const out: string[] = [];
  for (let i = 0; i < table.numRows; i++) out.push(String(column?.get(i)));
  return out.sort();
}

/** The unit of a Parca profile type's values: its third field. */
export function unitOf(profileType: string | undefined): string {
  return profileType?.split(':')[2] ?? 'count';
}

export function formatValue(value: number, unit: string): string {
  switch (unit) {
    case 'nanoseconds':
      return value >= 1e9 ? `${(value / 1e9).toFixed(2)} s` : `${(value / 1e6).toFixed(2)} ms`;
    case 'bytes':
      return value >= 1 << 20 ? `${(value / (1 << 20)).toFixed(1)} MiB` : value >= 1024 ? `${(value / 1024).toFixed(1)} KiB` : `${value} B`;
    default:
      return String(value);
  }
}
