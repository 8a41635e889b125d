/**
 * Data-driven logic tests of the query engine, in the spirit of sqllogictest: each file under testdata/*.logic
 * is a script of directives, each followed by its expected output, run top to bottom against one in-memory
 * source (testing/batchSource.ts).
 *
 * Format (one directive per paragraph; `#` lines and blank lines between paragraphs are ignored):
 *
 *   insert [profile=TYPE] {key="value", ...}
 *   TIMESTAMP VALUE STACK
 *   ...
 *       Adds one batch (one block, with its own statistics). Every row gets the selector's labels (only `=`;
 *       values use the selector escapes \" \\ \n \t); a batch's label columns are exactly those keys, so later
 *       batches can bring new columns and earlier ones read as null. STACK is frames root first, separated by
 *       `;`; a frame is `name` or `name@file` or `name@file:line`, or `name@file:line^start` for a frame at `line` of a
 *       function that starts at `start` (pprof's frames). The paragraph ends at a blank line.
 *
 *   query NAME ARGS          a product query (profileQueries), printed as below
 *   plan PIPELINE            runs a plan (planText.ts syntax); prints a header of column names, then one row per line
 *   explain PIPELINE         the optimised plan, as explain() prints it
 *   analyze PIPELINE         runs the plan, then prints the plan with per-node counters (batches read, pruned, rows)
 *   ----
 *   expected output lines, up to the next blank line
 *
 * A directive that throws prints `error: MESSAGE`. Values print as numbers, JSON-quoted strings (so hostile
 * values stay on one line) and NULL.
 *
 * Queries (SEL is a selection: a selector in braces, optionally followed by `profile=TYPE` and `time=START..END`):
 *   merge-stacks SEL           STACK VALUE SAMPLES per stack, sorted by stack text
 *   call-tree SEL              the packed call tree, indented, with kind, self/total micros and samples
 *   function-costs SEL         NAME FILE:LINE:COLUMN (its definition) SELF TOTAL SELF_SAMPLES TOTAL_SAMPLES
 *   line-costs FILE SEL        LINE SELF TOTAL SELF_SAMPLES TOTAL_SAMPLES
 *   source-costs SEL           `total` VALUE SAMPLES, then per file its functions (NAME, first line, costs) and lines
 *   label-keys [SEL]           one key per line
 *   label-values KEY [SEL]     one value per line
 *   time-series WIDTH SEL      BUCKET VALUE SAMPLES
 *   diff SEL SEL               NAME FILE A_TOTAL B_TOTAL DELTA_TOTAL DELTA_SELF
 *
 * A directive without a `----` section gets one written and the test fails, so that every expectation is read
 * by a person first (test/support/golden.ts's convention). ICICLE_UPDATE_GOLDENS=1 rewrites every expected
 * section with the actual output; review the diff before committing.
 */
import { CPU_TIME_PROFILE_TYPE } from '../../common/profileTypes';
import * as assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Table } from 'apache-arrow';
import { FRAME_KINDS, type FrameKind, type PackedCallTree } from '../../common/callTree';
import { parseSelector } from '../../common/selector';
import type { StoredFrame } from '../metadata/metadataStore';
import { executePlan } from './execute';
import { explain } from './explain';
import { parsePlan } from './planText';
import { type Selection } from '.';
import { callTreeForSelection } from '../../agent/queries/view/callTree';
import { functionCosts, lineCosts } from '../../agent/queries/stacks/functionCosts';
import { labelKeys, labelValues } from '../../agent/queries/labels/labelQueries';
import { mergeStacks } from '../../agent/queries/stacks/mergeStacks';
import { recordedRuns } from '../../agent/queries/runs/recordedRuns';
import { sourceCosts } from '../../agent/queries/source/sourceCosts';
import { timeSeries } from '../../agent/queries/view/timeSeries';
import { BatchSource, type SampleRow } from '../../test/support/batchSource';

const TESTDATA = join(__dirname, 'testdata');
const UPDATE = process.env['ICICLE_UPDATE_GOLDENS'] === '1';

