import type { CodeLens, Hover, InlayHint } from 'vscode-languageserver/node';
import type { LineHeat } from '../common/protocol/languageServerProtocol';
import { functionAt, type FileAnnotations, type FunctionAnnotation } from './annotations';
import type { DocumentCosts } from './costCache';
import type { CostContext } from './costText';
import { formatCost, hoverMarkdown, isPseudoFunction, lensTitle, noSamplesMarkdown, showFunctionArguments, type BaselineDelta } from './costText';
import { SHOW_FUNCTION_COMMAND, type DocumentFunction } from '../common/protocol/languageServerProtocol';

/**
 * What a hover at `line` says. On a profiled function's name line, or on any line of its body that has samples:
 * its cost. On the name line of a function the editor knows but the profile does not: one short line saying so.
 * Anywhere else nothing, so the language's own hover is not buried under ours.
 */
export function hoverAt(
  line: number,
  placed: { annotations: FileAnnotations; costs: DocumentCosts } | undefined,
  functions: readonly DocumentFunction[],
  context: CostContext | undefined,
  deltaOf: (fn: FunctionAnnotation) => BaselineDelta | undefined = () => undefined,
): Hover | null {
  if (placed) {
    const fn = functionAt(placed.annotations, line);
    const heat = placed.annotations.lines.find(l => l.line === line);
    if (fn && (line === fn.nameLine || heat)) {
      let text = hoverMarkdown(fn, placed.costs.file, placed.costs.context, deltaOf(fn));
      if (heat && line !== fn.nameLine) text += `\n\nThis line: ${lineShare(heat)} (${formatCost(heat.total, placed.costs.context.unit)})`;
      return { contents: { kind: 'markdown', value: text } };
    }
  }
  const unprofiled = context && functions.find(f => f.nameLine === line);
  if (unprofiled && context) {
    const reason = context.total === 0 ? 'emptySelection' : placed ? 'functionNotSampled' : 'fileNotProfiled';
    return { contents: { kind: 'markdown', value: noSamplesMarkdown(unprofiled.name, context, reason) } };
  }
  return null;
}

function lineShare(heat: LineHeat): string {
  const percent = 100 * heat.share;
  return percent > 0 && percent < 0.1 ? '<0.1%' : `${percent.toFixed(1)}%`;
}

/**
 * A lens above each named profiled function at or above `minPercent` of the selection's total, on its definition
 * line. Unnamed ones (V8's module wrapper at line 1, callbacks) get none: a lens over a file's first comment says
 * nothing a reader can use, and with a baseline its delta looked like the first function's.
 */
export function codeLenses(
  placed: { annotations: FileAnnotations; costs: DocumentCosts } | undefined,
  minPercent: number,
  deltaOf: (fn: FunctionAnnotation) => BaselineDelta | undefined = () => undefined,
): CodeLens[] {
  if (!placed) return [];
  const { context, file } = placed.costs;
  return placed.annotations.functions
    .filter(fn => !isPseudoFunction(fn.name) && context.total > 0 && (100 * fn.total) / context.total >= minPercent)
    .map(fn => ({
      range: { start: { line: fn.nameLine, character: 0 }, end: { line: fn.nameLine, character: 0 } },
      command: { title: lensTitle(fn, context, deltaOf(fn)), command: SHOW_FUNCTION_COMMAND, arguments: [showFunctionArguments(fn, file, context)] },
    }));
}

/** A hint at the end of each line with cost (at least 0.1% of the total), when the user asked for them. */
export function inlayHints(placed: { annotations: FileAnnotations; costs: DocumentCosts } | undefined, lineLength: (line: number) => number): InlayHint[] {
  if (!placed) return [];
  return placed.annotations.lines
    .filter(heat => heat.share >= 0.001)
    .map(heat => ({
      position: { line: heat.line, character: lineLength(heat.line) },
      label: `${lineShare(heat)} · ${formatCost(heat.total, placed.costs.context.unit)}${heat.stale ? ' (edited)' : ''}`,
      paddingLeft: true,
    }));
}
