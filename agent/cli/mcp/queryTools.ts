import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { PathIndex } from '../../../common/pathMapping';
import { describeProfileType, preferredProfileType, unitOf } from '../../../common/profileTypes';
import { formatSelector } from '../../../common/selector';
import { StoreReader } from '../../../storage/storeReader';
import { labelKeys, labelValues } from '../../queries/labels/labelQueries';
import { recordedRuns } from '../../queries/runs/recordedRuns';
import { profileTypes } from '../../queries/selectionProfileTypes';
import { sourceCosts, type SourceLineCost } from '../../queries/source/sourceCosts';
import { UsageError } from '../cliErrors';
import { DEFAULT_MIN_RUNS, DIFF_EXIT } from '../diffGate';
import { diffJson, diffOf, diffOutcome, VERDICT_TEXT } from '../diffCommand';
import { formatValue, parseWhere, readForQuery } from '../queryContext';
import { topRows } from '../topCommand';
import { functionSandwich, type SandwichRow } from './functionSandwich';
import { answer, budgetShape, capped, citation, guarded, MAX_STRING_CHARS, quoted, UNTRUSTED_NOTE } from './toolAnswer';

/** Where every tool reads: the store, opened read-only for each call (so each answer sees the newest writes). */
export interface ToolContext {
  store: string;
}

const selectorField = z
  .string()
  .max(4096)
  .optional()
  .describe('Which samples: a selector like {branch="main", http_route="/users"} (=, !=, =~ regex, !~) or one k=v; all samples when left out.');
const typeField = z.string().max(256).optional().describe('A profile type id from list_runs (default: CPU time when the store has it).');

/** Percent of a whole, rounded as `icicle top` rounds it. */
function percentOf(whole: number): (value: number) => number {
  return value => (whole === 0 ? 0 : Math.round((value / whole) * 10_000) / 100);
}

/** The selector as `--where` takes it; a mistake in it is said to be the selector's. */
function where(selector: string | undefined, name = 'selector'): string[] {
  if (selector === undefined || selector.trim() === '') return [];
  try {
    parseWhere([selector]);
  } catch (error) {
    throw new UsageError(`the ${name} ${JSON.stringify(selector)} is not a selector like {branch="main"} or k=v: ${error instanceof Error ? error.message : String(error)}`);
  }
  return [selector];
}

