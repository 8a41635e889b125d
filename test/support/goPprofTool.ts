import * as assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { basename } from 'node:path';
import { executePlan, lt, scan, selectionPredicate, sum, type ScanSource, type Selection } from '../../storage/query';
import { mergeStacks } from '../../agent/queries/stacks/mergeStacks';
import { COLUMN } from '../../storage/schema';

/**
 * `go tool pprof -top` as the reference reader of pprof files, for the pprof import and export tests (not product
 * code: nothing imports it outside tests).
 *
 * Exact integers: `-unit=ns` for nanosecond sample types and `-unit=B` for byte ones make pprof print every value
 * in that unit (its ScaledLabel is `%.2f` of the value with a trailing `.00` dropped, exact for integers below
 * 2^53: `205170000000ns`); counts are never scaled. `-nodefraction=0` keeps every node, so the five rows are the
 * five largest |flat| of all functions (pprof drops nodes below 0.5% of the total otherwise). `-symbolize=none`
 * and a PPROF_BINARY_PATH that does not exist keep pprof from looking for the profiled binaries (locally or on
 * the network), so names are the file's own.
 *
 * The header's "of Z total" is the sum of |value| over samples (pprof's computeTotal), which differs from the
 * signed sum for delta profiles.
 */
export interface GoTop {
  /** Sum of |value| over the samples of the chosen sample type. */
  total: number;
  rows: GoTopRow[];
  /** The whole output, for messages. */
  text: string;
}

export interface GoTopRow {
  flat: number;
  cum: number;
  /** As printed, including an ` (inline)` or ` (partial-inline)` mark. */
  name: string;
}

/** The -unit flag that makes pprof print a sample type's values as exact integers. */
export function goUnitFlags(unit: string): string[] {
  switch (unit) {
    case 'nanoseconds':
      return ['-unit=ns'];
    case 'microseconds':
      return ['-unit=us'];
    case 'milliseconds':
      return ['-unit=ms'];
    case 'bytes':
      return ['-unit=B'];
    default:
      return [];
  }
}

export function goToolAvailable(): boolean {
  const result = spawnSync('go', ['version'], { encoding: 'utf8', timeout: 10_000 });
  return result.status === 0;
}

/** Runs `go tool pprof -top` (asynchronously, so that several run at once). */
export async function goTop(file: string, sampleIndex: number | string, unit: string, nodeCount = 5): Promise<GoTop> {
  const args = ['tool', 'pprof', '-symbolize=none', '-top', `-nodecount=${nodeCount}`, '-nodefraction=0', '-edgefraction=0', `-sample_index=${sampleIndex}`, ...goUnitFlags(unit), file];
  const result = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
    // A minute: several run at once, and under CI's load one on pprof/large.cpu was killed at the former 10 s.
    execFile(
      'go',
      args,
      { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 << 20, env: { ...process.env, PPROF_BINARY_PATH: '/nonexistent-icicle-binaries', PPROF_TMPDIR: process.env['TMPDIR'] ?? '/tmp' } },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`go ${args.join(' ')} failed (${error.message}): ${stderr}; scripts/setup.sh installs golang-go`));
        else resolve({ stdout, stderr });
      },
    );
  });
  const text = result.stdout;
  const header = /Showing nodes accounting for (\S+), \S+% of (\S+) total/.exec(text);
  if (!header) throw new Error(`no "Showing nodes" line in go tool pprof's output:\n${text}`);
  const rows: GoTopRow[] = [];
  const lines = text.split('\n');
  const start = lines.findIndex(l => /^\s*flat\s+flat%\s+sum%\s+cum\s+cum%\s*$/.test(l));
  if (start < 0) throw new Error(`no table in go tool pprof's output:\n${text}`);
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === '') continue;
    const m = /^\s*(\S+)\s+\S+%\s+\S+%\s+(\S+)\s+\S+%\s+(.*)$/.exec(line);
    if (!m) throw new Error(`unexpected line in go tool pprof's output: ${JSON.stringify(line)}`);
    rows.push({ flat: goNumber(m[1]!), cum: goNumber(m[2]!), name: m[3]! });
  }
  return { total: goNumber(header[2]!), rows, text };
}

