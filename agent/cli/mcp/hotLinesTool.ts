import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { PathIndex } from '../../../common/pathMapping';
import { describeProfileType, unitOf } from '../../../common/profileTypes';
import { sourceCosts, type SourceLineCost } from '../../queries/source/sourceCosts';
import { UsageError } from '../cliErrors';
import { formatValue, readForQuery } from '../queryContext';
import { placeText, sourceLinker } from './sourceLinks';
import { answer, budgetShape, capped, citation, guarded, quoted, UNTRUSTED_NOTE } from './toolAnswer';
import { selectorField, typeField, percentOf, where, type ToolContext } from './toolInputs';

/** `hot_lines`: a file's lines by cost, as the language server's per-line rule gives them (sourceCosts). */
export function registerHotLines(server: McpServer, context: ToolContext): void {
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
        const link = sourceLinker();
        const data = {
          file: capped(file),
          spellings: match.files.map(capped),
          profileType: profileType ?? null,
          unit,
          totalValue: costs.total,
          lines: [...lines.values()]
            .sort((a, b) => b.self - a.self || b.total - a.total || a.line - b.line)
            .slice(0, input.limit)
            .map(l => ({ line: l.line, at: capped(citation(file, l.line)), ...link(file, l.line), self: l.self, selfPercent: percent(l.self), total: l.total, totalPercent: percent(l.total), selfSamples: l.selfSamples, totalSamples: l.totalSamples })),
          functions: files
            .flatMap(f => f.functions)
            .sort((a, b) => b.self - a.self || b.total - a.total || a.line - b.line)
            .slice(0, input.limit)
            .map(f => ({ function: capped(f.name), line: f.line, at: capped(citation(file, f.line)), ...link(file, f.line), self: f.self, selfPercent: percent(f.self), total: f.total, totalPercent: percent(f.total) })),
        };
        return answer(data, ['lines', 'functions'], input, d => [
          `Lines of ${quoted(d.file)} by self cost (${profileType === undefined ? 'no samples' : describeProfileType(profileType)}; percent of the selection's ${formatValue(d.totalValue, unit)}):`,
          ...d.lines.map(l => `  ${placeText(l)}: self ${formatValue(l.self, unit)} (${l.selfPercent}%), total ${formatValue(l.total, unit)} (${l.totalPercent}%)`),
          'Its functions by self cost:',
          ...d.functions.map(f => `  ${quoted(f.function)} at ${placeText(f)}: self ${formatValue(f.self, unit)} (${f.selfPercent}%), total ${formatValue(f.total, unit)} (${f.totalPercent}%)`),
        ]);
      }),
  );
}
