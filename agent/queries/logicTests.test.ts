import { join } from 'node:path';
import { FRAME_KINDS, type FrameKind, type PackedCallTree } from '../../common/callTree';
import type { StoredFrame } from '../../storage/metadata/metadataStore';
import type { BatchSource } from '../../test/support/batchSource';
import { describeLogicScripts, planDirectives, plainOrQuoted, profileTypeNamed, quote, selections, stackText, Words } from '../../test/support/logicScripts';
import { labelBreakdown } from './labels/labelBreakdown';
import { spanWallBeside } from './labels/spanWallBeside';
import { SPAN_WALL_TIME_PROFILE_TYPE } from '../../common/profileTypes';
import { labelKeys, labelValues } from './labels/labelQueries';
import { recordedRuns } from './runs/recordedRuns';
import { sourceCosts, type SourceCosts } from './source/sourceCosts';
import { functionCosts } from './stacks/functionCosts';
import { mergeStacks } from './stacks/mergeStacks';
import { callTreeForSelection } from './view/callTree';
import { timeSeries } from './view/timeSeries';
import { timeOrderedSamples } from './view/timeOrder';
import type { TimeOrderedSamples } from '../../common/timeOrder';

/**
 * Icicle's product queries over small stores (format: test/support/logicScripts.ts). Besides the engine's `plan`,
 * `explain` and `analyze`, `query NAME ARGS` runs one product query:
 *
 *   merge-stacks SEL           STACK VALUE SAMPLES per stack, sorted by stack text
 *   call-tree SEL              the packed call tree, indented, with kind, self/total micros and samples
 *   function-costs SEL         NAME FILE:LINE:COLUMN (its definition) SELF TOTAL SELF_SAMPLES TOTAL_SAMPLES
 *   source-costs SEL           `total` VALUE SAMPLES, then per file its functions (NAME, first line, costs) and lines
 *   source-split KEY N SEL     per function with a split by KEY: `function NAME TOTAL`, then per value as label-breakdown
 *   source-lines FILE SEL      one file's lines as source-costs charges them: LINE SELF TOTAL SELF_SAMPLES TOTAL_SAMPLES
 *   label-keys [SEL]           one key per line
 *   label-values KEY [SEL]     one value per line
 *   label-breakdown KEY N SEL  per value (the N largest, then `others`, then `all`): VALUE TOTAL SAMPLES
 *   label-wall KEY N SEL       as label-breakdown, each line ending `wall W`: the span wall time of the same selection
 *                              in SPAN_WALL_TIME_PROFILE_TYPE (`-`: no span of that value)
 *   time-series WIDTH SEL      BUCKET VALUE SAMPLES
 *   recorded-runs TYPE         SESSION START..END SAMPLES VALUE LABELS
 *   time-order SEL             per track `track LABELS`, then per sample START+DURATION (µs after the first) and its stack
 */
describeLogicScripts('product query logic tests', join(__dirname, 'testdata'), { ...planDirectives, query }, 4);

