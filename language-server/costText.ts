import { costVerbOf, type DisplayUnit } from '../common/profileTypes';
import { CHOOSE_COST_SELECTION_COMMAND, SHOW_FUNCTION_COMMAND } from '../common/protocol/languageServerProtocol';
import { formatBytes, formatCount, formatMicros, formatSamples } from '../common/valueFormat';
import type { FunctionAnnotation } from './annotations';
import type { FunctionSplit } from './functionSplit';
import { SPAN_LABEL_KEYS } from '../common/protocol/probeProtocol';

/** What every annotation says about where its numbers come from. */
export interface CostContext {
  total: number;
  unit: DisplayUnit;
  /** `branch="main", latest run (…)`. */
  description: string;
  runs: number;
  /** The resolved selector, for "Show in flame graph". */
  selector: string;
  /** The profile type of the costs (absent: CPU time or unknown), for the sentences about memory. */
  profileType?: string;
  /** The dataset of `icicle.sources` the costs were read from (absent: the store), for "Show in flame graph". */
  source?: string;
}


export function formatCost(value: number, unit: DisplayUnit): string {
  return unit === 'micros' ? formatMicros(value) : unit === 'bytes' ? formatBytes(value) : formatCount(value);
}

function percent(part: number, whole: number): string {
  const share = whole > 0 ? (100 * part) / whole : 0;
  return share > 0 && share < 0.1 ? '<0.1%' : `${share.toFixed(1)}%`;
}

/**
 * Frames that are no function a reader can find in the file by name: V8's unnamed functions, which the importers call
 * `(anonymous)` (the module wrapper, whose line is the file's first, and callbacks), and its pseudo-frames such as
 * `(program)`. A whole name in parentheses is one of these; `main.(*T).Run` is not.
 */
export function isPseudoFunction(name: string): boolean {
  return name === '' || /^\([^()]*\)$/.test(name);
}

/**
 * A code lens title: `12.3% total · 4.1% self (37 ms)`, with the change of its self cost per run against a baseline
 * when there is one: `· self per run +12 ms (+8%) vs main` (the hover says over which runs).
 */
export function lensTitle(fn: FunctionAnnotation, context: CostContext, delta?: BaselineDelta): string {
  const verb = costVerbOf(context.profileType);
  // Memory reads as what the function does: `allocates 4 MiB (4.1% self · 12.3% total)`.
  let title = verb
    ? `${verb} ${formatCost(fn.self, context.unit)} (${percent(fn.self, context.total)} self · ${percent(fn.total, context.total)} total)`
    : `${percent(fn.total, context.total)} total · ${percent(fn.self, context.total)} self (${formatCost(fn.self, context.unit)})`;
  if (delta) title += ` · ${isNew(delta) ? deltaText(delta) : `self per run ${deltaText(delta)}`}`;
  return fn.stale ? `${title} · edited since profiled` : title;
}

