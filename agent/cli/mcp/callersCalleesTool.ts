import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { unitOf } from '../../../common/profileTypes';
import { UsageError } from '../cliErrors';
import { formatValue, readForQuery } from '../queryContext';
import { functionSandwich, type SandwichRow } from './functionSandwich';
import { placeText, sourceLinker } from './sourceLinks';
import { answer, budgetShape, capped, citation, guarded, MAX_STRING_CHARS, quoted, UNTRUSTED_NOTE } from './toolAnswer';
import { selectorField, typeField, percentOf, where, type ToolContext } from './toolInputs';

/** `callers_callees`: a function's sandwich (functionSandwich.ts), its figures agreeing with `icicle top`. */
export function registerCallersCallees(server: McpServer, context: ToolContext): void {
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
        const { profileType, sandwich } = await readForQuery(context.store, where(input.selector), input.profileType, async query => ({
          profileType: query.profileType,
          sandwich: await functionSandwich(query.source, query.selection, wanted),
        }));
        if (!('function' in sandwich)) throw new UsageError(`no function named ${JSON.stringify(capped(input.function))}${input.file !== undefined ? ` in ${JSON.stringify(input.file)}` : ''}${input.line !== undefined ? ` at line ${input.line}` : ''} among the selected samples; top_functions lists their names`);
        const unit = unitOf(profileType);
        const whole = sandwich.totalValue;
        const percent = percentOf(whole);
        const fn = sandwich.function;
        const link = sourceLinker();
        const row = (r: SandwichRow) => ({ function: capped(r.function), file: capped(r.file), line: r.line, at: capped(citation(r.file, r.line)), ...link(r.file, r.line), total: r.total, self: r.self });
        const data = {
          profileType: profileType ?? null,
          unit,
          totalValue: whole,
          function: { function: capped(fn.functionName), file: capped(fn.file), line: fn.line, column: fn.column, at: capped(citation(fn.file, fn.line)), ...link(fn.file, fn.line), self: fn.self, selfPercent: percent(fn.self), total: fn.total, totalPercent: percent(fn.total) },
          otherMatches: sandwich.matches.slice(1).map(m => ({ function: capped(m.functionName), at: capped(citation(m.file, m.line)), ...link(m.file, m.line), total: m.total })),
          calledFromRoot: sandwich.calledFromRoot,
          callers: sandwich.callers.slice(0, input.limit).map(row),
          ownSelf: sandwich.ownSelf,
          callees: sandwich.callees.slice(0, input.limit).map(row),
        };
        return answer(data, ['callers', 'callees', 'otherMatches'], input, d => [
          `${quoted(d.function.function)} at ${placeText(d.function)}: self ${formatValue(d.function.self, unit)} (${d.function.selfPercent}%), total ${formatValue(d.function.total, unit)} (${d.function.totalPercent}%).`,
          ...(d.otherMatches.length > 0 ? [`${d.otherMatches.length} more function(s) match; give file or line to pick: ${d.otherMatches.map(placeText).join(', ')}`] : []),
          'Called by (its total through each):',
          ...d.callers.map(c => `  ${formatValue(c.total, unit)} from ${quoted(c.function)} at ${placeText(c)}`),
          ...(d.calledFromRoot > 0 ? [`  ${formatValue(d.calledFromRoot, unit)} with no caller (the stack's outermost frame)`] : []),
          `Calls (their totals under it; its own self in its outermost calls ${formatValue(d.ownSelf, unit)}):`,
          ...d.callees.map(c => `  ${formatValue(c.total, unit)} in ${quoted(c.function)} at ${placeText(c)}`),
        ]);
      }),
  );
}
