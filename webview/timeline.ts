import { brushX, type BrushBehavior, type D3BrushEvent } from 'd3-brush';
import { scaleLinear } from 'd3-scale';
import { select, type Selection } from 'd3-selection';
import type { TimeRange, Timeline as TimelineData } from '../common/viewQuery';
import { formatMicros } from '../common/valueFormat';

const HEIGHT = 56;

export interface TimelineEvents {
  /** The user chose a time range (undefined: the whole span). */
  rangeChosen(range: TimeRange | undefined): void;
}

/**
 * The selection's value over time as bars, with a brush (d3-brush) to pick a time range; every view then
 * re-queries for that range. The brush is for the mouse; the same range can be set from the keyboard when the
 * timeline has focus: ←/→ move it by a tenth of the span, Shift+←/→ move its end, Escape clears it.
 */
export class Timeline {
  readonly element: HTMLElement;
  private readonly caption: HTMLElement;
  private readonly svg: Selection<SVGSVGElement, unknown, null, undefined>;
  private readonly bars: Selection<SVGGElement, unknown, null, undefined>;
  private readonly brushLayer: Selection<SVGGElement, unknown, null, undefined>;
  private readonly brush: BrushBehavior<unknown>;
  private data: TimelineData | undefined;
  private range: TimeRange | undefined;
  private width = 0;

  constructor(
    parent: HTMLElement,
    private readonly events: TimelineEvents,
  ) {
    this.element = parent.appendChild(document.createElement('div'));
    this.element.className = 'icicle-timeline';
    this.element.tabIndex = 0;
    this.element.setAttribute('role', 'group');
    this.element.setAttribute('aria-label', 'Timeline: ←/→ move the time range, Shift+←/→ move its end, Escape shows the whole span');
    this.caption = this.element.appendChild(document.createElement('div'));
    this.caption.className = 'icicle-timeline-caption';
    this.svg = select(this.element).append('svg').attr('class', 'icicle-timeline-chart').attr('height', String(HEIGHT));
    this.bars = this.svg.append('g').attr('class', 'icicle-timeline-bars');
    this.brushLayer = this.svg.append('g').attr('class', 'icicle-timeline-brush');
    this.brush = brushX().on('end', (event: D3BrushEvent<unknown>) => this.brushed(event));
    this.element.addEventListener('keydown', event => this.onKey(event));
    new ResizeObserver(() => this.draw()).observe(this.element);
    this.element.hidden = true;
  }

  /** Draws the series; `range` is the time range the views show now. A timeline of one bucket is not worth a row. */
  show(data: TimelineData | undefined, range: TimeRange | undefined): void {
    this.data = data;
    this.range = range;
    this.element.hidden = data === undefined || data.bucketStartMs.length < 2;
    this.draw();
  }

  /**
   * Moves the brush to a range without asking for it (the flame chart's visible range follows the user's zoom
   * there; the views query the range only when asked to show it).
   */
  showRange(range: TimeRange | undefined): void {
    this.range = range;
    this.draw();
  }

  private extent(): [number, number] {
    const data = this.data!;
    return [data.span.startMs, Math.max(data.span.endMs, data.bucketStartMs[data.bucketStartMs.length - 1] ?? data.span.startMs) + data.bucketMs];
  }

  private draw(): void {
    if (!this.data || this.element.hidden) return;
    this.width = Math.max(100, this.element.clientWidth);
    const data = this.data;
    const [start, end] = this.extent();
    const x = scaleLinear().domain([start, end]).range([0, this.width]);
    const peak = Math.max(...data.values, 0) || 1;
    const y = scaleLinear().domain([0, peak]).range([HEIGHT, 2]);
    const barWidth = Math.max(1, x(start + data.bucketMs) - x(start) - 1);
    this.svg.attr('width', String(this.width)).attr('viewBox', `0 0 ${this.width} ${HEIGHT}`);
    this.bars
      .selectAll<SVGRectElement, number>('rect')
      .data(data.values)
      .join('rect')
      .attr('x', (_v, i) => x(data.bucketStartMs[i]!))
      .attr('width', barWidth)
      .attr('y', v => y(v))
      .attr('height', v => HEIGHT - y(v));
    this.brush.extent([
      [0, 0],
      [this.width, HEIGHT],
    ]);
    this.brushLayer.call(this.brush);
    // Moving the brush by code fires its events without a sourceEvent; brushed() ignores those.
    this.brushLayer.call(this.brush.move, this.range ? [x(this.range.startMs), x(this.range.endMs)] : null);
    this.caption.textContent = this.describe();
  }

  private describe(): string {
    const [start, end] = this.extent();
    const whole = `${formatMicros((end - start) * 1000)} of samples`;
    if (!this.range) return `${whole} · drag across the timeline to look at part of it`;
    const from = formatMicros((this.range.startMs - start) * 1000);
    const to = formatMicros((this.range.endMs - start) * 1000);
    return `${whole} · showing ${from} to ${to}`;
  }

  private brushed(event: D3BrushEvent<unknown>): void {
    if (!event.sourceEvent || !this.data) return;
    const [start, end] = this.extent();
    const x = scaleLinear().domain([start, end]).range([0, this.width]);
    const pixels = event.selection as [number, number] | null;
    if (!pixels || pixels[1] - pixels[0] < 2) {
      this.choose(undefined);
      return;
    }
    this.choose({ startMs: Math.floor(x.invert(pixels[0])), endMs: Math.ceil(x.invert(pixels[1])) });
  }

  private onKey(event: KeyboardEvent): void {
    if (!this.data) return;
    const [start, end] = this.extent();
    const step = Math.max(1, Math.round((end - start) / 10));
    let range = this.range ?? { startMs: start, endMs: start + step };
    if (event.key === 'Escape' && this.range) {
      this.choose(undefined);
    } else if (event.key === 'ArrowRight' || event.key === 'ArrowLeft') {
      const delta = event.key === 'ArrowRight' ? step : -step;
      if (!this.range) range = { startMs: start, endMs: start + step };
      else if (event.shiftKey) range = { startMs: range.startMs, endMs: Math.min(end, Math.max(range.startMs + step, range.endMs + delta)) };
      else {
        const width = range.endMs - range.startMs;
        const from = Math.min(end - width, Math.max(start, range.startMs + delta));
        range = { startMs: from, endMs: from + width };
      }
      this.choose(range);
    } else {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
  }

  private choose(range: TimeRange | undefined): void {
    this.range = range;
    this.caption.textContent = this.describe();
    this.events.rangeChosen(range);
  }
}