/** Markdown punctuation in untrusted text (function names, labels) shown literally. */
export function escapeMarkdown(text: string): string {
  // Only what makes markup inside a line (emphasis, code, links, HTML); our text never starts a line, so list,
  // heading and table marks stay as they are, and a link cannot open without a `[`.
  return text.replace(/[\\`*_[\]<>]/g, ch => `\\${ch}`).replace(/[\r\n]+/g, ' ');
}

/** Characters of a label value a hover shows; a longer one is cut, with `…`. */
export const MAX_SHOWN_VALUE_CHARS = 60;

/**
 * Untrusted text (a route, a label value) as a Markdown code span, which nothing inside can leave: the fence is one
 * backtick longer than the longest run of backticks in the text, padded with a space when the text starts or ends
 * with one (CommonMark strips a single space from each end). Inside a code span no link, emphasis, HTML or autolinked
 * URL is made. Line breaks and other control characters (and bidirectional overrides, which reorder what is read)
 * become spaces, so the text cannot start a block; it is cut at `maxChars` code points.
 */
export function inlineCode(text: string, maxChars = MAX_SHOWN_VALUE_CHARS): string {
  // Cut before anything else: a value of megabytes costs no more than its first characters.
  const points = [...text.slice(0, 2 * maxChars + 2)];
  const cut = points.length > maxChars ? [...points.slice(0, maxChars - 1), '…'] : points;
  // eslint-disable-next-line no-control-regex
  const shown = cut.join('').replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028-\u202e\u2066-\u2069]/g, ' ');
  const longest = Math.max(0, ...(shown.match(/`+/g) ?? []).map(run => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = shown.startsWith('`') || shown.endsWith('`') || (shown.startsWith(' ') && shown.endsWith(' ')) ? ' ' : '';
  return `${fence}${pad}${shown}${pad}${fence}`;
}

/** How a split names its label and the samples without it: `By route` and `(no route)` for `http_route`. */
function splitWords(key: string): { by: string; none: string } {
  return key === SPAN_LABEL_KEYS.httpRoute ? { by: 'By route', none: '(no route)' } : { by: `By ${escapeMarkdown(key)}`, none: '(none)' };
}

/**
 * A function's total split by a label's values, on one line: `By route: \`/heavy\` 9.3 s (75.0%) · (no route) 0.2 s
 * (1.6%) · 2 more 0.1 s (0.8%)`, largest first; the parts add up to the function's total, and the shares are of it.
 */
export function splitMarkdown(split: FunctionSplit, fnTotal: number, unit: DisplayUnit): string {
  const words = splitWords(split.key);
  const parts = split.parts.map(part => `${part.value === null ? words.none : inlineCode(part.value)} ${formatCost(part.total, unit)} (${percent(part.total, fnTotal)})`);
  if (split.others.values > 0) parts.push(`${split.others.values} more ${formatCost(split.others.total, unit)} (${percent(split.others.total, fnTotal)})`);
  return `${words.by}: ${parts.join(' · ')}`;
}

/**
 * What "Show in flame graph" (a lens, a hover's link) passes to the extension's command: the function, and the
 * samples and type the costs come from, so the view shows the bytes a hover spoke of, not CPU time.
 */
export function showFunctionArguments(fn: FunctionAnnotation, file: string, context: CostContext): { name: string; file: string; selector: string; profileType?: string; source?: string } {
  return {
    name: fn.name,
    file,
    selector: context.selector,
    ...(context.profileType !== undefined ? { profileType: context.profileType } : {}),
    ...(context.source !== undefined ? { source: context.source } : {}),
  };
}

/** The arguments "Show in flame graph" passes to the extension's command, in a command: link. */
export function showFunctionLink(fn: FunctionAnnotation, file: string, context: CostContext): string {
  const args = encodeURIComponent(JSON.stringify([showFunctionArguments(fn, file, context)]));
  return `command:${SHOW_FUNCTION_COMMAND}?${args}`;
}

/** The hover of a profiled function: its cost, where it comes from, and a link to its frames. */
export function hoverMarkdown(fn: FunctionAnnotation, file: string, context: CostContext, delta?: BaselineDelta): string {
  const name = fn.name === '' ? '(anonymous)' : fn.name;
  const verb = costVerbOf(context.profileType);
  const costLine = verb
    ? `${verb === 'allocates' ? 'Allocates' : 'Holds'} **${formatCost(fn.self, context.unit)}** itself (${percent(fn.self, context.total)}, ${formatSamples(fn.selfSamples)}) · ` +
      `**${formatCost(fn.total, context.unit)}** with its callees (${percent(fn.total, context.total)}, ${formatSamples(fn.totalSamples)})`
    : `Total **${percent(fn.total, context.total)}** (${formatCost(fn.total, context.unit)}, ${formatSamples(fn.totalSamples)}) · ` +
      `self **${percent(fn.self, context.total)}** (${formatCost(fn.self, context.unit)}, ${formatSamples(fn.selfSamples)})`;
  const lines = [`**${escapeMarkdown(name)}** — Icicle`, '', costLine, ''];
  if (fn.split) lines.push(splitMarkdown(fn.split, fn.total, context.unit), '');
  lines.push(
    `From ${escapeMarkdown(context.description)} · ${context.runs} ${context.runs === 1 ? 'run' : 'runs'}`,
  );
  if (delta) lines.push('', `Self per run: **${escapeMarkdown(deltaText(delta))}** (${escapeMarkdown(deltaBasis(delta))})`);
  if (fn.stale) lines.push('', '_Edited since it was profiled: these figures are for the code as it ran._');
  lines.push('', `[Show in flame graph](${showFunctionLink(fn, file, context)})`);
  return lines.join('\n');
}

/**
 * A function's self cost per run against the baseline's: `+12 ms (+8%) vs main`, or `new since main`. Each side is
 * the function's mean over the runs that ran its file, as the compare panel's rows are means over runs; the head side
 * is the current branch's runs (`headLabel`), or the samples shown when that branch has none of this file.
 */
export interface BaselineDelta {
  perRun: number;
  basePerRun: number | undefined;
  /** The base branch. */
  label: string;
  unit: DisplayUnit;
  /** The runs each side's mean is over. */
  runs: number;
  baseRuns: number;
  /** The current branch, when its runs are the head side; undefined when the samples shown are. */
  headLabel?: string;
}

function isNew(delta: BaselineDelta): boolean {
  return delta.basePerRun === undefined || delta.basePerRun === 0;
}

export function deltaText(delta: BaselineDelta): string {
  if (isNew(delta)) return `new since ${delta.label}`;
  const base = delta.basePerRun!;
  const change = delta.perRun - base;
  const percent = (100 * change) / base;
  const sign = change >= 0 ? '+' : '−';
  return `${sign}${formatCost(Math.abs(change), delta.unit)} (${sign}${Math.abs(percent).toFixed(0)}%) vs ${delta.label}`;
}

/** Which runs the delta's two means are over: `mean of 3 runs on feature against mean of 5 runs on main`. */
export function deltaBasis(delta: BaselineDelta): string {
  const side = (runs: number, where: string) => (runs === 1 ? `1 run ${where}` : `mean of ${runs} runs ${where}`);
  return `${side(delta.runs, delta.headLabel !== undefined ? `on ${delta.headLabel}` : 'shown')} against ${side(delta.baseRuns, `on ${delta.label}`)}`;
}

/**
 * Why a function has no cost to show: the selection holds no samples at all, none of them ran code of this file, or
 * they did but never this function.
 */
export type NoSamplesReason = 'emptySelection' | 'fileNotProfiled' | 'functionNotSampled';

/** What a function without samples gets: why, in words, and the picker of other samples. */
export function noSamplesMarkdown(name: string, context: CostContext, reason: NoSamplesReason): string {
  const source = escapeMarkdown(context.description);
  // Allocation samples say where memory was allocated, not what ran: a function that ran without allocating has none.
  const memory = costVerbOf(context.profileType) !== undefined;
  const why =
    reason === 'emptySelection'
      ? 'there are none yet. Open a profile (the flame graph in front sets the costs shown here) or profile a run.'
      : reason === 'fileNotProfiled'
        ? `no code of this file ${memory ? 'allocated sampled memory' : 'ran'} while they were recorded (or the profile names the file by a path Icicle could not match; see \`icicle.pathMappings\`).`
        : memory
          ? 'it allocated less than one sampling interval of memory (or none) while they were recorded.'
          : 'it did not run while they were recorded, or ran for less than one sampling interval.';
  return `**${escapeMarkdown(name)}**: no samples in ${source}: ${why} — Icicle\n\n[Choose which samples the source shows…](command:${CHOOSE_COST_SELECTION_COMMAND})`;
}
