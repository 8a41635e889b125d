import { FRAME_KINDS } from '../common/callTree';
import type { TimeOrderedSamples } from '../common/timeOrder';
import type { TimeRange } from '../common/viewQuery';
import { formatMicros, formatSamples } from '../common/valueFormat';
import { chooseValueUnit, frameName, type ValueUnit } from './callTreeHierarchy';
import { describeFrame } from './frameDetails';
import { FramePalette, sourceGroup } from './frameColours';
import type { ColourBy } from './flameGraphView';
import { FrameTooltip } from './frameTooltip';
import { firstEndingAfter, layoutChart, sampleAt, samplesWithin, shortestSample, spanAt, type ChartLayout, type TrackLayout } from './flameChartLayout';
import type { DisplayUnit } from '../common/profileTypes';

/** A stack frame's row, in CSS pixels: the flame graph's. */
const ROW = 18;
/** A track's heading row. */
const HEADING = 20;
/** Below this width a frame gets no label. */
const MIN_LABEL_PIXELS = 28;
/** The canvas's height at most, in CSS pixels (its pixel buffer is width × height × 4 bytes). */
const MAX_HEIGHT = 8000;
/** How much one wheel notch (100 units of deltaY) narrows or widens the visible range. */
const WHEEL_ZOOM = 1.5;

export interface FlameChartEvents {
  /** The user zoomed or panned: the visible range, in the store's milliseconds (undefined: everything). */
  visibleRangeChanged(range: TimeRange | undefined): void;
  /** "Show as flame graph": the Graph tab for this range. */
  showRangeAsGraph(range: TimeRange | undefined): void;
}

/** What a point of the chart shows, for tooltips and tests. */
export interface ChartHit {
  track: number;
  /** The frame's node in the answer's tree, and its depth (1: a top frame). */
  node: number;
  depth: number;
  /** The span of consecutive samples this frame covers, microseconds after the answer's start. */
  spanStart: number;
  spanEnd: number;
  /** The sample at that time in its track (its index in the answer's columns), or -1. */
  sample: number;
}

/**
 * The flame chart: the samples in time order per track (x = time, y = stack depth), drawn on one canvas. Frames
 * are spans of consecutive samples sharing a call (flameChartLayout.ts); a redraw draws at most one rectangle per
 * pixel column and row, so it costs the canvas's size, not the samples'. Names are drawn as canvas text and the
 * tooltip is text: nothing from the profile becomes HTML. The wheel zooms around the pointer (down to a single
 * sample), a drag pans, a click zooms to the frame clicked, Escape shows everything; the keyboard does the same.
 */
export class FlameChartView {
  private readonly caption: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly scroller: HTMLElement;
  /** Made on the first hover: other views' tests find the page's tooltip by its class, and most pages never show a chart. */
  private tooltipMade: FrameTooltip | undefined;
  private palette = FramePalette.fromDocument();
  private colourBy: ColourBy = 'kind';
  private samples: TimeOrderedSamples | undefined;
  private layout: ChartLayout | undefined;
  private unit: ValueUnit = 'micros';
  /** The visible range, microseconds after the answer's start. */
  private from = 0;
  private to = 1;
  private minWidth = 1;
  private drawScheduled = false;
  private drag: { x: number; from: number; to: number; moved: boolean } | undefined;
  private trackTops: number[] = [];
  private textWidth = 7;

