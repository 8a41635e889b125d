/**
 * Data-driven logic tests, in the spirit of sqllogictest: each `.logic` file is a script of directives, each followed
 * by its expected output, run top to bottom against one in-memory source (batchSource.ts). The engine's scripts
 * (storage/query/testdata) and the product queries' (agent/queries/testdata) share this runner; each adds its own
 * directives (storage/query/logicTests.test.ts, agent/queries/logicTests.test.ts).
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
 *       function that starts at `start` (pprof's frames). A stack ending in `!N` says the leaf was executing line N
 *       (the `line` column: V8's positionTicks, pprof's leaf line). The paragraph ends at a blank line.
 *
 *   plan PIPELINE            runs a plan (planText.ts syntax); prints a header of column names, then one row per line
 *   explain PIPELINE         the optimised plan, as explain() prints it
 *   analyze PIPELINE         runs the plan, then prints the plan with per-node counters (batches read, pruned, rows)
 *   ----
 *   expected output lines, up to the next blank line
 *
 * A directive that throws prints `error: MESSAGE`. Values print as numbers, JSON-quoted strings (so hostile
 * values stay on one line) and NULL. SEL, where a directive takes a selection, is a selector in braces, optionally
 * followed by `profile=TYPE` and `time=START..END`.
 *
 * A directive without a `----` section gets one written and the test fails, so that every expectation is read
 * by a person first (test/support/golden.ts's convention). ICICLE_UPDATE_GOLDENS=1 rewrites every expected
 * section with the actual output; review the diff before committing.
 */
import * as assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Table } from 'apache-arrow';
import { CPU_TIME_PROFILE_TYPE, SPAN_WALL_TIME_PROFILE_TYPE } from '../../common/profileTypes';
import { parseSelector } from '../../common/selector';
import type { StoredFrame } from '../../storage/metadata/metadataStore';
import { executePlan, explain, parsePlan, type Selection } from '../../storage/query';
import { BatchSource, type SampleRow } from './batchSource';

/** A directive's verb → what it prints, given the rest of its line. */
export type Directives = Readonly<Record<string, (source: BatchSource, rest: string) => Promise<string[]>>>;

const UPDATE = process.env['ICICLE_UPDATE_GOLDENS'] === '1';

/** The engine's own directives, which every script may use. */
export const planDirectives: Directives = {
  plan: async (source, rest) => renderTable((await executePlan(parsePlan(rest), source)).table),
  explain: async (_source, rest) => lines(explain(parsePlan(rest))),
  analyze: async (source, rest) => {
    const result = await executePlan(parsePlan(rest), source);
    return lines(explain(result.plan, { analyze: result.stats }));
  },
};

/** One mocha test per `.logic` file of `folder`, run with `directives` (and the insert paragraphs every script has). */
export function describeLogicScripts(title: string, folder: string, directives: Directives, atLeast: number): void {
  describe(title, () => {
    const files = readdirSync(folder).filter(f => f.endsWith('.logic')).sort();
    it('has scripts', () => assert.ok(files.length >= atLeast, `expected at least ${atLeast} .logic files in ${folder}`));
    for (const file of files) {
      it(file, async () => {
        await runScript(join(folder, file), directives);
      });
    }
  });
}

interface Mismatch {
  line: number;
  directive: string;
  expected: string[];
  actual: string[];
}

async function runScript(path: string, directives: Directives): Promise<void> {
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
    const actual = await run(source, line, directives);
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

/**
 * `cpu` in a script is CPU time in nanoseconds, so call trees show microseconds as the product does; `span_wall` the
 * spans' wall time (SPAN_WALL_TIME_PROFILE_TYPE); other names are types of their own.
 */
export function profileTypeNamed(name: string): string {
  return name === 'cpu' ? CPU_TIME_PROFILE_TYPE : name === 'span_wall' ? SPAN_WALL_TIME_PROFILE_TYPE : name;
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
    const match = /^(\S+)\s+(\S+)\s+(.+?)(?:!(\d+))?$/.exec(text);
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
    return {
      timestamp: Number(match[1]),
      value: Number(match[2]),
      stackId,
      labels,
      profileType: profileTypeNamed(profile?.[1] ?? 'cpu'),
      ...(match[4] === undefined ? {} : { line: Number(match[4]) }),
    };
  });
  source.appendRows(samples);
}

async function run(source: BatchSource, directive: string, directives: Directives): Promise<string[]> {
  const space = directive.indexOf(' ');
  const verb = space < 0 ? directive : directive.slice(0, space);
  const rest = space < 0 ? '' : directive.slice(space + 1).trim();
  try {
    const handler = directives[verb];
    if (handler === undefined) throw new Error(`unknown directive ${JSON.stringify(verb)}`);
    return await handler(source, rest);
  } catch (error) {
    return [`error: ${(error as Error).message}`];
  }
}

/** Reads a directive's arguments a word at a time; `rest` is what is left (a selection, usually). */
export class Words {
  constructor(
    private readonly directive: string,
    public rest: string,
  ) {}

  next(): string {
    const m = /^(\S+)\s*/.exec(this.rest);
    if (!m) throw new Error(`${this.directive} needs more arguments`);
    this.rest = this.rest.slice(m[0].length);
    return m[1]!;
  }
}

/** A stored stack as text, root first, function names separated by `;`. */
export function stackText(source: BatchSource, id: number): string {
  return Array.from(source.metadata.stack(id))
    .reverse()
    .map(f => source.metadata.frame(f).functionName)
    .join(';');
}

/** Selections written as `{selector} [profile=T] [time=START..END]`, one after another. */
export function selections(text: string): Selection[] {
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
export function plainOrQuoted(s: string): string {
  return /^[\w;.()@/:<>$-]*$/.test(s) ? s : quote(s);
}

export function quote(s: string): string {
  return JSON.stringify(s);
}

function lines(text: string): string[] {
  return text.replace(/\n$/, '').split('\n');
}
