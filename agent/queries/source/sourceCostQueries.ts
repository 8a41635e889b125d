import { SPLIT_NONE, SPLIT_OTHERS, type PackedFileCosts, type SourceCostsRequest } from '../../../common/protocol/agentProtocol';
import { CPU_TIME_PROFILE_TYPE, describeProfileType, displayUnitOf, preferredProfileType, toDisplayUnit } from '../../../common/profileTypes';
import { formatSelector, type LabelMatcher } from '../../../common/selector';
import type { SourceSelection } from '../../../common/sourceSelection';
import type { ScanSource, Selection } from '../../../storage/query';
import { labelValuesByRecency } from '../labels/labelValuesByRecency';
import { profileTypes } from '../selectionProfileTypes';
import { sourceCosts, type SourceFunctionCost } from './sourceCosts';
import type { Store } from '../../../storage/store';
import { RUN_KEYS } from '../runs/runFunctionCosts';
import { runsPerFile } from './fileRuns';
import { parseMatchers } from '../parseMatchers';


/**
 * The source costs of a selection as the language server keeps them: the selection resolved against the store
 * (the latest run found, a recent window computed from now), then every file's per-function and per-line cost.
 */
export async function querySourceCosts(store: Store, params: SourceCostsRequest.Params, now = Date.now()): Promise<SourceCostsRequest.Result> {
  const snapshot = store.snapshot();
  try {
    return await sourceCostsOf(snapshot, params, now);
  } finally {
    snapshot.release();
  }
}

/**
 * querySourceCosts's work on any source of rows: a store snapshot, or a selection read from a dataset (`whose` then
 * says so after the selection's words: ` from the dataset ci-main`).
 */
export async function sourceCostsOf(source: ScanSource, params: SourceCostsRequest.Params, now = Date.now(), whose = ''): Promise<SourceCostsRequest.Result> {
  const matchers = parseMatchers(params.selection.selector);
  // The run first, then its profile type: a branch without runs falls back to another run, whose types are the ones
  // to choose from (choosing among the branch's none would sum every type's values, nanoseconds and bytes alike).
  const resolution = await resolve(source, params.selection, { matchers }, now);
  const { selection: resolved } = resolution;
  const description = resolution.description + whose;
  const types = await profileTypes(source, resolved);
  const profileType = params.profileType !== undefined && types.includes(params.profileType) ? params.profileType : preferredProfileType(types);
  // A type chosen for other samples (allocations, and a newer run recorded without them) is said to be missing.
  const missing = params.profileType !== undefined && profileType !== params.profileType && types.length > 0 ? `; no ${describeProfileType(params.profileType)} recorded, so ${describeProfileType(profileType!)}` : '';
  const selection: Selection = { ...resolved, ...(profileType !== undefined ? { profileType } : {}) };
  const runs = await countRuns(source, selection);
  const costs = await sourceCosts(source, selection, params.splitBy ? { splitBy: params.splitBy } : {});
  const fileRuns = params.runsPerFile ? await runsPerFile(source, selection) : undefined;
  const toDisplay = toDisplayUnit(profileType);
  const splitValues = new SplitValues();
  const files: PackedFileCosts[] = costs.files.map(f => {
    const split = packSplit(f.functions, splitValues, toDisplay);
    return {
      file: f.file,
      functionNames: f.functions.map(fn => fn.name),
      functions: f.functions.flatMap(fn => [fn.line, toDisplay(fn.self), toDisplay(fn.total), fn.selfSamples, fn.totalSamples]),
      lines: f.lines.flatMap(l => [l.line, toDisplay(l.self), toDisplay(l.total), l.selfSamples, l.totalSamples]),
      ...(fileRuns ? { runs: fileRuns.get(f.file) ?? 0 } : {}),
      ...(split.length > 0 ? { split } : {}),
    };
  });
  return {
    description: (profileType === undefined || profileType === CPU_TIME_PROFILE_TYPE ? description : `${description}, ${describeProfileType(profileType)}`) + missing,
    selector: formatSelector(selection.matchers),
    profileType,
    profileTypes: types,
    unit: displayUnitOf(profileType),
    runs,
    total: toDisplay(costs.total),
    totalSamples: costs.totalSamples,
    files,
    ...(params.splitBy && splitValues.values.length > 0 ? { split: { key: params.splitBy.key, values: splitValues.values } } : {}),
  };
}

