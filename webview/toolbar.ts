import type { Orientation } from './viewState';

/**
 * The buttons above the graph. Their labels say what a press does, so the orientation button names the
 * orientation it switches to; screen readers get the same words plus the effect.
 */
export class Toolbar {
  readonly element: HTMLElement;
  private readonly resetButton: HTMLButtonElement;
  private readonly orientationButton: HTMLButtonElement;

  constructor(handlers: { resetZoom(): void; toggleOrientation(): void }) {
    this.element = document.createElement('div');
    this.element.className = 'icicle-toolbar';
    this.element.setAttribute('role', 'toolbar');
    this.element.setAttribute('aria-label', 'Flame graph');
    this.resetButton = this.addButton('Reset zoom', handlers.resetZoom);
    this.resetButton.classList.add('icicle-reset-zoom');
    this.orientationButton = this.addButton('', handlers.toggleOrientation);
    this.orientationButton.classList.add('icicle-orientation');
    this.showOrientation('icicle');
    this.setEnabled(false);
  }

  /** Buttons stay disabled until there is a graph for them to act on. */
  setEnabled(enabled: boolean): void {
    this.orientationButton.disabled = !enabled;
    if (!enabled) this.resetButton.disabled = true;
  }

  setZoomed(zoomed: boolean): void {
    this.resetButton.disabled = !zoomed;
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