async function query(source: BatchSource, text: string): Promise<string[]> {
  const words = new Words('query', text);
  const name = words.next();
  const selection = () => selections(words.rest)[0]!;
  const optionalSelection = () => (words.rest === '' ? undefined : selection());
  switch (name) {
    case 'merge-stacks': {
      const merged = await mergeStacks(source, selection());
      return Array.from(merged.stackIds, (id, k) => `${plainOrQuoted(stackText(source, id))} ${merged.values[k]} ${merged.samples[k]}`).sort();
    }
    case 'call-tree':
      return renderTree(await callTreeForSelection(source, selection(), classifyForTests));
    case 'function-costs':
      return (await functionCosts(source, selection())).map(
        c => `${quote(c.functionName)} ${quote(c.file)}:${c.line}:${c.column} ${c.self} ${c.total} ${c.selfSamples} ${c.totalSamples}`,
      );
    case 'source-costs':
      return renderSourceCosts(await sourceCosts(source, selection()));
    case 'source-split': {
      const key = words.next();
      const limit = Number(words.next());
      const costs = await sourceCosts(source, selection(), { splitBy: { key, limit } });
      return costs.files.flatMap(f =>
        f.functions.flatMap(c =>
          c.split
            ? [
                `function ${quote(c.name)} ${c.total} ${c.totalSamples}`,
                ...c.split.shares.map(s => `  ${s.value === null ? '(none)' : quote(s.value)} ${s.total} ${s.samples}`),
                `  others ${c.split.others.values} values ${c.split.others.total} ${c.split.others.samples}`,
                `  all ${c.split.total} ${c.split.samples}`,
              ]
            : [`function ${quote(c.name)} ${c.total} ${c.totalSamples} (no split)`],
        ),
      );
    }
    case 'source-lines': {
      const file = words.next();
      const costs = await sourceCosts(source, selection());
      return (costs.files.find(f => f.file === file)?.lines ?? []).map(c => `${c.line} ${c.self} ${c.total} ${c.selfSamples} ${c.totalSamples}`);
    }
    case 'label-keys':
      return (await labelKeys(source, optionalSelection())).map(quote);
    case 'label-values': {
      const key = words.next();
      return (await labelValues(source, key, optionalSelection())).map(quote);
    }
    case 'label-breakdown': {
      const key = words.next();
      const limit = Number(words.next());
      const breakdown = await labelBreakdown(source, key, selection(), limit);
      return [
        ...breakdown.shares.map(s => `${s.value === null ? '(none)' : quote(s.value)} ${s.total} ${s.samples}`),
        `others ${breakdown.others.values} values ${breakdown.others.total} ${breakdown.others.samples}`,
        `all ${breakdown.total} ${breakdown.samples}`,
      ];
    }
    case 'label-wall': {
      const key = words.next();
      const limit = Number(words.next());
      const cpu = selection();
      const breakdown = await labelBreakdown(source, key, cpu, limit);
      const wall = await spanWallBeside(source, key, { ...cpu, profileType: SPAN_WALL_TIME_PROFILE_TYPE }, breakdown.shares);
      return [
        ...breakdown.shares.map((s, i) => `${s.value === null ? '(none)' : quote(s.value)} ${s.total} ${s.samples} wall ${wall.shares[i] ?? '-'}`),
        `others ${breakdown.others.values} values ${breakdown.others.total} ${breakdown.others.samples} wall ${wall.others}`,
        `all ${breakdown.total} ${breakdown.samples} wall ${wall.total}`,
      ];
    }
    case 'time-series': {
      const width = Number(words.next());
      const series = await timeSeries(source, selection(), width);
      return Array.from(series.bucketStartMs, (b, k) => `${b} ${series.values[k]} ${series.samples[k]}`);
    }
    case 'recorded-runs': {
      const profileType = profileTypeNamed(words.next());
      return (await recordedRuns(source, profileType)).map(
        r => `${quote(r.sessionId)} ${r.startMs}..${r.endMs} ${r.samples} ${r.value} ${Object.entries(r.labels).map(([k, v]) => `${k}=${quote(v)}`).join(' ')}`.trimEnd(),
      );
    }
    case 'time-order':
      return renderTimeOrder(await timeOrderedSamples(source, selection(), classifyForTests));
    case 'time-order-after': {
      const after = Number(words.next());
      const samples = await timeOrderedSamples(source, selection(), classifyForTests, after);
      return [`after ${samples.afterMs} through ${samples.throughMs}, ${samples.totalSamples} samples in all`, ...renderTimeOrder(samples)];
    }
    default:
      throw new Error(`unknown query ${JSON.stringify(name)}`);
  }
}

function renderTimeOrder(samples: TimeOrderedSamples): string[] {
  const { tree } = samples;
  const stackOf = (node: number): string => {
    const names: string[] = [];
    for (let at = node; at > 0; at = tree.parent[at]!) names.unshift(tree.strings[tree.name[at]!]!);
    return names.length === 0 ? '(no stack)' : names.map(plainOrQuoted).join(';');
  };
  const out: string[] = [];
  let k = 0;
  for (const track of samples.tracks) {
    out.push(`track ${Object.entries(track.labels).map(([key, v]) => `${key}=${quote(v)}`).join(' ')}`.trimEnd());
    let end = 0;
    for (let i = 0; i < track.sampleCount; i++, k++) {
      const start = end + samples.gapMicros[k]!;
      end = start + samples.durationMicros[k]!;
      out.push(`  ${start}+${samples.durationMicros[k]} ${stackOf(samples.node[k]!)}`);
    }
  }
  return out;
}

function renderSourceCosts(costs: SourceCosts): string[] {
  return [
    `total ${costs.total} ${costs.totalSamples}`,
    ...costs.files.flatMap(f => [
      `file ${quote(f.file)}`,
      ...f.functions.map(c => `  function ${quote(c.name)} line ${c.line} ${c.self} ${c.total} ${c.selfSamples} ${c.totalSamples}`),
      ...f.lines.map(c => `  line ${c.line} ${c.self} ${c.total} ${c.selfSamples} ${c.totalSamples}`),
    ]),
  ];
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
