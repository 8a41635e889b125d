/**
 * What makes a function one function, everywhere Icicle counts, shows or matches functions: its name, its file and
 * where it is defined (V8's callFrame line and column; pprof's Function.start_line). Name and file alone are not
 * enough: a compiler holds several `onEnter` functions in one file, and every closure V8 cannot name is
 * `(anonymous)`. A definition at line 0 is unknown; such frames fall back to name and file.
 */
export interface FunctionIdentity {
  name: string;
  file: string;
  /** 1-based line where the function is defined; 0 when unknown. */
  line: number;
  /** 1-based column where the function is defined; 0 when unknown (pprof gives none). */
  column: number;
}

/**
 * A frame as the store and the importers hold it: its own position, and, when that position is not where the
 * function starts (pprof: the line a sample or call was at), the function's start line (0: unknown).
 */
export interface PositionedFrame {
  line: number;
  column: number;
  functionLine?: number;
}

/** Where the frame's function is defined: its own position, unless the frame says the function starts elsewhere. */
export function definitionOf(frame: PositionedFrame): { line: number; column: number } {
  return frame.functionLine === undefined ? { line: frame.line, column: frame.column } : { line: frame.functionLine, column: 0 };
}

/** One string per function identity; JSON quoting keeps names and files apart whatever characters they contain. */
export function functionKey(fn: FunctionIdentity): string {
  return JSON.stringify([fn.name, fn.file, fn.line, fn.column]);
}

/** V8 names functions it cannot name '' (importers store '(anonymous)'); both are anonymous. */
export function isAnonymous(name: string): boolean {
  return name === '' || name === '(anonymous)';
}

export function displayName(name: string): string {
  return isAnonymous(name) ? '(anonymous)' : name;
}

/**
 * Where a function is, as people read it: `file:line`, and `file:line:column` for an anonymous function (two
 * closures on one line differ only there); '' without a file.
 */
export function functionLocation(fn: FunctionIdentity): string {
  if (fn.file === '') return '';
  if (fn.line <= 0) return fn.file;
  return isAnonymous(fn.name) && fn.column > 0 ? `${fn.file}:${fn.line}:${fn.column}` : `${fn.file}:${fn.line}`;
}

/** A function as one piece of text that tells it from every other: `onEnter file.ts:120`, `(anonymous) a.js:12:5`. */
export function functionLabel(fn: FunctionIdentity): string {
  const where = functionLocation(fn);
  return where === '' ? displayName(fn.name) : `${displayName(fn.name)} ${where}`;
}

/**
 * Pairs the functions of two versions of the code (a base and a head, whose lines differ wherever code moved):
 * the same definition pairs first, then, per name and file, the rest in order of their definitions, so that a
 * function that moved still meets itself and two `onEnter`s stay two. Returns, for each side, a match key per
 * function key; paired functions share it.
 */
export function matchAcrossVersions(a: readonly FunctionIdentity[], b: readonly FunctionIdentity[]): { a: Map<string, string>; b: Map<string, string> } {
  const result = { a: new Map<string, string>(), b: new Map<string, string>() };
  const distinct = (side: readonly FunctionIdentity[]): Map<string, FunctionIdentity> => new Map(side.map(fn => [functionKey(fn), fn]));
  const inA = distinct(a);
  const inB = distinct(b);
  const rest = { a: new Map<string, FunctionIdentity[]>(), b: new Map<string, FunctionIdentity[]>() };
  for (const [key, fn] of inA) {
    if (inB.has(key)) {
      result.a.set(key, key);
      result.b.set(key, key);
    } else push(rest.a, fn);
  }
  for (const [key, fn] of inB) if (!inA.has(key)) push(rest.b, fn);
  const byPosition = (x: FunctionIdentity, y: FunctionIdentity): number => x.line - y.line || x.column - y.column;
  for (const side of ['a', 'b'] as const) {
    for (const [nameFile, fns] of rest[side]) {
      fns.sort(byPosition).forEach((fn, i) => result[side].set(functionKey(fn), `${nameFile}#${i}`));
    }
  }
  return result;
}

function push(groups: Map<string, FunctionIdentity[]>, fn: FunctionIdentity): void {
  const nameFile = JSON.stringify([fn.name, fn.file]);
  let group = groups.get(nameFile);
  if (!group) groups.set(nameFile, (group = []));
  group.push(fn);
}

/**
 * Where the functions of frames without a definition are — V8 gives some frames no position (line −1), Go before 1.20
 * wrote no start_line — learnt from all of a profile's or store's frames (`add` each, then ask `positionOf`). Such a
 * frame belongs to the only function of its name and file whose definition is known, when there is exactly one (so a
 * function is not split into a known and an unknown part); otherwise it is the function of that name and file whose
 * start is unknown, shown at the first line its frames name (so pprof's frames at several lines stay one function).
 */
export class FunctionPositions {
  /** Per name and file: its one known definition, or null when it has several. */
  private readonly known = new Map<string, { line: number; column: number } | null>();
  private readonly firstLines = new Map<string, number>();

  add(name: string, file: string, frame: PositionedFrame): void {
    const key = JSON.stringify([name, file]);
    const definition = definitionOf(frame);
    if (definition.line === 0) {
      const first = this.firstLines.get(key);
      if (first === undefined || (frame.line > 0 && (first === 0 || frame.line < first))) this.firstLines.set(key, frame.line);
      return;
    }
    const seen = this.known.get(key);
    if (seen === undefined) this.known.set(key, definition);
    else if (seen !== null && (seen.line !== definition.line || seen.column !== definition.column)) this.known.set(key, null);
  }

  positionOf(name: string, file: string, frame: PositionedFrame): { line: number; column: number } {
    const definition = definitionOf(frame);
    // Frames without a file (V8's pseudo-frames, unsymbolised native code) have no definition to find.
    if (definition.line !== 0 || file === '') return definition;
    const key = JSON.stringify([name, file]);
    return this.known.get(key) ?? { line: this.firstLines.get(key) ?? 0, column: 0 };
  }
}
