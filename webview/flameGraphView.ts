import flamegraph, { type FlameGraph, type FlameGraphNode } from 'd3-flame-graph';
import { select } from 'd3-selection';
import { FRAME_KINDS, type PackedCallTree } from '../common/callTree';
import { buildCallTreeHierarchy, deepestDrawnDepth, frameName, framesAtDepth, type FrameDatum, type ValueUnit } from './callTreeHierarchy';
import { describeFrame } from './frameDetails';
import { FrameNavigation } from './frameNavigation';
import { FramePalette, sourceGroup, type FrameColour } from './frameColours';
import { FrameTooltip } from './frameTooltip';
import type { Orientation } from './viewState';

/** Row height in pixels: d3-flame-graph's default, which fits one line of the editor's UI font. */
const CELL_HEIGHT = 18;
/** Short enough that labels appear at once (the 750 ms default delays them visibly), long enough to follow a zoom. */
const TRANSITION_MILLIS = 150;
/**
 * How long a new frame's rectangle grows from nothing: d3-flame-graph's (d3-transition's default). The rest of a deep
 * tree is drawn while the first rows still grow; they go on growing over this time rather than jump to their width.
 */
const GROWTH_MILLIS = 250;
/** The extension refuses longer URLs (see the protocol); posting one would only produce an error there. */
const MAX_URL_LENGTH = 8192;

/** The context VS Code passes to the webview menu's commands for a frame (see extension/frameCommands.ts). */
export function frameContext(tree: PackedCallTree | undefined, index: number): string {
  const name = tree ? frameName(tree, index) : '';
  const url = tree ? (tree.strings[tree.url[index] ?? 0] ?? '') : '';
  return JSON.stringify({ webviewSection: 'frame', icicleFunction: name.slice(0, 10_000), icicleFile: url.slice(0, 8192), preventDefaultContextMenuItems: true });
}

/** What decides a frame's colour. */
export type ColourBy = 'kind' | 'source';

export interface FlameGraphEvents {
  /** The user clicked a frame that names its source. */
  openSource(url: string, line: number, column: number): void;
  /** The zoomed frame changed; undefined when the whole profile is shown again. */
  zoomChanged(nodeIndex: number | undefined): void;
  /** The user clicked a frame (not the root): the function the sandwich view shows. */
  frameSelected?(nodeIndex: number): void;
}

export interface FlameGraphContent {
  /** Names the profile for screen readers. */
  title: string;
  tree: PackedCallTree;
  orientation: Orientation;
  minFramePixels: number;
  /** What the tree's values measure (the profile type's display unit). */
  unit: ValueUnit;
  /** A frame to zoom to at once (restored from saved state); ignored when the tree has no such frame. */
  zoomNodeIndex?: number | undefined;
}

type Node = FlameGraphNode<FrameDatum>;

/**
 * The flame graph: d3-flame-graph drawing a PackedCallTree with theme colours, our own tooltip, clicks that
 * open source, and the width of its container. Everything per frame (colours, tooltip text, source) is read
 * from the packed tree through the frame's index, so the hierarchy handed to d3 stays small.
 */
export class FlameGraphView {
  private chart: FlameGraph<FrameDatum> | undefined;
  private tree: PackedCallTree | undefined;
  private unit: ValueUnit = 'micros';
  private palette = FramePalette.fromDocument();
  private width = 0;
  private resizeScheduled = false;
  /** True while the view zooms by itself (restoring state), which must not open any source. */
  private zoomingProgrammatically = false;
  private readonly tooltip: FrameTooltip;
  /** Whether frames are coloured by kind of code or by where the code lives (package or file). */
  private colourBy: ColourBy = 'kind';
  /** Frames a search or a selected function matches; the others are faded. Undefined: nothing is searched. */
  private highlighted: Set<number> | undefined;
  /** The frame the keyboard is on (outlined), and how keys move it. */
  private cursor = 0;
  private navigation: FrameNavigation | undefined;
  private orientation: Orientation = 'icicle';
  /** Says which frame the keyboard is on, for screen readers. */
  private readonly announcer: HTMLElement;
  /**
   * Set while only the rows on the screen are drawn (a first paint of a deep tree): draws the rest. Run a frame after
   * the first paint, or at once by anything that needs every frame (a zoom, another orientation).
   */
  private drawRest: (() => void) | undefined;