  constructor(
    private readonly container: HTMLElement,
    private readonly events: FlameChartEvents,
  ) {
    const bar = append(container, 'div', 'icicle-flamechart-bar');
    this.caption = append(bar, 'span', 'icicle-flamechart-caption');
    const whole = append(bar, 'button', 'icicle-button icicle-flamechart-whole');
    whole.type = 'button';
    whole.textContent = 'Whole run';
    whole.addEventListener('click', () => this.setVisible(0, this.layout?.endMicros ?? 1, true));
    const asGraph = append(bar, 'button', 'icicle-button icicle-flamechart-as-graph');
    asGraph.type = 'button';
    asGraph.textContent = 'Show range as flame graph';
    asGraph.addEventListener('click', () => this.events.showRangeAsGraph(this.visibleRange()));
    this.scroller = append(container, 'div', 'icicle-flamechart-scroller');
    this.canvas = append(this.scroller, 'canvas', 'icicle-flamechart-canvas');
    this.canvas.tabIndex = 0;
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', 'Flame chart: the wheel or ↑/↓ zoom, a drag or ←/→ pans, a click zooms to a frame, Escape shows everything');
    this.canvas.addEventListener('wheel', event => this.onWheel(event), { passive: false });
    this.canvas.addEventListener('mousedown', event => this.onMouseDown(event));
    window.addEventListener('mousemove', event => this.onMouseMove(event));
    window.addEventListener('mouseup', event => this.onMouseUp(event));
    this.canvas.addEventListener('mouseleave', () => this.tooltipMade?.hide());
    this.canvas.addEventListener('keydown', event => this.onKey(event));
    new ResizeObserver(() => this.scheduleDraw()).observe(container);
    this.showCaption();
  }

  /** Draws new samples; the visible range is kept when `range` is undefined and the samples cover it. */
  show(samples: TimeOrderedSamples | undefined, unit: DisplayUnit, range: TimeRange | undefined): void {
    const changed = samples !== this.samples;
    // New samples of the same run (a refresh while it records) keep a zoom, but a chart showing the whole run follows
    // it as it grows; another run's start at the whole.
    const wholeShown = this.layout === undefined || (this.from <= 0 && this.to >= this.layout.endMicros);
    const sameRun = changed && samples !== undefined && this.samples !== undefined && samples.startMs === this.samples.startMs && this.layout !== undefined;
    this.samples = samples;
    this.unit = samples ? chooseValueUnit(samples.tree, unit) : unit;
    if (changed) {
      this.fills = [];
      const started = performance.now();
      this.layout = samples ? layoutChart(samples) : undefined;
      performance.clearMeasures('icicle:flamechart-layout');
      performance.measure('icicle:flamechart-layout', { start: started });
    }
    if (!samples || !this.layout) {
      this.scheduleDraw();
      this.showCaption();
      return;
    }
    this.minWidth = Math.max(1, shortestSample(samples));
    if (range) this.showRange(range);
    else if (sameRun && !wholeShown) this.setVisible(this.from, this.to, false);
    else if (changed) this.setVisible(0, Math.max(1, this.layout.endMicros), false);
    this.scheduleDraw();
  }

  /** Zooms to a range of the store's milliseconds (the timeline's brush), without telling anyone. */
  showRange(range: TimeRange | undefined): void {
    if (!this.samples || !this.layout) return;
    if (!range) this.setVisible(0, Math.max(1, this.layout.endMicros), false);
    else this.setVisible((range.startMs - this.samples.startMs) * 1000, (range.endMs - this.samples.startMs) * 1000, false);
  }

  setColourBy(colourBy: ColourBy): void {
    // Every profile sets the colouring again; drawing the chart for nothing would measure the page (a layout of the
    // whole flame graph) before its first paint.
    if (colourBy === this.colourBy) return;
    this.fills = [];
    this.colourBy = colourBy;
    this.scheduleDraw();
  }

  /** What the chart shows at a point of the canvas (CSS pixels from its top left), or undefined. */
  hitTest(x: number, y: number): ChartHit | undefined {
    if (!this.layout) return undefined;
    const width = this.canvas.clientWidth || 1;
    const time = this.from + (x / width) * (this.to - this.from);
    for (let t = 0; t < this.layout.tracks.length; t++) {
      const track = this.layout.tracks[t]!;
      const top = this.trackTops[t]! + HEADING;
      if (y < top || y >= top + track.rows.length * ROW) continue;
      const depth = Math.floor((y - top) / ROW) + 1;
      const row = track.rows[depth - 1]!;
      const span = spanAt(row, time);
      if (span < 0) return undefined;
      return { track: t, node: row.node[span]!, depth, spanStart: row.start[span]!, spanEnd: row.end[span]!, sample: sampleAt(track, time) };
    }
    return undefined;
  }

  private visibleRange(): TimeRange | undefined {
    if (!this.samples || !this.layout) return undefined;
    if (this.from <= 0 && this.to >= this.layout.endMicros) return undefined;
    return { startMs: Math.floor(this.samples.startMs + this.from / 1000), endMs: Math.ceil(this.samples.startMs + this.to / 1000) };
  }

