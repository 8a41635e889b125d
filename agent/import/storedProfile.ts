import type { Store } from '../../storage/store';
import { log } from '../log';

/**
 * Whether the store holds a profile (by its `profile_id`), and whether whole.
 *
 * A profile is stored in one write when it can be (one value type, at most 100,000 samples: a probe chunk without
 * idle samples), and a write is atomic. Any other takes several writes (a probe chunk with idle samples takes two:
 * CPU time and Idle time, import/idleTime.ts), and an agent killed between them leaves part of it
 * stored. So every row of a profile stored in several writes carries the internal label `__profile_rows` with the
 * number of rows the whole profile has: fewer rows than that means the import was cut short, and it is imported
 * again rather than served, or skipped, as it is.
 */
export const PROFILE_ROWS_LABEL = '__profile_rows';

export type StoredProfileState = 'absent' | 'whole' | 'partial';

export async function storedProfileState(store: Store, profileId: string): Promise<StoredProfileState> {
  // Loaded on first use: the query engine is not needed by every importer's caller.
  const { compare, count, executePlan, scan } = await import('../../storage/query');
  const snapshot = store.snapshot();
  try {
    const columns = snapshot.columnNames();
    if (!columns.includes('labels.profile_id')) return 'absent';
    const rowsColumn = `labels.${PROFILE_ROWS_LABEL}`;
    const marked = columns.includes(rowsColumn);
    const plan = scan()
      .where(compare('labels.profile_id', '=', profileId))
      .aggregate(marked ? [rowsColumn] : [], [count('rows')])
      .build();
    const { table } = await executePlan(plan, snapshot);
    const counts = table.getChild('rows')?.toArray() as ArrayLike<number> | undefined;
    const groups = table.numRows;
    if (!counts || groups === 0 || counts[0] === 0) return 'absent';
    // Stored before the label existed, or in one write: whole.
    if (!marked) return 'whole';
    const expected = table.getChild(rowsColumn)!.get(0) as string | null;
    if (groups === 1 && (expected === null || Number(expected) === Number(counts[0]))) return 'whole';
    return 'partial';
  } finally {
    snapshot.release();
  }
}

/**
 * Whether the store holds the profile whole, so that importing it again would add nothing. What an import cut short
 * left of it is deleted first (the caller then imports it whole).
 */
export async function storedWhole(store: Store, profileId: string, displayName: string): Promise<boolean> {
  const state = await storedProfileState(store, profileId);
  if (state === 'partial') {
    const removed = await store.deleteWhere({ matchers: [{ key: 'profile_id', op: '=', value: profileId }] });
    log('warn', `${displayName} had been stored only in part (an import was cut short); its ${removed} rows were removed and it is imported again`);
  }
  return state === 'whole';
}
