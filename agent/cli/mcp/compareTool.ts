import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { DEFAULT_MIN_RUNS, DIFF_EXIT } from '../diffGate';
import { diffJson, diffOf, diffOutcome, VERDICT_TEXT } from '../diffCommand';
import { formatValue } from '../queryContext';
import { placeText, sourceLinker } from './sourceLinks';
import { answer, budgetShape, capped, citation, guarded, quoted, UNTRUSTED_NOTE } from './toolAnswer';
import { typeField, where, type ToolContext } from './toolInputs';

/** `compare`: `icicle diff`'s comparison (diffOf), its JSON report and its outcome as a gate. */
export function registerCompare(server: McpServer, context: ToolContext): void {
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
        const link = sourceLinker();
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
            ...link(c.file, c.line),
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
          ...d.changes.map(c => `  ${VERDICT_TEXT[c.verdict as keyof typeof VERDICT_TEXT]} ${c.deltaPercent === null ? 'new' : `${c.deltaPercent >= 0 ? '+' : ''}${c.deltaPercent.toFixed(1)}%`} (${c.delta >= 0 ? '+' : '-'}${formatValue(Math.abs(c.delta), unit)}), ${formatValue(c.a.mean, unit)} → ${formatValue(c.b.mean, unit)}: ${quoted(c.name)} at ${placeText(c)}`),
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