/** The read-only query tools; each answer's figures come from the same functions as the command line's. */
export function registerQueryTools(server: McpServer, context: ToolContext): void {
  server.registerTool(
    'list_runs',
    {
      title: 'Icicle runs and labels',
      description: `The profile types in the Icicle profile store, its recorded runs (newest first: when, how many samples, their branch, commit, command...) and its label keys with their values, to build selectors for the other tools. ${UNTRUSTED_NOTE}`,
      inputSchema: { profileType: typeField, labelKey: z.string().max(256).optional().describe('List only this label\'s values (up to limit) instead of every key with its first values.'), ...budgetShape },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    input =>
      guarded(async () => {
        const found = await StoreReader.read(context.store, async reader => {
          const source = reader.snapshot();
          const types = await profileTypes(source, { matchers: [] });
          if (input.profileType !== undefined && !types.includes(input.profileType)) throw new UsageError(`no samples of profile type ${input.profileType}; the store has: ${types.join(', ') || 'nothing'}`);
          const profileType = input.profileType ?? preferredProfileType(types);
          const runs = profileType === undefined ? [] : await recordedRuns(source, profileType, input.limit);
          const keys = input.labelKey !== undefined ? [input.labelKey] : await labelKeys(source);
          const labels = await Promise.all(keys.map(async key => ({ key, values: await labelValues(source, key) })));
          return { types, profileType, runs, labels };
        });
        const unit = unitOf(found.profileType);
        const valuesPerKey = input.labelKey !== undefined ? input.limit : Math.min(input.limit, 10);
        const data = {
          profileTypes: found.types.map(type => ({ id: type, name: describeProfileType(type) })),
          profileType: found.profileType ?? null,
          unit,
          runs: found.runs.map(run => ({
            sessionId: capped(run.sessionId),
            selector: capped(formatSelector([{ key: 'session_id', op: '=', value: run.sessionId }])),
            start: new Date(run.startMs).toISOString(),
            end: new Date(run.endMs).toISOString(),
            samples: run.samples,
            value: run.value,
            labels: Object.fromEntries(Object.entries(run.labels).map(([key, value]) => [key, capped(value)])),
          })),
          labels: found.labels.map(({ key, values }) => ({ key: capped(key), valueCount: values.length, values: values.slice(0, valuesPerKey).map(capped) })),
        };
        return answer(data, ['runs', 'labels'], input, d => [
          `Profile types: ${d.profileTypes.map(t => `${t.name} (${t.id})`).join(', ') || 'none (the store is empty)'}.`,
          `${d.runs.length} recorded run(s) of ${d.profileType ?? 'no type'}, newest first${d.runs.length === 0 && d.labels.some(l => l.key === 'profile_id') ? ' (imported profile files are runs too, one per profile_id)' : ''}:`,
          ...d.runs.map(r => `  ${r.start} to ${r.end}, ${r.samples} samples, ${formatValue(r.value, unit)}; selector ${quoted(r.selector)}; labels ${Object.entries(r.labels).map(([k, v]) => `${k}=${quoted(v)}`).join(' ')}`),
          'Label keys and values:',
          ...d.labels.map(l => `  ${quoted(l.key)} (${l.valueCount} value(s)): ${l.values.map(quoted).join(', ')}`),
        ]);
      }),
  );

  server.registerTool(
    'top_functions',
    {
      title: 'Icicle top functions',
      description: `The functions with the most self cost (CPU time, or the profile type's measure) among the selected samples, with self and total value and percent and where each is defined (file:line): the figures of \`icicle top --json\`. ${UNTRUSTED_NOTE}`,
      inputSchema: { selector: selectorField, profileType: typeField, ...budgetShape },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    input =>
      guarded(async () => {
        const { profileType, top } = await readForQuery(context.store, where(input.selector), input.profileType, async query => ({ profileType: query.profileType, top: await topRows(query, input.limit) }));
        const unit = unitOf(profileType);
        const data = {
          profileType: profileType ?? null,
          unit,
          totalValue: top.totalValue,
          functions: top.functions.map(f => ({ ...f, function: capped(f.function), file: capped(f.file), at: capped(citation(f.file, f.line)) })),
        };
        return answer(data, ['functions'], input, d => [
          `${profileType === undefined ? 'No samples' : `${describeProfileType(profileType)} (${profileType})`} of the selection: total ${formatValue(d.totalValue, unit)}. Functions by self cost:`,
          ...d.functions.map(f => `  self ${formatValue(f.self, unit)} (${f.selfPercent}%), total ${formatValue(f.total, unit)} (${f.totalPercent}%): ${quoted(f.function)} at ${quoted(f.at)}`),
        ]);
      }),
  );

  server.registerTool(
    'hot_lines',
    {
      title: 'Icicle hot lines of a file',
      description: `A source file's lines by cost among the selected samples (self: the line itself ran; total: with what it called), and its functions, as the editor's hovers and line heat show them. The file is matched as the editor matches it: the profiled file sharing the longest tail of path segments (src/parse.ts matches /app/src/parse.ts). ${UNTRUSTED_NOTE}`,
      inputSchema: { file: z.string().min(1).max(4096).describe('The source file: an absolute path or its tail, e.g. src/parse.ts.'), selector: selectorField, profileType: typeField, ...budgetShape },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    input =>
      guarded(async () => {
        const { profileType, costs } = await readForQuery(context.store, where(input.selector), input.profileType, async query => ({ profileType: query.profileType, costs: await sourceCosts(query.source, query.selection) }));
        const match = new PathIndex(costs.files.map(f => f.file), []).resolve(input.file);
        if (match === undefined) {
          const base = input.file.replace(/\\/g, '/').split('/').pop() ?? '';
          const alike = costs.files.map(f => f.file).filter(f => f.replace(/\\/g, '/').split('/').pop() === base);
          throw new UsageError(alike.length === 0 ? `no profiled file of the selection matches ${JSON.stringify(input.file)}` : `${alike.length} profiled files match ${JSON.stringify(input.file)} equally well; give more of its path: ${alike.slice(0, 10).map(quoted).join(', ')}`);
        }
        const files = costs.files.filter(f => match.files.includes(f.file));
        // One file may be profiled under several spellings (a path and a file:// URL): its lines are theirs together.
        const lines = new Map<number, SourceLineCost>();
        for (const file of files) {
          for (const line of file.lines) {
            const known = lines.get(line.line);
            lines.set(line.line, known ? { line: line.line, self: known.self + line.self, total: known.total + line.total, selfSamples: known.selfSamples + line.selfSamples, totalSamples: known.totalSamples + line.totalSamples } : line);
          }
        }
        const percent = percentOf(costs.total);
        const unit = unitOf(profileType);
        const file = match.files[0]!;
        const data = {
          file: capped(file),
          spellings: match.files.map(capped),
          profileType: profileType ?? null,
          unit,
          totalValue: costs.total,
          lines: [...lines.values()]
            .sort((a, b) => b.self - a.self || b.total - a.total || a.line - b.line)
            .slice(0, input.limit)
            .map(l => ({ line: l.line, at: capped(citation(file, l.line)), self: l.self, selfPercent: percent(l.self), total: l.total, totalPercent: percent(l.total), selfSamples: l.selfSamples, totalSamples: l.totalSamples })),
          functions: files
            .flatMap(f => f.functions)
            .sort((a, b) => b.self - a.self || b.total - a.total || a.line - b.line)
            .slice(0, input.limit)
            .map(f => ({ function: capped(f.name), line: f.line, at: capped(citation(file, f.line)), self: f.self, selfPercent: percent(f.self), total: f.total, totalPercent: percent(f.total) })),
        };
        return answer(data, ['lines', 'functions'], input, d => [
          `Lines of ${quoted(d.file)} by self cost (${profileType === undefined ? 'no samples' : describeProfileType(profileType)}; percent of the selection's ${formatValue(d.totalValue, unit)}):`,
          ...d.lines.map(l => `  ${quoted(l.at)}: self ${formatValue(l.self, unit)} (${l.selfPercent}%), total ${formatValue(l.total, unit)} (${l.totalPercent}%)`),
          'Its functions by self cost:',
          ...d.functions.map(f => `  ${quoted(f.function)} at ${quoted(f.at)}: self ${formatValue(f.self, unit)} (${f.selfPercent}%), total ${formatValue(f.total, unit)} (${f.totalPercent}%)`),
        ]);
      }),
  );

  server.registerTool(
    'callers_callees',
    {
      title: 'Icicle callers and callees of a function',
      description: `A function's sandwich among the selected samples: its self and total cost, the functions that called it (with how much of its total came through each) and those it called (with their totals under it), as the flame graph's sandwich view shows them. Name the function exactly (a name cut to ${MAX_STRING_CHARS} characters in an earlier answer also matches); file and line pick among functions of one name. ${UNTRUSTED_NOTE}`,
      inputSchema: {
        function: z.string().min(1).max(1_100_000).describe('The function\'s name, exactly as top_functions gave it.'),
        file: z.string().min(1).max(4096).optional().describe('Its file (absolute path or a tail like src/parse.ts), when several functions have the name.'),
        line: z.number().int().min(0).optional().describe('The line where it is defined, as top_functions gave it.'),
        selector: selectorField,
        profileType: typeField,
        ...budgetShape,
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    input =>
      guarded(async () => {
        const wanted = { name: (name: string) => name === input.function || capped(name) === input.function, file: input.file, line: input.line };
        const { profileType, sandwich, whole } = await readForQuery(context.store, where(input.selector), input.profileType, async query => ({
          profileType: query.profileType,
          sandwich: await functionSandwich(query.source, query.selection, wanted),
          whole: (await topRows(query, 1)).totalValue,
        }));
        if (!('function' in sandwich)) throw new UsageError(`no function named ${JSON.stringify(capped(input.function))}${input.file !== undefined ? ` in ${JSON.stringify(input.file)}` : ''}${input.line !== undefined ? ` at line ${input.line}` : ''} among the selected samples; top_functions lists their names`);
        const unit = unitOf(profileType);
        const percent = percentOf(whole);
        const fn = sandwich.function;
        const row = (r: SandwichRow) => ({ function: capped(r.function), file: capped(r.file), line: r.line, at: capped(citation(r.file, r.line)), total: r.total, self: r.self });
        const data = {
          profileType: profileType ?? null,
          unit,
          totalValue: whole,
          function: { function: capped(fn.functionName), file: capped(fn.file), line: fn.line, column: fn.column, at: capped(citation(fn.file, fn.line)), self: fn.self, selfPercent: percent(fn.self), total: fn.total, totalPercent: percent(fn.total) },
          otherMatches: sandwich.matches.slice(1).map(m => ({ function: capped(m.functionName), at: capped(citation(m.file, m.line)), total: m.total })),
          calledFromRoot: sandwich.calledFromRoot,
          callers: sandwich.callers.slice(0, input.limit).map(row),
          ownSelf: sandwich.ownSelf,
          callees: sandwich.callees.slice(0, input.limit).map(row),
        };
        return answer(data, ['callers', 'callees', 'otherMatches'], input, d => [
          `${quoted(d.function.function)} at ${quoted(d.function.at)}: self ${formatValue(d.function.self, unit)} (${d.function.selfPercent}%), total ${formatValue(d.function.total, unit)} (${d.function.totalPercent}%).`,
          ...(d.otherMatches.length > 0 ? [`${d.otherMatches.length} more function(s) match; give file or line to pick: ${d.otherMatches.map(m => quoted(m.at)).join(', ')}`] : []),
          'Called by (its total through each):',
          ...d.callers.map(c => `  ${formatValue(c.total, unit)} from ${quoted(c.function)} at ${quoted(c.at)}`),
          ...(d.calledFromRoot > 0 ? [`  ${formatValue(d.calledFromRoot, unit)} with no caller (the stack's outermost frame)`] : []),
          `Calls (their totals under it; its own self in its outermost calls ${formatValue(d.ownSelf, unit)}):`,
          ...d.callees.map(c => `  ${formatValue(c.total, unit)} in ${quoted(c.function)} at ${quoted(c.at)}`),
        ]);
      }),
  );

  server.registerTool(
    'compare',
    {
      title: 'Icicle compare two selections',
      description: `Did the head (e.g. {branch="feature"}) make things slower than the base (e.g. {branch="main"}), and is it noise? Compares each function's self cost per run with the same statistics and verdicts as \`icicle diff\` (Welch's t-test per function, Benjamini–Hochberg across functions): regression, improvement, unchanged (within noise) or unknown (too few runs); outcome says what \`icicle diff\` would exit with. ${UNTRUSTED_NOTE}`,
      inputSchema: {
        base: z.string().min(1).max(4096).describe('The base selection: a selector like {branch="main"} or one k=v.'),
        head: z.string().min(1).max(4096).describe('The head selection, likewise.'),
        profileType: typeField,
        threshold: z.number().min(0).max(10_000).default(5).describe('Percent: a significant regression larger than this fails the gate.'),
        fdr: z.number().gt(0).lt(100).default(5).describe('Percent: the false discovery rate across functions.'),
        minRuns: z.number().int().min(2).max(10_000).default(DEFAULT_MIN_RUNS).describe('Fewer runs than this on a side is too few to tell.'),
        ...budgetShape,
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    input =>
      guarded(async () => {
        const diff = await diffOf({ store: context.store, base: where(input.base, 'base'), head: where(input.head, 'head'), type: input.profileType, fdr: input.fdr / 100, threshold: input.threshold });
        const report = diffJson(diff, input, input.limit);
        const outcome = diffOutcome(diff, input.minRuns);
        const unit = report.unit;
        const data = {
          outcome,
          exitCode: DIFF_EXIT[outcome],
          base: capped(report.base),
          head: capped(report.head),
          profileType: report.profileType,
          unit,
          threshold: report.threshold,
          minRuns: report.minRuns,
          tooFewRuns: report.tooFewRuns,
          method: report.method,
          a: report.a,
          b: report.b,
          failing: report.failing.map(capped),
          changes: report.changes.map(c => ({
            verdict: c.verdict,
            name: capped(c.name),
            file: capped(c.file),
            line: c.line,
            column: c.column,
            at: capped(citation(c.file, c.line)),
            a: c.a,
            b: c.b,
            delta: c.delta,
            // JSON has no Infinity: a function new in the head has a null percentage, as `icicle diff --format json` says.
            deltaPercent: Number.isFinite(c.deltaPercent) ? c.deltaPercent : null,
            p: c.p ?? null,
          })),
        };
        const side = (s: { mean: number; sd: number; runs: number }) => `${formatValue(s.mean, unit)} ± ${formatValue(s.sd, unit)} over ${s.runs} run(s)`;
        return answer(data, ['changes', 'failing'], input, d => [
          OUTCOME_TEXT[outcome](d),
          `Base ${quoted(d.base)}: ${side(d.a)}. Head ${quoted(d.head)}: ${side(d.b)}.`,
          'Functions, regressions first (verdict, change per run, base, head):',
          ...d.changes.map(c => `  ${VERDICT_TEXT[c.verdict as keyof typeof VERDICT_TEXT]} ${c.deltaPercent === null ? 'new' : `${c.deltaPercent >= 0 ? '+' : ''}${c.deltaPercent.toFixed(1)}%`} (${c.delta >= 0 ? '+' : '-'}${formatValue(Math.abs(c.delta), unit)}), ${formatValue(c.a.mean, unit)} → ${formatValue(c.b.mean, unit)}: ${quoted(c.name)} at ${quoted(c.at)}`),
          `Method: ${d.method}.`,
        ]);
      }),
  );
}

/** The gate's outcome in words; no profile text in them (the failing functions are listed as data below). */
const OUTCOME_TEXT: Record<ReturnType<typeof diffOutcome>, (d: { failing: string[]; threshold: number; a: { runs: number }; b: { runs: number }; minRuns: number }) => string> = {
  regression: d => `Outcome: ${d.failing.length} significant regression(s) above ${d.threshold}% (icicle diff would exit ${DIFF_EXIT.regression}).`,
  tooFewRuns: d => `Outcome: too few runs to tell (${d.a.runs} base, ${d.b.runs} head; at least ${d.minRuns} a side needed; icicle diff would exit ${DIFF_EXIT.tooFewRuns}).`,
  withinNoise: d => `Outcome: no significant regression above ${d.threshold}%; the rest is within noise (icicle diff would exit ${DIFF_EXIT.withinNoise}).`,
};
