import type { ProfileSummary } from '../common/callTree';
import { formatCount, formatMicros, formatSamples } from '../common/valueFormat';
import { Toolbar, type Tab } from './toolbar';

/**
 * The page's fixed skeleton: a header line (title, figures, toolbar), a message line for loading and errors,
 * and the chart container. Built with DOM calls and textContent only: titles and messages come from profiles
 * and files, and are never parsed as HTML.
 */
export class PageLayout {
  readonly chart: HTMLElement;
  /** The path from the root to the zoomed frame, each step a button that zooms there. */
  readonly breadcrumbs: HTMLElement;
  /** Where the function table goes; hidden while the graph is shown. */
  readonly tableHost: HTMLElement;
  /** The sandwich view: a caption and two charts, the callers above the callees. */
  readonly sandwichHost: HTMLElement;
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
    this.chart = append(app, 'div', 'icicle-chart');
    this.chart.setAttribute('role', 'tabpanel');
    this.tableHost = append(app, 'div', 'icicle-table-host');
    this.tableHost.setAttribute('role', 'tabpanel');
    this.tableHost.hidden = true;
    this.sandwichHost = append(app, 'div', 'icicle-sandwich');
    this.sandwichHost.setAttribute('role', 'tabpanel');
    this.sandwichHost.hidden = true;
    this.sandwichCaption = append(this.sandwichHost, 'div', 'icicle-sandwich-caption');
    const callersLabel = append(this.sandwichHost, 'div', 'icicle-sandwich-label');
    callersLabel.textContent = 'Callers';
    this.callersChart = append(this.sandwichHost, 'div', 'icicle-sandwich-chart icicle-callers');
    const calleesLabel = append(this.sandwichHost, 'div', 'icicle-sandwich-label');
    calleesLabel.textContent = 'Callees';
    this.calleesChart = append(this.sandwichHost, 'div', 'icicle-sandwich-chart icicle-callees');
  }

  showTab(tab: Tab): void {
    this.chart.hidden = tab !== 'graph';
    if (tab !== 'graph') this.breadcrumbs.hidden = true;
    else this.breadcrumbs.hidden = this.breadcrumbs.childElementCount === 0;
    this.tableHost.hidden = tab !== 'table';
    this.sandwichHost.hidden = tab !== 'sandwich';
    this.toolbar.showTab(tab);
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
    this.breadcrumbs.hidden = names.length === 0 || this.chart.hidden;
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
