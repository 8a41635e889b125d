import { DEFAULT_TAB, TAB_IDS, TABS, type Tab } from './tabs';
import type { Orientation } from './viewState';

/**
 * The buttons above the graph: a button per tab (webview/tabs.ts), the search, and the graph's controls. Their
 * labels say what a press does, so the orientation button names the orientation it switches to; screen readers
 * get the same words plus the effect.
 */

export interface ToolbarHandlers {
  resetZoom(): void;
  toggleOrientation(): void;
  /** The search text changed ('' when cleared). */
  search(term: string): void;
  showTab(tab: Tab): void;
  toggleColourBy(): void;
}

export class Toolbar {
  readonly element: HTMLElement;
  private readonly resetButton: HTMLButtonElement;
  private readonly orientationButton: HTMLButtonElement;
  private readonly colourButton: HTMLButtonElement;
  private readonly searchInput: HTMLInputElement;
  private readonly searchSummary: HTMLElement;
  private readonly tabs = new Map<Tab, HTMLButtonElement>();

  constructor(handlers: ToolbarHandlers) {
    this.element = document.createElement('div');
    this.element.className = 'icicle-toolbar';
    this.element.setAttribute('role', 'toolbar');
    this.element.setAttribute('aria-label', 'Flame graph');
    const tabList = document.createElement('div');
    tabList.className = 'icicle-tabs';
    tabList.setAttribute('role', 'tablist');
    tabList.setAttribute('aria-label', 'View');
    for (const tab of TAB_IDS) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'icicle-tab';
      button.setAttribute('role', 'tab');
      button.dataset['tab'] = tab;
      button.textContent = TABS[tab].label;
      button.addEventListener('click', () => handlers.showTab(tab));
      tabList.appendChild(button);
      this.tabs.set(tab, button);
    }
    this.element.appendChild(tabList);
    this.searchInput = document.createElement('input');
    this.searchInput.type = 'search';
    this.searchInput.className = 'icicle-search';
    this.searchInput.placeholder = 'Search';
    this.searchInput.setAttribute('aria-label', 'Search functions by name');
    this.searchInput.addEventListener('input', () => handlers.search(this.searchInput.value));
    this.searchInput.addEventListener('keydown', event => {
      if (event.key === 'Escape' && this.searchInput.value !== '') {
        this.searchInput.value = '';
        handlers.search('');
        event.stopPropagation();
      }
    });
    this.element.appendChild(this.searchInput);
    this.searchSummary = document.createElement('span');
    this.searchSummary.className = 'icicle-search-summary';
    this.searchSummary.setAttribute('aria-live', 'polite');
    this.element.appendChild(this.searchSummary);
    this.showTab(DEFAULT_TAB);
    this.resetButton = this.addButton('Reset zoom', handlers.resetZoom);
    this.resetButton.classList.add('icicle-reset-zoom');
    this.colourButton = this.addButton('Colour by source', handlers.toggleColourBy);
    this.colourButton.classList.add('icicle-colour-by');
    this.colourButton.title = 'Colour frames by package or file instead of by kind of code';
    this.colourButton.setAttribute('aria-pressed', 'false');
    this.orientationButton = this.addButton('', handlers.toggleOrientation);
    this.orientationButton.classList.add('icicle-orientation');
    this.showOrientation('icicle');
    this.setEnabled(false);
  }

  /** Buttons stay disabled until there is a graph for them to act on. */
  setEnabled(enabled: boolean): void {
    this.orientationButton.disabled = !enabled;
    this.colourButton.disabled = !enabled;
    this.searchInput.disabled = !enabled;
    if (!enabled) this.resetButton.disabled = true;
  }

  showTab(current: Tab): void {
    for (const [tab, button] of this.tabs) {
      button.setAttribute('aria-selected', String(tab === current));
      button.tabIndex = tab === current ? 0 : -1;
    }
  }

  /** What the search or the selected function matches, e.g. "3 functions · 42.1% of the total"; '' hides it. */
  showSearchSummary(text: string): void {
    this.searchSummary.textContent = text;
  }

  setSearchText(text: string): void {
    this.searchInput.value = text;
  }

  setZoomed(zoomed: boolean): void {
    this.resetButton.disabled = !zoomed;
  }

  /** Whether frames are coloured by their package or file (pressed) rather than by kind of code. */
  showColourBySource(bySource: boolean): void {
    this.colourButton.setAttribute('aria-pressed', String(bySource));
  }

  showOrientation(current: Orientation): void {
    const next = current === 'icicle' ? 'flame' : 'icicle';
    this.orientationButton.textContent = next === 'flame' ? 'Flame graph' : 'Icicle graph';
    this.orientationButton.dataset['orientation'] = current;
    this.orientationButton.setAttribute(
      'aria-label',
      next === 'flame' ? 'Show as flame graph, roots at the bottom' : 'Show as icicle graph, roots at the top',
    );
    this.orientationButton.title = this.orientationButton.getAttribute('aria-label') ?? '';
  }

  private addButton(label: string, onPress: () => void): HTMLButtonElement {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'icicle-button';
    button.textContent = label;
    button.addEventListener('click', () => onPress());
    this.element.appendChild(button);
    return button;
  }
}