describe('query logic tests', () => {
  const files = readdirSync(TESTDATA).filter(f => f.endsWith('.logic')).sort();
  it('has scripts', () => assert.ok(files.length >= 6, `expected at least 6 .logic files in ${TESTDATA}`));
  for (const file of files) {
    it(file, async () => {
      await runScript(join(TESTDATA, file));
    });
  }
});

interface Mismatch {
  line: number;
  directive: string;
  expected: string[];
  actual: string[];
}

async function runScript(path: string): Promise<void> {
  const lines = readFileSync(path, 'utf8').replace(/\n$/, '').split('\n');
  const source = new BatchSource();
  const output: string[] = [];
  const mismatches: Mismatch[] = [];
  let missing = 0;
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.trim() === '' || line.startsWith('#')) {
      output.push(line);
      i++;
      continue;
    }
    if (line.startsWith('insert')) {
      const rows: string[] = [];
      output.push(line);
      i++;
      while (i < lines.length && lines[i]!.trim() !== '') {
        if (!lines[i]!.startsWith('#')) rows.push(lines[i]!);
        output.push(lines[i]!);
        i++;
      }
      insert(source, line, rows, path, i);
      continue;
    }
    const directiveLine = i + 1;
    output.push(line);
    i++;
    let expected: string[] | undefined;
    if (lines[i] === '----') {
      i++;
      expected = [];
      while (i < lines.length && lines[i]!.trim() !== '') expected.push(lines[i++]!);
    }
    const actual = await run(source, line);
    output.push('----', ...actual);
    if (expected === undefined) {
      missing++;
      // Keep the paragraph structure: the written section must end before whatever follows.
      if (i < lines.length && lines[i]!.trim() !== '') output.push('');
    } else if (expected.join('\n') !== actual.join('\n')) {
      mismatches.push({ line: directiveLine, directive: line, expected, actual });
    }
  }
  const rewritten = output.join('\n') + '\n';
  if (UPDATE || missing > 0) writeFileSync(path, rewritten);
  if (UPDATE) return;
  if (missing > 0) assert.fail(`${missing} directive(s) in ${path} had no expected output; it has been written: review it and run again`);
  if (mismatches.length > 0) {
    const report = mismatches
      .map(m => `${path}:${m.line}: ${m.directive}\n--- expected\n${m.expected.join('\n')}\n--- actual\n${m.actual.join('\n')}`)
      .join('\n\n');
    assert.fail(`${mismatches.length} directive(s) differ (ICICLE_UPDATE_GOLDENS=1 rewrites them):\n\n${report}`);
  }
}

/** `cpu` in a script is CPU time in nanoseconds, so call trees show microseconds as the product does; other names are types of their own. */
function profileTypeNamed(name: string): string {
  return name === 'cpu' ? CPU_TIME_PROFILE_TYPE : name;
}

function insert(source: BatchSource, header: string, rows: string[], path: string, line: number): void {
  const rest = header.slice('insert'.length).trim();
  const profile = /^profile=(\S+)\s*/.exec(rest);
  const selector = profile ? rest.slice(profile[0].length) : rest;
  const labels: Record<string, string> = {};
  for (const m of parseSelector(selector)) {
    if (m.op !== '=') throw new Error(`${path}:${line}: insert labels must use =`);
    labels[m.key] = m.value;
  }
  const samples: SampleRow[] = rows.map(text => {
    const match = /^(\S+)\s+(\S+)\s+(.+)$/.exec(text);
    if (!match) throw new Error(`${path}: bad row ${JSON.stringify(text)} (expected TIMESTAMP VALUE STACK)`);
    const frames = match[3]!.split(';').map(spec => {
      const at = spec.indexOf('@');
      const name = at < 0 ? spec : spec.slice(0, at);
      const location = at < 0 ? '' : spec.slice(at + 1);
      // `file:12^10`: line 12 of a function that starts at line 10, as pprof gives frames (functionLine).
      const start = /\^(\d+)$/.exec(location);
      const position = start ? location.slice(0, start.index) : location;
      const colon = position.lastIndexOf(':');
      const hasLine = colon >= 0 && /^\d+$/.test(position.slice(colon + 1));
      const frame: StoredFrame = {
        functionName: name,
        file: hasLine ? position.slice(0, colon) : position,
        line: hasLine ? Number(position.slice(colon + 1)) : 0,
        column: 0,
        module: '',
        address: 0,
        ...(start ? { functionLine: Number(start[1]) } : {}),
      };
      return source.metadata.internFrame(frame);
    });
    const stackId = source.metadata.internStack(frames.reverse()); // The store keeps stacks leaf first.
    return { timestamp: Number(match[1]), value: Number(match[2]), stackId, labels, profileType: profileTypeNamed(profile?.[1] ?? 'cpu') };
  });
  source.appendRows(samples);
}

