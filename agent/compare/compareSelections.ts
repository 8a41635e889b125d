import { preferredProfileType, displayUnitOf, toDisplayUnit, type DisplayUnit } from '../../common/profileTypes';
import { formatSelector } from '../../common/selector';
import type { ScanSource, Selection } from '../../storage/query';
import { callTreeForSelection } from '../queries/view/callTree';
import { profileTypes } from '../queries/selectionProfileTypes';
import { rootPrefixes, runsOf, type RunCosts } from '../queries/runs/runFunctionCosts';
import type { Store } from '../../storage/store';
import { parseMatchers } from '../queries/parseMatchers';
import type { PackedCallTree } from '../../common/callTree';
import { baseSelfOnto, scaleValues, stripPrefixes } from '../../common/diffCallTree';
import type { FunctionChangeRow } from '../../common/protocol/agentProtocol';
import { pruneCallTree } from '../../common/pruneCallTree';
import { classifyStoredFrame } from '../frameKind';
import { compareRuns, type Comparison } from './compareRuns';

export interface SelectionComparison extends Omit<Comparison, 'changes'> {
  changes: FunctionChangeRow[];
  diff?: { tree: PackedCallTree; baseSelf: number[] };
  base: string;
  head: string;
  profileType: string | undefined;
  /** The types both sides hold: what else they can be compared in (allocated bytes beside CPU time). */
  profileTypes: string[];
  /** The unit of every mean, spread and delta. */
  unit: DisplayUnit;
}

/**
 * Compares two selectors' runs function by function (compareRuns.ts), in the display unit of their profile type; with
 * `tree`, also the differential call tree of the head against the base, as means per run. With `readBase`, the base
 * side comes from what it reads (a dataset's selection, of every type) instead of the store, as `icicle diff
 * --base-dataset` takes it: functions meet by identity (name, file, definition), never by ids.
 */
export async function compareSelections(
  store: Store,
  base: string,
  head: string,
  wantedType?: string,
  tree?: { minShare: number },
  readBase?: (selection: Selection) => Promise<ScanSource>,
): Promise<SelectionComparison> {
  const a: Selection = { matchers: parseMatchers(base) };
  const b: Selection = { matchers: parseMatchers(head) };
  // Read before the snapshot is taken, as diff does: a dataset that cannot be read fails before the store is held.
  const baseSource = await readBase?.(a);
  const snapshot = store.snapshot();
  const sourceA: ScanSource = baseSource ?? snapshot;
  try {
    const typesA = await profileTypes(sourceA, a);
    const typesB = await profileTypes(snapshot, b);
    const types = [...new Set([...typesA, ...typesB])];
    const profileType = wantedType !== undefined && types.includes(wantedType) ? wantedType : preferredProfileType(types);
    const typed = (s: Selection): Selection => (profileType === undefined ? s : { ...s, profileType });
    const runsA = await runsOf(sourceA, typed(a));
    const runsB = await runsOf(snapshot, typed(b));
    const comparison = compareRuns(toDisplay(runsA, profileType), toDisplay(runsB, profileType));
    let diff: SelectionComparison['diff'];
    if (tree && runsA.length > 0 && runsB.length > 0) {
      const sideTree = async (source: ScanSource, s: Selection, runs: number) =>
        scaleValues(stripPrefixes(await callTreeForSelection(source, typed(s), classifyStoredFrame), await rootPrefixes(source, typed(s))), 1 / runs);
      const headTree = pruneCallTree(await sideTree(snapshot, b, runsB.length), tree.minShare);
      diff = { tree: headTree, baseSelf: baseSelfOnto(headTree, await sideTree(sourceA, a, runsA.length)) };
    }
    // JSON has no Infinity: a function new in the head says so with a null percentage.
    const changes = comparison.changes.map(c => ({ ...c, deltaPercent: Number.isFinite(c.deltaPercent) ? c.deltaPercent : null }));
    return { ...comparison, changes, ...(diff ? { diff } : {}), base: formatSelector(a.matchers), head: formatSelector(b.matchers), profileType, profileTypes: typesA.filter(t => typesB.includes(t)).sort(), unit: displayUnitOf(profileType) };
  } finally {
    snapshot.release();
  }
}

function toDisplay(runs: RunCosts[], profileType: string | undefined): RunCosts[] {
  const convert = toDisplayUnit(profileType);
  return runs.map(run => ({
    run: run.run,
    total: convert(run.total),
    functions: run.functions.map(f => ({ ...f, self: convert(f.self), total: convert(f.total) })),
  }));
}
