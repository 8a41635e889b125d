import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { describeProfileType, unitOf } from '../../../common/profileTypes';
import { formatValue, readForQuery } from '../queryContext';
import { topRows } from '../topCommand';
import { placeText, sourceLinker } from './sourceLinks';
import { answer, budgetShape, capped, citation, guarded, quoted, UNTRUSTED_NOTE } from './toolAnswer';
import { selectorField, typeField, where, type ToolContext } from './toolInputs';

/** `top_functions`: `icicle top --json`'s rows (topRows), each citing file:line. */
export function registerTopFunctions(server: McpServer, context: ToolContext): void {
  server.registerTool(
    'top_functions',
    {
      title: 'Icicle top functions',
      description: `The functions with the most self cost (CPU time, or the profile type's measure) among the selected samples, with self and total value and percent and where each is defined (at: file:line; uri: file:///…#L<line> when the file is on this machine, which opens it at that line): the figures of \`icicle top --json\`. ${UNTRUSTED_NOTE}`,
      inputSchema: { selector: selectorField, profileType: typeField, ...budgetShape },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    input =>
      guarded(async () => {
        const { profileType, top } = await readForQuery(context.store, where(input.selector), input.profileType, async query => ({ profileType: query.profileType, top: await topRows(query, input.limit) }));
        const unit = unitOf(profileType);
        const link = sourceLinker();
        const data = {
          profileType: profileType ?? null,
          unit,
          totalValue: top.totalValue,
          functions: top.functions.map(f => ({ ...f, function: capped(f.function), file: capped(f.file), at: capped(citation(f.file, f.line)), ...link(f.file, f.line) })),
        };
        return answer(data, ['functions'], input, d => [
          `${profileType === undefined ? 'No samples' : `${describeProfileType(profileType)} (${profileType})`} of the selection: total ${formatValue(d.totalValue, unit)}. Functions by self cost:`,
          ...d.functions.map(f => `  self ${formatValue(f.self, unit)} (${f.selfPercent}%), total ${formatValue(f.total, unit)} (${f.totalPercent}%): ${quoted(f.function)} at ${placeText(f)}`),
        ]);
      }),
  );
}