async function run(source: BatchSource, directive: string): Promise<string[]> {
  const space = directive.indexOf(' ');
  const verb = space < 0 ? directive : directive.slice(0, space);
  const rest = space < 0 ? '' : directive.slice(space + 1).trim();
  try {
    switch (verb) {
      case 'plan': {
        const { table } = await executePlan(parsePlan(rest), source);
        return renderTable(table);
      }
      case 'explain':
        return lines(explain(parsePlan(rest)));
      case 'analyze': {
        const result = await executePlan(parsePlan(rest), source);
        return lines(explain(result.plan, { analyze: result.stats }));
      }
      case 'query':
        return await query(source, rest);
      default:
        throw new Error(`unknown directive ${JSON.stringify(verb)}`);
    }
  } catch (error) {
    return [`error: ${(error as Error).message}`];
  }
}

async function query(source: BatchSource, text: string): Promise<string[]> {
  const space = text.indexOf(' ');
  const name = space < 0 ? text : text.slice(0, space);
  let args = space < 0 ? '' : text.slice(space + 1).trim();
  const word = (): string => {
    const m = /^(\S+)\s*/.exec(args);
    if (!m) throw new Error(`query ${name} needs more arguments`);
    args = args.slice(m[0].length);
    return m[1]!;
  };
  const stackText = (id: number): string =>
    Array.from(source.metadata.stack(id))
      .reverse()
      .map(f => source.metadata.frame(f).functionName)
      .join(';');
  switch (name) {
    case 'merge-stacks': {
      const merged = await mergeStacks(source, selections(args)[0]!);
      return Array.from(merged.stackIds, (id, k) => `${plainOrQuoted(stackText(id))} ${merged.values[k]} ${merged.samples[k]}`).sort();
    }
    case 'call-tree':
      return renderTree(await callTreeForSelection(source, selections(args)[0]!, classifyForTests));
    case 'function-costs':
      return (await functionCosts(source, selections(args)[0]!)).map(
        c => `${quote(c.functionName)} ${quote(c.file)}:${c.line}:${c.column} ${c.self} ${c.total} ${c.selfSamples} ${c.totalSamples}`,
      );
    case 'line-costs': {
      const file = word();
      return (await lineCosts(source, selections(args)[0]!, file)).map(
        c => `${c.line} ${c.self} ${c.total} ${c.selfSamples} ${c.totalSamples}`,
      );
    }
    case 'source-costs': {
      const costs = await sourceCosts(source, selections(args)[0]!);
      return [
        `total ${costs.total} ${costs.totalSamples}`,
        ...costs.files.flatMap(f => [
          `file ${quote(f.file)}`,
          ...f.functions.map(c => `  function ${quote(c.name)} line ${c.line} ${c.self} ${c.total} ${c.selfSamples} ${c.totalSamples}`),
          ...f.lines.map(c => `  line ${c.line} ${c.self} ${c.total} ${c.selfSamples} ${c.totalSamples}`),
        ]),
      ];
    }
    case 'label-keys':
      return (await labelKeys(source, args === '' ? undefined : selections(args)[0])).map(quote);
    case 'label-values': {
      const key = word();
      return (await labelValues(source, key, args === '' ? undefined : selections(args)[0])).map(quote);
    }
    case 'time-series': {
      const width = Number(word());
      const series = await timeSeries(source, selections(args)[0]!, width);
      return Array.from(series.bucketStartMs, (b, k) => `${b} ${series.values[k]} ${series.samples[k]}`);
    }
    case 'recorded-runs': {
      const profileType = profileTypeNamed(word());
      return (await recordedRuns(source, profileType)).map(
        r => `${quote(r.sessionId)} ${r.startMs}..${r.endMs} ${r.samples} ${r.value} ${Object.entries(r.labels).map(([k, v]) => `${k}=${quote(v)}`).join(' ')}`.trimEnd(),
      );
    }
    default:
      throw new Error(`unknown query ${JSON.stringify(name)}`);
  }
}