  /** Sets the visible range, kept within the samples and at least the shortest sample wide. */
  private setVisible(from: number, to: number, byUser: boolean): void {
    const end = Math.max(1, this.layout?.endMicros ?? 1);
    let width = Math.min(end, Math.max(this.minWidth, to - from));
    if (!(width > 0)) width = end;
    const start = Math.min(Math.max(0, from), end - width);
    this.from = start;
    this.to = start + width;
    this.canvas.dataset['visibleFrom'] = String(this.from);
    this.canvas.dataset['visibleTo'] = String(this.to);
    this.showCaption();
    this.scheduleDraw();
    if (byUser) this.events.visibleRangeChanged(this.visibleRange());
  }

  private showCaption(): void {
    if (!this.samples || !this.layout) {
      this.caption.textContent = 'Loading the samples in time order…';
      return;
    }
    if (this.layout.sampleCount === 0) {
      this.caption.textContent = 'No samples in this selection.';
      return;
    }
    const tracks = this.layout.tracks.length;
    const shown = this.layout.tracks.reduce((sum, track) => sum + samplesWithin(track, this.from, this.to), 0);
    this.caption.textContent =
      `${tracks} ${tracks === 1 ? 'track' : 'tracks'} · ${formatSamples(shown)} of ${formatSamples(this.layout.sampleCount)} shown · ` +
      `${formatMicros(this.from)} to ${formatMicros(this.to)} of ${formatMicros(this.layout.endMicros)}`;
  }

  private scheduleDraw(): void {
    if (this.drawScheduled) return;
    this.drawScheduled = true;
    requestAnimationFrame(() => {
      this.drawScheduled = false;
      this.draw();
    });
  }

  /** Draws the visible range now. Its time is measured as `icicle:flamechart-draw`, for the benchmark and devtools. */
  draw(): void {
    const started = performance.now();
    this.drawNow();
    if (!this.layout) return;
    performance.clearMeasures('icicle:flamechart-draw');
    performance.measure('icicle:flamechart-draw', { start: started });
  }

  private drawNow(): void {
    const layout = this.layout;
    const width = Math.max(1, this.scroller.clientWidth);
    this.trackTops = [];
    let height = 0;
    for (const track of layout?.tracks ?? []) {
      this.trackTops.push(height);
      height += HEADING + track.rows.length * ROW;
    }
    height = Math.max(1, Math.min(height, MAX_HEIGHT));
    const ratio = window.devicePixelRatio || 1;
    if (this.canvas.width !== Math.round(width * ratio) || this.canvas.height !== Math.round(height * ratio)) {
      this.canvas.width = Math.round(width * ratio);
      this.canvas.height = Math.round(height * ratio);
      this.canvas.style.width = `${width}px`;
      this.canvas.style.height = `${height}px`;
    }
    const context = this.canvas.getContext('2d');
    if (!context) return;
    context.setTransform(1, 0, 0, 1, 0, 0);
    context.clearRect(0, 0, this.canvas.width, this.canvas.height);
    if (!layout || !this.samples) return;
    // Frames are written into a pixel buffer and put once: zoomed out, a row is a thousand one-pixel pieces of
    // alternating colours, and a fillRect with a fill style per piece cost 50 to 100 ms for a million samples.
    const image = context.createImageData(this.canvas.width, this.canvas.height);
    const pixels = new Uint32Array(image.data.buffer);
    const labels: { left: number; right: number; y: number; node: number }[] = [];
    layout.tracks.forEach((track, t) => {
      track.rows.forEach((_row, d) => {
        const y = this.trackTops[t]! + HEADING + d * ROW;
        if (y + ROW <= height) this.drawRow(pixels, this.canvas.width, ratio, track, d, y, width, labels);
      });
    });
    context.putImageData(image, 0, 0);
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    const style = getComputedStyle(this.container);
    context.font = `12px ${style.getPropertyValue('--vscode-font-family') || 'sans-serif'}`;
    context.textBaseline = 'middle';
    this.textWidth = context.measureText('abcdefghijklmnopqrstuvwxyz').width / 26 || 7;
    context.fillStyle = style.getPropertyValue('--vscode-foreground') || '#cccccc';
    layout.tracks.forEach((track, t) => context.fillText(track.name, 4, this.trackTops[t]! + HEADING / 2, width - 8));
    for (const { left, right, y, node } of labels) {
      const name = frameName(this.samples.tree, node);
      const fits = Math.floor((right - left - 6) / this.textWidth);
      if (fits < 2) continue;
      context.fillStyle = this.colourOf(node).text;
      context.fillText(name.length <= fits ? name : `${name.slice(0, fits - 1)}…`, left + 3, y + ROW / 2, right - left - 6);
    }
  }

