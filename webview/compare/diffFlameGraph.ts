import flamegraph, { colorMapper, type FlameGraph } from 'd3-flame-graph';
import { select } from 'd3-selection';
import type { PackedCallTree } from '../../common/callTree';
import type { DisplayUnit } from '../../common/profileTypes';
import { formatBytes, formatCount, formatMicros, formatShare } from '../../common/valueFormat';
import { frameName } from '../callTreeHierarchy';
import { frameLocation } from '../frameDetails';
import { FrameTooltip } from '../frameTooltip';

/** A frame as d3-flame-graph draws it in differential mode: the head's total sizes it, `delta` colours it. */
interface DiffDatum {
  name: string;
  value: number;
  /** Head self − base self of this frame alone; d3-flame-graph adds the children's to colour by the total change. */
  delta: number;
  index: number;
  children?: DiffDatum[];
}

/**
 * The differential flame graph of a comparison (d3-flame-graph's differential mode): the head branch's call tree,
 * each frame red where the head spends more than the base on that call path, blue where less, by how much.
 * Normalised, the base is scaled to the head's total first, so a branch that is slower everywhere by the same factor
 * shows no colour; absolute, the per-run means are compared as they are.
 */
export class DiffFlameGraph {
  readonly element: HTMLElement;
  private chart: FlameGraph<DiffDatum> | undefined;
  private readonly tooltip: FrameTooltip;
  private shown: { tree: PackedCallTree; baseSelf: number[]; unit: DisplayUnit; scale: number } | undefined;

  constructor(
    parent: HTMLElement,
    /** A frame was clicked: its function, to open on the current branch. */
    private readonly openFunction: (name: string, file: string) => void,
  ) {
    this.element = parent.appendChild(document.createElement('div'));
    this.element.className = 'icicle-diff-chart';
    this.tooltip = new FrameTooltip(index => this.describe(index));
    document.body.appendChild(this.tooltip.element);
    this.element.addEventListener('mousemove', event => this.tooltip.moveTo(event));
    this.element.addEventListener('mouseleave', () => this.tooltip.hide());
  }

  show(tree: PackedCallTree, baseSelf: readonly number[], unit: DisplayUnit, normalise: boolean): void {
    const baseTotal = baseSelf.reduce((a, b) => a + b, 0);
    const scale = normalise && baseTotal > 0 ? (tree.totalValue[0] ?? 0) / baseTotal : 1;
    this.shown = { tree, baseSelf: [...baseSelf], unit, scale };
    this.chart?.destroy();
    this.element.replaceChildren();
    const frames = new Array<DiffDatum>(tree.parent.length);
    for (let i = 0; i < tree.parent.length; i++) {
      frames[i] = { name: frameName(tree, i), value: tree.totalValue[i] ?? 0, delta: (tree.selfValue[i] ?? 0) - (baseSelf[i] ?? 0) * scale, index: i };
      if (i > 0) (frames[tree.parent[i]!]!.children ??= []).push(frames[i]!);
    }
    const chart = flamegraph<DiffDatum>()
      .width(Math.max(this.element.clientWidth, 100))
      .cellHeight(18)
      .transitionDuration(150)
      .minFrameSize(1)
      .inverted(true)
      .sort(false)
      .computeDelta(true)
      .setColorMapper(colorMapper.differentialColorMapper)
      .setSearchMatch(() => false)
      .tooltip(this.tooltip.forFlameGraph() as never)
      .onClick(node => {
        const file = tree.strings[tree.url[node.data.index] ?? 0] ?? '';
        if (node.data.index > 0 && file !== '') this.openFunction(tree.strings[tree.name[node.data.index] ?? 0] ?? '', file);
      });
    this.chart = chart;
    select(this.element).datum(frames[0]!).call(chart);
    this.element.querySelector('svg')?.setAttribute('aria-label', 'Differential flame graph: red frames take longer on the head branch, blue ones less');
  }

  private value(v: number): string {
    const unit = this.shown?.unit ?? 'micros';
    return unit === 'micros' ? formatMicros(v) : unit === 'bytes' ? formatBytes(v) : formatCount(v);
  }

  private describe(index: number) {
    const { tree, baseSelf, scale } = this.shown!;
    const head = tree.selfValue[index] ?? 0;
    const base = (baseSelf[index] ?? 0) * scale;
    const delta = head - base;
    return {
      name: frameName(tree, index),
      location: frameLocation(tree, index),
      self: `${this.value(head)} on head, ${this.value(base)} on base (${delta >= 0 ? '+' : '−'}${this.value(Math.abs(delta))})`,
      total: `${this.value(tree.totalValue[index] ?? 0)} on head (${formatShare(tree.totalValue[index] ?? 0, tree.totalValue[0] ?? 0)})`,
      samples: 'per run, averaged',
    };
  }
}