  constructor(
    private readonly container: HTMLElement,
    private readonly events: FlameGraphEvents,
  ) {
    this.tooltip = new FrameTooltip(index => describeFrame(this.tree!, index, this.unit));
    document.body.appendChild(this.tooltip.element);
    container.addEventListener('mousemove', event => this.tooltip.moveTo(event));
    container.addEventListener('mouseleave', () => this.tooltip.hide());
    new ResizeObserver(() => this.scheduleResize()).observe(container);
    // The keyboard's way through the graph (frameNavigation.ts); the mouse's is d3-flame-graph's clicks.
    container.tabIndex = 0;
    container.setAttribute('role', 'application');
    container.setAttribute('aria-roledescription', 'flame graph');
    container.addEventListener('keydown', event => this.onKey(event));
    this.announcer = container.parentElement!.appendChild(document.createElement('div'));
    this.announcer.className = 'icicle-visually-hidden';
    this.announcer.setAttribute('aria-live', 'polite');
    // VS Code switches themes by rewriting the variables on <html> and the theme class on <body>.
    const themeObserver = new MutationObserver(() => this.themeChanged());
    themeObserver.observe(document.body, { attributes: true, attributeFilter: ['class'] });
    themeObserver.observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });
  }

  show(content: FlameGraphContent): void {
    this.clear();
    this.highlighted = undefined;
    // Read the theme afresh: VS Code may have set its variables after this script started.
    this.palette = FramePalette.fromDocument();
    this.tree = content.tree;
    this.unit = content.unit;
    this.navigation = new FrameNavigation(content.tree);
    this.cursor = 0;
    this.orientation = content.orientation;
    this.container.setAttribute(
      'aria-label',
      `${content.title}: arrow keys move between frames, Enter zooms into one, O opens its source, Escape zooms out`,
    );
    // A hidden graph (another tab shown) measures 0 wide: it is drawn at its last width, so that a refresh while the
    // user looks at another tab does not make it grow from nothing when shown again.
    this.width = this.container.clientWidth || this.width;
    const chart = flamegraph<FrameDatum>()
      .width(Math.max(this.width, 1))
      .cellHeight(CELL_HEIGHT)
      // d3-flame-graph writes the labels only once its transition is over: a new profile is drawn without one, so
      // its first paint has its labels; zooms afterwards animate (see below).
      .transitionDuration(0)
      .minFrameSize(content.minFramePixels)
      .inverted(content.orientation === 'icicle')
      .selfValue(false)
      .sort(false)
      .tooltip(this.tooltip.forFlameGraph())
      .setColorMapper(node => this.colourOf(node).fill)
      // d3-flame-graph's own search compiles the term as an unescaped RegExp; search is ours (functionRows.ts,
      // plain text) and only fades frames through the colour mapper, so its matcher never matches.
      .setSearchMatch(() => false)
      .onClick(node => this.clicked(node));
    this.chart = chart;
    this.drawRest = undefined;
    const root = buildCallTreeHierarchy(content.tree, this.unit);
    const rows = content.zoomNodeIndex !== undefined && content.zoomNodeIndex > 0 ? undefined : this.rowsOnScreen(content);
    const deepest = rows === undefined ? 0 : deepestDrawnDepth(content.tree, this.unit, Math.max(this.width, 1), content.minFramePixels);
    if (rows !== undefined && deepest > rows) {
      // A deep tree is drawn in two steps: first the rows on the screen, at once, in a page as tall as the whole graph
      // (d3-flame-graph's height: three rows more than the deepest frame drawn), then the rest a frame after that
      // first paint. The frames below are hidden the way d3-flame-graph's zoom hides frames, so that every frame has
      // the same identity in both drawings (d3 keeps the drawn ones as they are) and a zoom in between holds.
      const below = framesAtDepth(root, rows + 1);
      for (const frame of below) frame.hide = true;
      chart.minHeight((deepest + 3) * CELL_HEIGHT);
      select(this.container).datum(root).call(chart);
      this.drawRest = () => {
        this.drawRest = undefined;
        // A zoom since then shows or hides frames by their ancestors; these were hidden only for the first paint.
        for (const frame of below) frame.hide = false;
        // d3-flame-graph keeps the height of its first drawing: it is measured again on every frame.
        chart.minHeight(0).height(0).transitionDuration(GROWTH_MILLIS).update();
        this.colourLabels();
        performance.clearMarks('icicle:graph-complete');
        performance.mark('icicle:graph-complete');
        chart.transitionDuration(TRANSITION_MILLIS);
      };
      // The first requestAnimationFrame runs before the first paint, the second a frame after it.
      requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => {
        if (this.chart === chart) this.drawRest?.();
      }, 0)));
    } else {
      select(this.container).datum(root).call(chart);
      performance.clearMarks('icicle:graph-complete');
      performance.mark('icicle:graph-complete');
      // Zooms and highlights applied with the new tree (a restored zoom, a live refresh's zoom and search) are drawn
      // at once too: a transition would paint the tree zoomed out first and then move it, on every refresh. Later
      // zooms, the user's, animate.
      requestAnimationFrame(() => {
        if (this.chart === chart) chart.transitionDuration(TRANSITION_MILLIS);
      });
    }

    const svg = this.container.querySelector('svg');
    svg?.setAttribute('role', 'img');
    svg?.setAttribute('aria-label', `Flame graph of ${content.title}`);

    if (content.zoomNodeIndex !== undefined && content.zoomNodeIndex > 0) this.zoomToIndex(content.zoomNodeIndex);
    this.colourLabels();
  }

  /**
   * How many rows below the root fit between the graph's top and the bottom of the window, when drawing only those
   * first is worth it: roots at the top (in a flame orientation the screen shows the deepest rows first, which need
   * every frame above them) and the graph shown (a hidden one has no screen to fill first).
   */
  private rowsOnScreen(content: FlameGraphContent): number | undefined {
    // Without a minimum width, d3-flame-graph draws hidden frames too (at no width): nothing would be saved.
    if (content.orientation !== 'icicle' || content.minFramePixels <= 0 || this.container.clientWidth === 0) return undefined;
    const top = this.container.getBoundingClientRect().top;
    return Math.max(1, Math.ceil((window.innerHeight - top) / CELL_HEIGHT));
  }

  setOrientation(orientation: Orientation): void {
    this.drawRest?.();
    this.orientation = orientation;
    this.chart?.inverted(orientation === 'icicle').update();
    this.colourLabels();
  }

  setMinFramePixels(pixels: number): void {
    this.drawRest?.();
    this.chart?.minFrameSize(pixels).update();
    this.colourLabels();
  }

  resetZoom(): void {
    this.zoomingProgrammatically = true;
    try {
      this.chart?.resetZoom();
    } finally {
      this.zoomingProgrammatically = false;
    }
  }

  private clear(): void {
    this.tooltip.hide();
    this.chart?.destroy();
    this.chart = undefined;
    this.drawRest = undefined;
    this.container.replaceChildren();
  }

  /** Zooms to a frame by its index in the packed tree (the root: zooms out). */
  zoomToIndex(index: number): void {
    this.drawRest?.();
    const target = this.nodeOf(index);
    if (!target || !this.chart) return;
    this.zoomingProgrammatically = true;
    try {
      this.chart.zoomTo(target);
    } finally {
      this.zoomingProgrammatically = false;
    }
  }

  /** d3-flame-graph has zoomed to the clicked frame (the root: zoomed out) before it calls this. */
  private clicked(node: Node): void {
    const index = node.data.index;
    const isRoot = node.parent === null;
    this.events.zoomChanged(isRoot ? undefined : index);
    this.colourLabels();
    if (isRoot || this.zoomingProgrammatically || !this.tree) return;
    this.events.frameSelected?.(index);
    const url = this.tree.strings[this.tree.url[index] ?? 0] ?? '';
    if (url === '' || url.length > MAX_URL_LENGTH) return;
    this.events.openSource(url, this.tree.line[index] ?? 0, this.tree.column[index] ?? 0);
  }

  /** The drawn hierarchy's node of a frame of the packed tree. */
  private nodeOf(index: number): Node | undefined {
    const root = select(this.container).datum() as unknown as Node;
    return root.descendants().find(node => node.data.index === index);
  }

  setColourBy(colourBy: ColourBy): void {
    if (this.colourBy === colourBy) return;
    this.colourBy = colourBy;
    this.chart?.update();
    this.colourLabels();
  }

  /** Fades every frame but `frames` (undefined: none is faded), keeping the zoom. */
  highlight(frames: Set<number> | undefined): void {
    // Nothing faded before or after: a redraw would only repeat the last one (every new profile clears the search).
    if (frames === undefined && this.highlighted === undefined) return;
    this.highlighted = frames;
    this.chart?.update();
    this.colourLabels();
  }

  private colourOf(node: Node): FrameColour {
    const index = node.data.index;
    const kind = FRAME_KINDS[this.tree?.kind[index] ?? 1] ?? 'user';
    const own =
      this.colourBy === 'source' && index > 0 && this.tree
        ? this.palette.colourForSource(sourceGroup(this.tree.strings[this.tree.url[index] ?? 0] ?? '', kind))
        : this.palette.colourFor(kind, node.data.name);
    if (this.highlighted && !this.highlighted.has(index)) return this.palette.dimmedFor(kind, node.data.name, own);
    return own;
  }

  /**
   * d3-flame-graph gives every label one colour from its stylesheet, which is unreadable on some theme
   * colours; after each redraw, give each label the text colour chosen for its own frame's fill.
   */
  private colourLabels(): void {
    const svg = this.container.querySelector('svg');
    if (!svg) return;
    const frames = select(svg).selectAll<SVGGElement, Node>('g');
    frames.select<HTMLDivElement>('div').style('color', node => this.colourOf(node).text);
    // VS Code's webview context menu reads this (package.json, webview/context): "Copy Function Name" and the like
    // get the frame's name and file. Set as an attribute value, never parsed as markup.
    frames.attr('data-vscode-context', node => frameContext(this.tree, node.data.index));
    frames.classed('icicle-frame-cursor', node => node.data.index === this.cursor && this.cursor > 0);
  }

  /** Keys on the focused graph: move between frames, zoom, open the source, zoom out. */
  private onKey(event: KeyboardEvent): void {
    if (!this.tree || !this.navigation || event.altKey || event.ctrlKey || event.metaKey) return;
    const moved = this.navigation.move(this.cursor, event.key, this.orientation);
    if (moved !== undefined) {
      this.cursor = moved;
      this.colourLabels();
      this.announce();
    } else if (event.key === 'Enter' || event.key === ' ') {
      // d3-flame-graph reports the zoom through its click handler, as for a click (zoomChanged).
      if (this.cursor === 0) this.resetZoom();
      else this.zoomToIndex(this.cursor);
      if (this.cursor > 0) this.events.frameSelected?.(this.cursor);
    } else if (event.key === 'o' || event.key === 'O') {
      const url = this.tree.strings[this.tree.url[this.cursor] ?? 0] ?? '';
      if (url !== '' && url.length <= MAX_URL_LENGTH) this.events.openSource(url, this.tree.line[this.cursor] ?? 0, this.tree.column[this.cursor] ?? 0);
    } else if (event.key === 'Escape') {
      this.resetZoom();
    } else {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
  }

  /** Puts the keyboard's frame into words: its name, cost and source. */
  private announce(): void {
    if (!this.tree) return;
    const details = describeFrame(this.tree, this.cursor, this.unit);
    this.announcer.textContent = `${details.name}: total ${details.total}, self ${details.self}${details.location ? `, ${details.location}` : ''}`;
  }

  /** Coalesces resize bursts (dragging a sash) into one redraw per frame. */
  private scheduleResize(): void {
    if (this.resizeScheduled) return;
    this.resizeScheduled = true;
    requestAnimationFrame(() => {
      this.resizeScheduled = false;
      const width = this.container.clientWidth;
      // A hidden webview measures 0 wide; keep the last drawing until it is visible again.
      if (!this.chart || width === 0 || width === this.width) return;
      this.width = width;
      this.chart.width(width).update();
      this.colourLabels();
    });
  }

  private themeChanged(): void {
    this.palette = FramePalette.fromDocument();
    this.chart?.update();
    this.colourLabels();
  }
}
