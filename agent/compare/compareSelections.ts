import { preferredProfileType, displayUnitOf, toDisplayUnit, type DisplayUnit } from '../../common/profileTypes';
import { formatSelector } from '../../common/selector';
import { pathToFileURL } from 'node:url';
import { callTreeForSelection, count, executePlan, profileTypes, runFunctionCosts, scan, selectionPredicate, type RunCosts, type Selection } from '../../storage/query';
import { strings } from '../../storage/query/resultColumns';
import { labelColumn } from '../../storage/schema';
import type { ScanSource } from '../../storage/query/scanSource';
import type { Store } from '../../storage/store';
import { parseMatchers } from '../viewQueries';
import type { PackedCallTree } from '../../common/callTree';
import { baseSelfOnto, scaleValues, stripPrefixes } from '../../common/diffCallTree';
import type { FunctionChangeRow } from '../../common/protocol/agentProtocol';
import { pruneCallTree } from '../../common/pruneCallTree';
import { classifyStoredFrame } from '../frameKind';
import { compareRuns, type Comparison } from './compareRuns';

/** What a run is: a recorded session when the samples have them, else an imported profile file. */
export const RUN_KEYS = ['session_id', 'profile_id'] as const;

export interface SelectionComparison extends Omit<Comparison, 'changes'> {
  changes: FunctionChangeRow[];
  diff?: { tree: PackedCallTree; baseSelf: number[] };
  base: string;
  head: string;
  profileType: string | undefined;
  /** The unit of every mean, spread and delta. */
  unit: DisplayUnit;
}

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
async function rootPrefixes(source: ScanSource, selection: Selection): Promise<string[]> {
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

/**
 * Compares two selectors' runs function by function (compareRuns.ts), in the display unit of their profile type; with
 * `tree`, also the differential call tree of the head against the base, as means per run.
 */
export async function compareSelections(store: Store, base: string, head: string, wantedType?: string, tree?: { minShare: number }): Promise<SelectionComparison> {
  const a: Selection = { matchers: parseMatchers(base) };
  const b: Selection = { matchers: parseMatchers(head) };
  const snapshot = store.snapshot();
  try {
    const types = [...new Set([...(await profileTypes(snapshot, a)), ...(await profileTypes(snapshot, b))])];
    const profileType = wantedType !== undefined && types.includes(wantedType) ? wantedType : preferredProfileType(types);
    const typed = (s: Selection): Selection => (profileType === undefined ? s : { ...s, profileType });
    const runsA = await runsOf(snapshot, typed(a));
    const runsB = await runsOf(snapshot, typed(b));
    const comparison = compareRuns(toDisplay(runsA, profileType), toDisplay(runsB, profileType));
    let diff: SelectionComparison['diff'];
    if (tree && runsA.length > 0 && runsB.length > 0) {
      const sideTree = async (s: Selection, runs: number) =>
        scaleValues(stripPrefixes(await callTreeForSelection(snapshot, typed(s), classifyStoredFrame), await rootPrefixes(snapshot, typed(s))), 1 / runs);
      const headTree = pruneCallTree(await sideTree(b, runsB.length), tree.minShare);
      diff = { tree: headTree, baseSelf: baseSelfOnto(headTree, await sideTree(a, runsA.length)) };
    }
    // JSON has no Infinity: a function new in the head says so with a null percentage.
    const changes = comparison.changes.map(c => ({ ...c, deltaPercent: Number.isFinite(c.deltaPercent) ? c.deltaPercent : null }));
    return { ...comparison, changes, ...(diff ? { diff } : {}), base: formatSelector(a.matchers), head: formatSelector(b.matchers), profileType, unit: displayUnitOf(profileType) };
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