/** A value as `-unit=ns` / `-unit=us` / `-unit=B` (...) print it: an integer with an optional unit, never a fraction. */
export function goNumber(text: string): number {
  const m = /^(-?\d+)(ns|us|ms|B)?$/.exec(text);
  if (!m) throw new Error(`go tool pprof printed ${JSON.stringify(text)}, not an exact integer`);
  return Number(m[1]);
}

/** A row's function name without pprof's inlining mark. */
export function withoutInlineMark(name: string): string {
  return name.replace(/ \((partial-)?inline\)$/, '');
}

/**
 * The store's view of one sample type, shaped like `go tool pprof -top` at its default (functions) granularity:
 * a node per (function name, file); frames of locations without lines (named by address) are one node per
 * mapping, `[basename]`, as pprof zeroes addresses when it aggregates by function.
 */
export async function storeTop(source: ScanSource, selection: Selection): Promise<{ absTotal: number; total: number; flat: Map<string, number>; displayName: Map<string, string> }> {
  const merged = await mergeStacks(source, selection);
  const negatives = await executePlan(scan().where(selectionPredicate(selection), lt(COLUMN.value, 0)).aggregate([], [sum(COLUMN.value, 'neg')]).build(), source);
  const neg = (negatives.table.getChild('neg')?.get(0) as number | null) ?? 0;
  const flat = new Map<string, number>();
  const displayName = new Map<string, string>();
  let total = 0;
  for (let s = 0; s < merged.stackIds.length; s++) {
    total += merged.values[s]!;
    const frames = merged.stackIds[s] === 0 ? new Uint32Array() : source.metadata.stack(merged.stackIds[s]!);
    for (let k = 0; k < frames.length; k++) {
      const frame = source.metadata.frame(frames[k]!);
      const lineless = frame.file === '' && frame.line === 0 && /^0x[0-9a-f]+$/.test(frame.functionName);
      const name = lineless ? (frame.module === '' ? '<unknown>' : `[${basename(frame.module)}]`) : frame.functionName;
      const key = lineless ? name : JSON.stringify([frame.functionName, frame.file]);
      displayName.set(key, name);
      flat.set(key, (flat.get(key) ?? 0) + (k === 0 ? merged.values[s]! : 0));
    }
  }
  return { absTotal: total - 2 * neg, total, flat, displayName };
}

/** Compares go's top rows with the store's nodes: every row's flat is its function's, and they are the largest. */
export function assertTopMatches(go: GoTop, store: Awaited<ReturnType<typeof storeTop>>, what: string): void {
  assert.equal(store.absTotal, go.total, `${what}: total (sum of |value|)\n${go.text}`);
  const byName = new Map<string, number[]>();
  for (const [key, value] of store.flat) {
    const name = store.displayName.get(key)!;
    byName.set(name, [...(byName.get(name) ?? []), value]);
  }
  for (const row of go.rows) {
    const name = withoutInlineMark(row.name);
    const flats = byName.get(name);
    assert.ok(flats !== undefined, `${what}: go's ${JSON.stringify(name)} is not in the store\n${go.text}`);
    assert.ok(flats.includes(row.flat), `${what}: ${name}: go's flat ${row.flat}, the store's ${flats.join(' or ')}\n${go.text}`);
  }
  const order = (a: number, b: number): number => Math.abs(b) - Math.abs(a) || b - a;
  const storeTopFlats = [...store.flat.values()].sort(order).slice(0, go.rows.length);
  assert.deepEqual(go.rows.map(r => r.flat).sort(order), storeTopFlats, `${what}: the largest flat values\n${go.text}`);
}


/** The profile's duration in seconds as `go tool pprof -top` prints it in its header ("Duration: 1.91s, ..."). */
export function goDurationSeconds(top: GoTop): number {
  const m = /^Duration: ([\d.]+)(ns|us|µs|ms|s|mins|hrs), /m.exec(top.text);
  if (!m) throw new Error(`no "Duration:" in go tool pprof's header:\n${top.text}`);
  const scale: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, mins: 60, hrs: 3600 };
  return Number(m[1]) * scale[m[2]!]!;
}