  /**
   * One row of one track into the pixel buffer: the spans that reach into the visible range. A span narrower than a
   * pixel fills that pixel with its colour, and the search then jumps to the next pixel, so hidden spans are never
   * visited: a row costs its pixels, however many samples it holds. Frames wide enough for a label are listed.
   */
  private drawRow(
    pixels: Uint32Array,
    stride: number,
    ratio: number,
    track: TrackLayout,
    d: number,
    y: number,
    width: number,
    labels: { left: number; right: number; y: number; node: number }[],
  ): void {
    const row = track.rows[d]!;
    const scale = width / (this.to - this.from);
    const top = Math.round(y * ratio);
    const bottom = Math.round((y + ROW - 1) * ratio);
    // The row's first line is written piece by piece, then copied to its other lines at once.
    const first = top * stride;
    const fill = (left: number, right: number, colour: number) => {
      const from = Math.max(0, Math.round(left * ratio));
      const to = Math.min(stride, Math.max(from + 1, Math.round(right * ratio)));
      for (let x = from; x < to; x++) pixels[first + x] = colour;
    };
    let i = firstEndingAfter(row.end, this.from);
    while (i < row.end.length && row.start[i]! < this.to) {
      const x0 = (row.start[i]! - this.from) * scale;
      const x1 = (row.end[i]! - this.from) * scale;
      const node = row.node[i]!;
      if (x1 - x0 < 1) {
        const pixel = Math.floor(x0);
        fill(pixel, pixel + 1, this.fillOf(node));
        i = firstEndingAfter(row.end, this.from + (pixel + 1) / scale, i + 1);
        continue;
      }
      const left = Math.max(0, x0);
      const right = Math.min(width, x1);
      // A pixel's gap between frames wide enough to spare it, so neighbouring calls read as separate.
      fill(left, Math.max(left + 1, right - (x1 - x0 >= 3 ? 1 : 0)), this.fillOf(node));
      if (right - left >= MIN_LABEL_PIXELS) labels.push({ left, right, y, node });
      i++;
    }
    for (let line = top + 1; line < bottom; line++) pixels.copyWithin(line * stride, first, first + stride);
  }

  /** Each node's fill as a pixel (RGBA bytes in memory order), looked up once per node and colouring. */
  private fills: number[] = [];

  private fillOf(node: number): number {
    let fill = this.fills[node];
    if (fill === undefined) {
      const hex = this.colourOf(node).fill;
      const rgb = parseInt(hex.slice(1, 7), 16);
      // Little-endian words: red is the lowest byte. Every platform browsers run on is little-endian.
      fill = this.fills[node] = ((0xff << 24) | ((rgb & 0xff) << 16) | (rgb & 0xff00) | ((rgb >>> 16) & 0xff)) >>> 0;
    }
    return fill;
  }

  private colourOf(node: number): { fill: string; text: string } {
    const tree = this.samples!.tree;
    const kind = FRAME_KINDS[tree.kind[node]!] ?? 'user';
    if (this.colourBy === 'source') return this.palette.colourForSource(sourceGroup(tree.strings[tree.url[node]!] ?? '', kind));
    return this.palette.colourFor(kind, frameName(tree, node));
  }

  private hovered: ChartHit | undefined;

  private describe(node: number): ReturnType<typeof describeFrame> {
    const tree = this.samples!.tree;
    const details = describeFrame(tree, node, this.unit);
    const hit = this.hovered;
    if (!hit || !this.layout) return details;
    const track = this.layout.tracks[hit.track]!;
    const count = samplesWithin(track, hit.spanStart, hit.spanEnd);
    return { ...details, samples: `${formatSamples(count)} in this call, ${formatMicros(hit.spanEnd - hit.spanStart)} from ${formatMicros(hit.spanStart)}` };
  }

