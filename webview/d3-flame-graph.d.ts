// d3-flame-graph 5 ships no type declarations. This declares only the part of its API that the webview uses,
// so that a call outside it fails to compile instead of silently becoming `any`.
declare module 'd3-flame-graph' {
  import type { Selection } from 'd3-selection';

  /** A node of the d3 partition layout that d3-flame-graph builds from the nested data it is given. */
  export interface FlameGraphNode<Datum> {
    data: Datum;
    depth: number;
    /** Horizontal extent in [0, 1] of the zoomed root's width. */
    x0: number;
    x1: number;
    value: number;
    parent: FlameGraphNode<Datum> | null;
    children?: FlameGraphNode<Datum>[];
    descendants(): FlameGraphNode<Datum>[];
  }

  /**
   * A tooltip as d3-flame-graph drives it: called once with the svg selection, then told to show and hide.
   * Setting one also stops d3-flame-graph from adding its own `<title>` elements.
   */
  export interface FlameGraphTooltip<Datum> {
    (selection: unknown): void;
    show(event: MouseEvent, node: FlameGraphNode<Datum>): void;
    hide(): void;
    destroy?(): void;
  }

  export interface FlameGraph<Datum> {
    (selection: Selection<HTMLElement, Datum>): void;
    width(pixels: number): this;
    cellHeight(pixels: number): this;
    minHeight(pixels: number): this;
    /** The drawing's height; 0 measures it again on the next update (from the deepest frame drawn). */
    height(pixels: number): this;
    transitionDuration(milliseconds: number): this;
    inverted(inverted: boolean): this;
    minFrameSize(pixels: number): this;
    selfValue(selfValue: boolean): this;
    sort(sort: boolean): this;
    /** Differential mode: each node's `delta` becomes its own plus its children's. */
    computeDelta(compute: boolean): this;
    tooltip(tooltip: FlameGraphTooltip<Datum>): this;
    setColorMapper(mapper: (node: FlameGraphNode<Datum>, originalColor: string) => string): this;
    setSearchMatch(match: (node: FlameGraphNode<Datum>, term: string, ignoreCase?: boolean) => boolean): this;
    onClick(handler: (node: FlameGraphNode<Datum>) => void): this;
    /** Draws again; with `data`, draws that hierarchy instead of the last one. */
    update(data?: Datum): this;
    zoomTo(node: FlameGraphNode<Datum>): void;
    resetZoom(): void;
    destroy(): this;
  }

  export default function flamegraph<Datum>(): FlameGraph<Datum>;

  /** d3-flame-graph's colour mappers; the differential one colours by `delta`: red more, blue less. */
  export const colorMapper: {
    differentialColorMapper(node: FlameGraphNode<unknown>, originalColor: string): string;
  };
}
