import { displayName, functionKey, functionLocation, isAnonymous, type FunctionIdentity } from '../../common/functionIdentity';
import type { ScanSource, Selection } from '../../storage/query';
import { functionPositions } from '../queries/stacks/functionPositions';
import { mergeStacks } from '../queries/stacks/mergeStacks';
import { profileTypes as profileTypesIn } from '../queries/selectionProfileTypes';
import { ExportError } from './pprofExport';

export interface CollapsedExportOptions {
  /** The profile type whose values to write, when the selection names none. */
  profileType?: string;
}

/**
 * The selected samples as Brendan Gregg's folded ("collapsed") stacks, the input of flamegraph.pl, speedscope
 * and inferno: one line per distinct stack, `root;caller;...;leaf value`, root first, lines sorted (by UTF-16 code
 * units, so the output is deterministic), each ending in '\n'.
 *
 * Values are one profile type's (the selection's, or the options', or the only one selected: collapsed stacks
 * have one value column, so several types are refused with their names). Each frame is its function name:
 * ';' (the separator) becomes ':' and line breaks (CR, LF) become spaces, so every line stays parseable; an empty
 * name is written `[unknown]`, as perf's collapsers do. A name that stands for several functions (two `onEnter`s
 * of one file, or of two files) and an anonymous function are written with where they are defined, as py-spy writes
 * frames and the collapsed importer reads them back: `onEnter (file.ts:120)`, `(anonymous) (app.js:12:5)`. Stacks
 * that print the same (the same functions at other lines or addresses) are summed into one line. Stacks whose value
 * sums to 0 and samples without a stack (which the format cannot express) are left out.
 */
export async function exportCollapsed(source: ScanSource, selection: Selection, options: CollapsedExportOptions = {}): Promise<string> {
  let profileType = selection.profileType ?? options.profileType;
  if (profileType === undefined) {
    const types = await profileTypesIn(source, selection);
    if (types.length > 1) throw new ExportError(`collapsed stacks hold one value per line, and the selection holds several profile types (${types.join(', ')}): choose one`);
    profileType = types[0];
    if (profileType === undefined) return '';
  }
  const merged = await mergeStacks(source, { ...selection, profileType });
  const metadata = source.metadata;
  const positionOf = functionPositions(metadata);
  const identityOf = (frameId: number): FunctionIdentity => {
    const frame = metadata.frame(frameId);
    return { name: frame.functionName, file: frame.file, ...positionOf(frame) };
  };
  // Which functions each name stands for among the exported frames: a name shared by several is written with
  // where each is defined.
  const identities = new Map<string, Set<string>>();
  for (let s = 0; s < merged.stackIds.length; s++) {
    if (merged.stackIds[s] === 0) continue;
    for (const frameId of metadata.stack(merged.stackIds[s]!)) {
      const identity = identityOf(frameId);
      let keys = identities.get(identity.name);
      if (!keys) identities.set(identity.name, (keys = new Set()));
      keys.add(functionKey(identity));
    }
  }
  const names = new Map<number, string>();
  const nameOf = (frameId: number): string => {
    let name = names.get(frameId);
    if (name === undefined) {
      const identity = identityOf(frameId);
      name = collapsedFrameName(identities.get(identity.name)!.size > 1 || (isAnonymous(identity.name) && identity.line > 0) ? locatedName(identity) : identity.name);
      names.set(frameId, name);
    }
    return name;
  };
  const totals = new Map<string, number>();
  for (let s = 0; s < merged.stackIds.length; s++) {
    const stackId = merged.stackIds[s]!;
    if (stackId === 0) continue;
    const frames = metadata.stack(stackId);
    const parts = new Array<string>(frames.length);
    for (let k = 0; k < frames.length; k++) parts[frames.length - 1 - k] = nameOf(frames[k]!);
    const line = parts.join(';');
    totals.set(line, (totals.get(line) ?? 0) + merged.values[s]!);
  }
  const lines = [...totals.entries()].filter(([, value]) => value !== 0).map(([stack, value]) => `${stack} ${value}`);
  lines.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** `name (file:line)`, with the column for an anonymous function: the located frame of py-spy's folded stacks. */
function locatedName(fn: FunctionIdentity): string {
  const where = functionLocation(fn);
  return where === '' ? displayName(fn.name) : `${displayName(fn.name)} (${where})`;
}

/** A function name as one frame of a folded line: no ';' and no line break, never empty. */
export function collapsedFrameName(name: string): string {
  if (name === '') return '[unknown]';
  return /[;\r\n]/.test(name) ? name.replace(/;/g, ':').replace(/\r\n|[\r\n]/g, ' ') : name;
}