  private tooltip(): FrameTooltip {
    if (!this.tooltipMade) {
      this.tooltipMade = new FrameTooltip(index => this.describe(index));
      this.tooltipMade.element.classList.add('icicle-flamechart-tooltip');
      document.body.appendChild(this.tooltipMade.element);
    }
    return this.tooltipMade;
  }

  private onWheel(event: WheelEvent): void {
    if (!this.layout) return;
    event.preventDefault();
    const box = this.canvas.getBoundingClientRect();
    const at = this.from + ((event.clientX - box.left) / Math.max(1, box.width)) * (this.to - this.from);
    if (Math.abs(event.deltaX) > Math.abs(event.deltaY)) {
      const shift = (event.deltaX / Math.max(1, box.width)) * (this.to - this.from);
      this.setVisible(this.from + shift, this.to + shift, true);
      return;
    }
    // The time under the pointer stays under it, also once the width stops at a single sample.
    const fraction = (at - this.from) / (this.to - this.from);
    const width = Math.min(Math.max(1, this.layout.endMicros), Math.max(this.minWidth, (this.to - this.from) * WHEEL_ZOOM ** (event.deltaY / 100)));
    this.setVisible(at - fraction * width, at + (1 - fraction) * width, true);
  }

  /** The keyboard's zoom and pan, about the middle of the visible range: ↑/↓ (or +/-) zoom, ←/→ move a tenth. */
  private onKey(event: KeyboardEvent): void {
    if (!this.layout) return;
    const width = this.to - this.from;
    const middle = this.from + width / 2;
    const zoom = (factor: number) => {
      const next = Math.min(Math.max(1, this.layout!.endMicros), Math.max(this.minWidth, width * factor));
      this.setVisible(middle - next / 2, middle + next / 2, true);
    };
    switch (event.key) {
      case 'Escape':
        this.setVisible(0, this.layout.endMicros, true);
        break;
      case 'ArrowUp':
      case '+':
      case '=':
        zoom(1 / WHEEL_ZOOM);
        break;
      case 'ArrowDown':
      case '-':
        zoom(WHEEL_ZOOM);
        break;
      case 'ArrowLeft':
      case 'ArrowRight': {
        const shift = (event.key === 'ArrowLeft' ? -width : width) / 10;
        this.setVisible(this.from + shift, this.to + shift, true);
        break;
      }
      default:
        return;
    }
    event.preventDefault();
  }

  private onMouseDown(event: MouseEvent): void {
    if (event.button !== 0 || !this.layout) return;
    this.drag = { x: event.clientX, from: this.from, to: this.to, moved: false };
    this.tooltipMade?.hide();
  }

  private onMouseMove(event: MouseEvent): void {
    if (this.drag) {
      const dx = event.clientX - this.drag.x;
      if (Math.abs(dx) > 3) this.drag.moved = true;
      if (this.drag.moved) {
        const shift = (-dx / Math.max(1, this.canvas.clientWidth)) * (this.drag.to - this.drag.from);
        this.setVisible(this.drag.from + shift, this.drag.to + shift, true);
      }
      return;
    }
    if (event.target !== this.canvas) return;
    const box = this.canvas.getBoundingClientRect();
    const hit = this.hitTest(event.clientX - box.left, event.clientY - box.top);
    this.hovered = hit;
    if (hit) this.tooltip().show(event, hit.node);
    else this.tooltipMade?.hide();
  }

  private onMouseUp(event: MouseEvent): void {
    const drag = this.drag;
    this.drag = undefined;
    if (!drag || drag.moved || event.target !== this.canvas) return;
    // A click without a drag zooms to the frame clicked.
    const box = this.canvas.getBoundingClientRect();
    const hit = this.hitTest(event.clientX - box.left, event.clientY - box.top);
    if (hit) this.setVisible(hit.spanStart, hit.spanEnd, true);
  }
}

function append<K extends keyof HTMLElementTagNameMap>(parent: HTMLElement, tag: K, className: string): HTMLElementTagNameMap[K] {
  const created = document.createElement(tag);
  created.className = className;
  return parent.appendChild(created);
}
