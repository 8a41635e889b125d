import type { DisplayUnit } from '../common/profileTypes';
import { CHOOSE_COST_SELECTION_COMMAND, SHOW_FUNCTION_COMMAND } from '../common/protocol/languageServerProtocol';
import { formatBytes, formatCount, formatMicros, formatSamples } from '../common/valueFormat';
import type { FunctionAnnotation } from './annotations';

/** What every annotation says about where its numbers come from. */
export interface CostContext {
  total: number;
  unit: DisplayUnit;
  /** `branch="main", latest run (…)`. */
  description: string;
  runs: number;
  /** The resolved selector, for "Show in flame graph". */
  selector: string;
}


export function formatCost(value: number, unit: DisplayUnit): string {
  return unit === 'micros' ? formatMicros(value) : unit === 'bytes' ? formatBytes(value) : formatCount(value);
}

function percent(part: number, whole: number): string {
  const share = whole > 0 ? (100 * part) / whole : 0;
  return share > 0 && share < 0.1 ? '<0.1%' : `${share.toFixed(1)}%`;
}

/** A code lens title: `12.3% total · 4.1% self (37 ms)`, with the change against a baseline when there is one. */
export function lensTitle(fn: FunctionAnnotation, context: CostContext, delta?: BaselineDelta): string {
  let title = `${percent(fn.total, context.total)} total · ${percent(fn.self, context.total)} self (${formatCost(fn.self, context.unit)})`;
  if (delta) title += ` · ${deltaText(delta)}`;
  return fn.stale ? `${title} · edited since profiled` : title;
}

/** Markdown punctuation in untrusted text (function names, labels) shown literally. */
export function escapeMarkdown(text: string): string {
  // Only what makes markup inside a line (emphasis, code, links, HTML); our text never starts a line, so list,
  // heading and table marks stay as they are, and a link cannot open without a `[`.
  return text.replace(/[\\`*_[\]<>]/g, ch => `\\${ch}`).replace(/[\r\n]+/g, ' ');
}

/** The arguments "Show in flame graph" passes to the extension's command, in a command: link. */
export function showFunctionLink(fn: FunctionAnnotation, file: string, context: CostContext): string {
  const args = encodeURIComponent(JSON.stringify([{ name: fn.name, file, selector: context.selector }]));
  return `command:${SHOW_FUNCTION_COMMAND}?${args}`;
}

/** The hover of a profiled function: its cost, where it comes from, and a link to its frames. */
export function hoverMarkdown(fn: FunctionAnnotation, file: string, context: CostContext, delta?: BaselineDelta): string {
  const name = fn.name === '' ? '(anonymous)' : fn.name;
  const lines = [
    `**${escapeMarkdown(name)}** — Icicle`,
    '',
    `Total **${percent(fn.total, context.total)}** (${formatCost(fn.total, context.unit)}, ${formatSamples(fn.totalSamples)}) · ` +
      `self **${percent(fn.self, context.total)}** (${formatCost(fn.self, context.unit)}, ${formatSamples(fn.selfSamples)})`,
    '',
    `From ${escapeMarkdown(context.description)} · ${context.runs} ${context.runs === 1 ? 'run' : 'runs'}`,
  ];
  if (delta) lines.push('', `Per run: **${escapeMarkdown(deltaText(delta))}**`);
  if (fn.stale) lines.push('', '_Edited since it was profiled: these figures are for the code as it ran._');
  lines.push('', `[Show in flame graph](${showFunctionLink(fn, file, context)})`);
  return lines.join('\n');
}

/** A function's cost per run against the baseline's: `+12 ms (+8%) vs main`, or `new since main`. */
export interface BaselineDelta {
  perRun: number;
  basePerRun: number | undefined;
  label: string;
  unit: DisplayUnit;
}

export function deltaText(delta: BaselineDelta): string {
  if (delta.basePerRun === undefined || delta.basePerRun === 0) return `new since ${delta.label}`;
  const change = delta.perRun - delta.basePerRun;
  const percent = (100 * change) / delta.basePerRun;
  const sign = change >= 0 ? '+' : '−';
  return `${sign}${formatCost(Math.abs(change), delta.unit)} (${sign}${Math.abs(percent).toFixed(0)}%) vs ${delta.label}`;
}

/**
 * Why a function has no cost to show: the selection holds no samples at all, none of them ran code of this file, or
 * they did but never this function.
 */
export type NoSamplesReason = 'emptySelection' | 'fileNotProfiled' | 'functionNotSampled';

/** What a function without samples gets: why, in words, and the picker of other samples. */
export function noSamplesMarkdown(name: string, context: CostContext, reason: NoSamplesReason): string {
  const source = escapeMarkdown(context.description);
  const why =
    reason === 'emptySelection'
      ? 'there are none yet. Open a profile (the flame graph in front sets the costs shown here) or profile a run.'
      : reason === 'fileNotProfiled'
        ? 'no code of this file ran while they were recorded (or the profile names the file by a path Icicle could not match; see `icicle.pathMappings`).'
        : 'it did not run while they were recorded, or ran for less than one sampling interval.';
  return `**${escapeMarkdown(name)}**: no samples in ${source}: ${why} — Icicle\n\n[Choose which samples the source shows…](command:${CHOOSE_COST_SELECTION_COMMAND})`;
}
