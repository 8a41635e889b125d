import type { ProfileSummary } from '../common/callTree';
import { formatCount, formatMicros, formatSamples } from '../common/valueFormat';
import { byTab, DEFAULT_TAB, TAB_IDS, TABS, type Tab } from './tabs';
import { Toolbar } from './toolbar';

/**
 * The page's fixed skeleton: a header line (title, figures, toolbar), a message line for loading and errors,
 * and a panel per tab (webview/tabs.ts), only the chosen one shown. Built with DOM calls and textContent only:
 * titles and messages come from profiles and files, and are never parsed as HTML.
 */
export class PageLayout {
  /** Each tab's panel, in declaration order, with the class its declaration gives. */
  readonly panels: Record<Tab, HTMLElement>;
  /** The path from the root to the zoomed frame, each step a button that zooms there. */
  readonly breadcrumbs: HTMLElement;
  /** Inside the sandwich's panel: a caption and two charts, the callers above the callees. */
  readonly sandwichCaption: HTMLElement;
  readonly callersChart: HTMLElement;
  readonly calleesChart: HTMLElement;
  readonly toolbar: Toolbar;
  /** The selection bar (selector, profile type) and the timeline, between the header and the views. */
  readonly selectionHost: HTMLElement;
  readonly timelineHost: HTMLElement;
  private readonly title: HTMLElement;
  private readonly stats: HTMLElement;
  private readonly status: HTMLElement;
  private readonly error: HTMLElement;
  private readonly errorTitle: HTMLElement;
  private readonly errorText: HTMLElement;
  private shownTab: Tab = DEFAULT_TAB;

  constructor(app: HTMLElement, toolbarHandlers: ConstructorParameters<typeof Toolbar>[0]) {
    const header = append(app, 'header', 'icicle-header');
    this.title = append(header, 'h1', 'icicle-title');
    this.stats = append(header, 'span', 'icicle-stats');
    this.toolbar = new Toolbar(toolbarHandlers);
    header.appendChild(this.toolbar.element);

    this.selectionHost = append(app, 'div', 'icicle-selection-host');
    this.timelineHost = append(app, 'div', 'icicle-timeline-host');
    this.status = append(app, 'div', 'icicle-status');
    this.status.hidden = true;
    this.error = append(app, 'div', 'icicle-error');
    this.error.setAttribute('role', 'alert');
    this.error.hidden = true;
    this.errorTitle = append(this.error, 'strong', 'icicle-error-title');
    this.errorText = append(this.error, 'span', 'icicle-error-text');

    this.breadcrumbs = append(app, 'nav', 'icicle-breadcrumbs');
    this.breadcrumbs.setAttribute('aria-label', 'Zoomed to');
    this.breadcrumbs.hidden = true;
    this.panels = byTab(tab => {
      const panel = append(app, 'div', TABS[tab].panelClass);
      panel.setAttribute('role', 'tabpanel');
      if (tab !== DEFAULT_TAB) panel.hidden = true;
      return panel;
    });
    const sandwich = this.panels.sandwich;
    this.sandwichCaption = append(sandwich, 'div', 'icicle-sandwich-caption');
    const callersLabel = append(sandwich, 'div', 'icicle-sandwich-label');
    callersLabel.textContent = 'Callers';
    this.callersChart = append(sandwich, 'div', 'icicle-sandwich-chart icicle-callers');
    const calleesLabel = append(sandwich, 'div', 'icicle-sandwich-label');
    calleesLabel.textContent = 'Callees';
    this.calleesChart = append(sandwich, 'div', 'icicle-sandwich-chart icicle-callees');
  }

  showTab(current: Tab): void {
    this.shownTab = current;
    for (const tab of TAB_IDS) this.panels[tab].hidden = tab !== current;
    this.breadcrumbs.hidden = !TABS[current].showsZoomPath || this.breadcrumbs.childElementCount === 0;
    this.toolbar.showTab(current);
  }

  /** Shows the zoom path (names from the root to the zoomed frame, `go(i)` zooming to step i); empty hides it. */
  showBreadcrumbs(names: string[], go: (step: number) => void): void {
    this.breadcrumbs.replaceChildren();
    names.forEach((name, step) => {
      if (step > 0) append(this.breadcrumbs, 'span', 'icicle-crumb-separator').textContent = '›';
      if (step === names.length - 1) {
        const current = append(this.breadcrumbs, 'span', 'icicle-crumb icicle-crumb-current');
        current.textContent = name;
        current.setAttribute('aria-current', 'location');
        return;
      }
      const button = append(this.breadcrumbs, 'button', 'icicle-crumb');
      button.type = 'button';
      button.textContent = name;
      button.addEventListener('click', () => go(step));
    });
    this.breadcrumbs.hidden = names.length === 0 || !TABS[this.shownTab].showsZoomPath;
  }

  showTitle(title: string): void {
    this.title.textContent = title;
    this.stats.textContent = '';
  }

  showSummary(title: string, summary: ProfileSummary, total: string): void {
    this.title.textContent = title;
    this.stats.textContent = [
      total,
      formatSamples(summary.sampleCount),
      `over ${formatMicros(summary.durationMicros)}`,
      `${formatCount(summary.nodeCount)} ${summary.nodeCount === 1 ? 'node' : 'nodes'}`,
    ].join(' · ');
  }

  /** A transient state ("Loading …"); undefined clears it. */
  showStatus(text: string | undefined): void {
    this.status.textContent = text ?? '';
    this.status.hidden = text === undefined;
  }

  showError(title: string, message: string): void {
    this.errorTitle.textContent = title;
    this.errorText.textContent = message;
    this.error.hidden = false;
  }

  clearError(): void {
    this.error.hidden = true;
    this.errorTitle.textContent = '';
    this.errorText.textContent = '';
  }
}

function append<K extends keyof HTMLElementTagNameMap>(
  parent: HTMLElement,
  tag: K,
  className: string,
): HTMLElementTagNameMap[K] {
  const created = document.createElement(tag);
  created.className = className;
  return parent.appendChild(created);
}