/** Selections written as `{selector} [profile=T] [time=START..END]`, one after another. */
function selections(text: string): Selection[] {
  const out: Selection[] = [];
  let rest = text.trim();
  while (rest !== '') {
    if (!rest.startsWith('{')) throw new Error(`expected a selector in braces at ${JSON.stringify(rest)}`);
    let end = 1;
    let quoted = false;
    for (; end < rest.length; end++) {
      const ch = rest[end];
      if (quoted && ch === '\\') end++;
      else if (ch === '"') quoted = !quoted;
      else if (!quoted && ch === '}') break;
    }
    const selection: Selection = { matchers: parseSelector(rest.slice(0, end + 1)) };
    rest = rest.slice(end + 1).trim();
    for (;;) {
      const option = /^(profile|time)=(\S+)\s*/.exec(rest);
      if (!option) break;
      rest = rest.slice(option[0].length);
      if (option[1] === 'profile') selection.profileType = profileTypeNamed(option[2]!);
      else {
        const range = /^(-?\d+)\.\.(-?\d+)$/.exec(option[2]!);
        if (!range) throw new Error(`bad time range ${option[2]}`);
        selection.timeRange = { startMs: Number(range[1]), endMs: Number(range[2]) };
      }
    }
    out.push(selection);
  }
  return out;
}

/** A small classifier for tests: the agent's real one lives in agent/frameKind.ts. */
function classifyForTests(frame: StoredFrame): FrameKind {
  if (frame.functionName.startsWith('(')) return 'program';
  if (frame.file === '') return 'native';
  if (frame.file.startsWith('node:')) return 'runtime';
  if (frame.file.includes('node_modules')) return 'dependency';
  return 'user';
}

function renderTree(tree: PackedCallTree): string[] {
  const depth: number[] = [];
  return tree.parent.map((p, i) => {
    depth[i] = p < 0 ? 0 : depth[p]! + 1;
    return (
      `${'  '.repeat(depth[i]!)}${quote(tree.strings[tree.name[i]!]!)} ${FRAME_KINDS[tree.kind[i]!]} ` +
      `self=${tree.selfValue[i]} total=${tree.totalValue[i]} samples=${tree.selfSamples[i]}/${tree.totalSamples[i]}`
    );
  });
}

function renderTable(table: Table): string[] {
  const names = table.schema.fields.map(f => f.name);
  const out = [names.join(' ')];
  for (let r = 0; r < table.numRows; r++) {
    out.push(names.map(n => value(table.getChild(n)!.get(r))).join(' '));
  }
  return out;
}

function value(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'string') return quote(v);
  return String(v);
}

/** Stacks print bare when they are plain text, JSON-quoted when a frame name has quotes, spaces or control characters. */
function plainOrQuoted(s: string): string {
  return /^[\w;.()@/:<>$-]*$/.test(s) ? s : quote(s);
}

function quote(s: string): string {
  return JSON.stringify(s);
}

function lines(text: string): string[] {
  return text.replace(/\n$/, '').split('\n');
}