/** The label values the answer's splits name, each once, in the order first met. */
class SplitValues {
  readonly values: string[] = [];
  private readonly index = new Map<string, number>();

  of(value: string): number {
    let at = this.index.get(value);
    if (at === undefined) {
      at = this.values.push(value) - 1;
      this.index.set(value, at);
    }
    return at;
  }
}

/** A file's functions' splits, packed as `PackedFileCosts.split` says, in the display unit. */
function packSplit(functions: readonly SourceFunctionCost[], values: SplitValues, toDisplay: (value: number) => number): number[] {
  const packed: number[] = [];
  functions.forEach((fn, index) => {
    if (!fn.split) return;
    for (const share of fn.split.shares) packed.push(index, share.value === null ? SPLIT_NONE : values.of(share.value), toDisplay(share.total), share.samples, 1);
    const others = fn.split.others;
    if (others.values > 0) packed.push(index, SPLIT_OTHERS, toDisplay(others.total), others.samples, others.values);
  });
  return packed;
}

async function resolve(source: ScanSource, wanted: SourceSelection, base: Selection, now: number): Promise<{ selection: Selection; description: string }> {
  const what = base.matchers.length === 0 ? 'all samples' : formatSelector(base.matchers).slice(1, -1);
  switch (wanted.kind) {
    case 'allRuns':
      return { selection: base, description: `${what}, all runs` };
    case 'profile':
      return { selection: base, description: wanted.name };
    case 'recent': {
      const timeRange = { startMs: now - wanted.minutes * 60_000, endMs: now + 1 };
      return { selection: { ...base, timeRange }, description: `${what}, last ${describeMinutes(wanted.minutes)}` };
    }
    case 'latestRun': {
      for (const key of RUN_KEYS) {
        const [latest] = await labelValuesByRecency(source, base, key);
        if (latest === undefined) continue;
        const matcher: LabelMatcher = { key, op: '=', value: latest.value };
        const when = new Date(latest.lastMs).toISOString().slice(0, 16).replace('T', ' ');
        return { selection: { ...base, matchers: [...base.matchers, matcher] }, description: `${what}, latest run (${latest.value.slice(0, 12)}, ${when} UTC)` };
      }
      if (wanted.fallbackToAny && base.matchers.length > 0) {
        const any = await resolve(source, { kind: 'latestRun', selector: '{}' }, { ...base, matchers: [] }, now);
        if (any.selection.matchers.length > 0) return { selection: any.selection, description: `${any.description}; ${what} has none yet` };
      }
      return { selection: base, description: `${what}, no runs yet` };
    }
    default: {
      const unreachable: never = wanted;
      throw new Error(`unknown selection ${JSON.stringify(unreachable)}`);
    }
  }
}

/** Distinct runs among the samples: sessions, plus profile files that belong to no session. */
async function countRuns(source: ScanSource, selection: Selection): Promise<number> {
  const sessions = await labelValuesByRecency(source, selection, 'session_id');
  const files = await labelValuesByRecency(source, { ...selection, matchers: [...selection.matchers, { key: 'session_id', op: '=', value: '' }] }, 'profile_id');
  return sessions.length + files.length;
}

function describeMinutes(minutes: number): string {
  if (minutes % 1440 === 0) return minutes === 1440 ? 'day' : `${minutes / 1440} days`;
  if (minutes % 60 === 0) return minutes === 60 ? 'hour' : `${minutes / 60} hours`;
  return `${minutes} minutes`;
}
