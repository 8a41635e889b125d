import type { FlameGraphNode, FlameGraphTooltip } from 'd3-flame-graph';
import type { FrameDatum } from './callTreeHierarchy';
import type { FrameDetails } from './frameDetails';

/** Distance between the pointer and the tooltip, so the pointer never covers its text. */
const POINTER_GAP = 14;
/** Space kept free between the tooltip and the viewport's edges. */
const EDGE_MARGIN = 6;

/**
 * The hover card for frames. It is ours rather than d3-flame-graph's default tooltip because that one is
 * filled through `.html()` (profile strings are untrusted); every field here is set with textContent. Handing
 * it to d3-flame-graph as its tooltip also keeps d3-flame-graph from adding `<title>` elements, so exactly one
 * tooltip appears.
 */
/** Tooltips made so far: each view has its own, with an id of its own. */
let tooltips = 0;

export class FrameTooltip {
  readonly element: HTMLElement;
  private readonly name: HTMLElement;
  private readonly location: HTMLElement;
  private readonly self: HTMLElement;
  private readonly total: HTMLElement;
  private readonly samples: HTMLElement;

  constructor(private readonly describe: (index: number) => FrameDetails) {
    this.element = element('div', 'icicle-tooltip');
    this.element.setAttribute('role', 'tooltip');
    this.element.id = `icicle-tooltip-${++tooltips}`;
    this.element.hidden = true;
    this.name = this.element.appendChild(element('div', 'icicle-tooltip-name'));
    this.location = this.element.appendChild(element('div', 'icicle-tooltip-location'));
    const list = this.element.appendChild(element('dl', 'icicle-tooltip-values'));
    this.self = addRow(list, 'Self');
    this.total = addRow(list, 'Total');
    this.samples = addRow(list, 'Samples');
  }

  show(event: MouseEvent, index: number): void {
    const details = this.describe(index);
    this.name.textContent = details.name;
    this.location.textContent = details.location ?? '';
    this.location.hidden = details.location === undefined;
    this.self.textContent = details.self;
    this.total.textContent = details.total;
    this.samples.textContent = details.samples;
    this.element.hidden = false;
    this.moveTo(event);
  }

  hide(): void {
    this.element.hidden = true;
  }

  /** Follows the pointer, flipping to the other side of it near the right and bottom edges. */
  moveTo(event: MouseEvent): void {
    if (this.element.hidden) return;
    const width = this.element.offsetWidth;
    const height = this.element.offsetHeight;
    let left = event.clientX + POINTER_GAP;
    if (left + width > window.innerWidth - EDGE_MARGIN) left = event.clientX - POINTER_GAP - width;
    let top = event.clientY + POINTER_GAP;
    if (top + height > window.innerHeight - EDGE_MARGIN) top = event.clientY - POINTER_GAP - height;
    left = Math.max(EDGE_MARGIN, Math.min(left, window.innerWidth - width - EDGE_MARGIN));
    top = Math.max(EDGE_MARGIN, Math.min(top, window.innerHeight - height - EDGE_MARGIN));
    // Positions go through the CSSOM, which the page's CSP allows; a style attribute would be refused.
    this.element.style.left = `${Math.round(left)}px`;
    this.element.style.top = `${Math.round(top)}px`;
  }

  /** The adapter d3-flame-graph calls on mouseover and mouseout of a frame, and on zoom. */
  forFlameGraph(): FlameGraphTooltip<FrameDatum> {
    const adapter = (() => undefined) as unknown as FlameGraphTooltip<FrameDatum>;
    adapter.show = (event: MouseEvent, node: FlameGraphNode<FrameDatum>) => this.show(event, node.data.index);
    adapter.hide = () => this.hide();
    return adapter;
  }
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className: string): HTMLElementTagNameMap[K] {
  const created = document.createElement(tag);
  created.className = className;
  return created;
}

function addRow(list: HTMLElement, label: string): HTMLElement {
  list.appendChild(element('dt', 'icicle-tooltip-label')).textContent = label;
  return list.appendChild(element('dd', 'icicle-tooltip-value'));
}
