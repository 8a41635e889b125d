import type { ProfileTypeChoice } from '../common/viewQuery';
import { applyCompletion, completionContext, filterCompletions, type CompletionContext } from './selectorCompletion';

export interface SelectionBarHandlers {
  /** Show this selector (text as typed; the agent parses it and says what is wrong with it). */
  apply(selector: string): void;
  chooseType(profileType: string): void;
  /** Show the samples of this dataset folder (one of `icicle.sources`), or the workspace's store (undefined). */
  chooseSource(source: string | undefined): void;
  copy(selector: string): void;
  /** The label keys (no key) or one key's values (only those starting with `prefix`, when given), for completion. */
  complete(key: string | undefined, prefix?: string): Promise<{ items: string[]; truncated: boolean }>;
}

let nextId = 0;

/** Answers for values kept per view: typing asks once per character while a key has more values than one answer. */
const CACHED_VALUE_ANSWERS = 64;

/**
 * The line above the views that says what they show and lets the user change it: a label selector with completion
 * of keys and values from the store (a combobox in the ARIA pattern: ↓/↑ pick, Enter completes or applies, Escape
 * closes the list or reverts the text), the profile type, and a button that copies the selector to share it.
 */
export class SelectionBar {
  readonly element: HTMLElement;
  private readonly input: HTMLInputElement;
  private readonly list: HTMLUListElement;
  private readonly typePicker: HTMLSelectElement;
  private readonly sourcePicker: HTMLSelectElement;
  /** The datasets of `icicle.sources`, and the source shown (undefined: the store). */
  private sources: readonly string[] = [];
  private source: string | undefined;
  private readonly copyButton: HTMLButtonElement;
  private applied = '';
  private options: string[] = [];
  private active = -1;
  private context: CompletionContext = { kind: 'none' };
  private names: Promise<{ items: string[]; truncated: boolean }> | undefined;
  /** Per key and typed prefix ('' for the key's first values). */
  private readonly values = new Map<string, Promise<{ items: string[]; truncated: boolean }>>();
  /** Completion answers can arrive out of order; only the latest request's are shown. */
  private generation = 0;

  constructor(private readonly handlers: SelectionBarHandlers) {
    this.element = document.createElement('div');
    this.element.className = 'icicle-selection';
    // Where the samples come from: shown only while datasets are configured (or a dataset's are shown).
    this.sourcePicker = this.element.appendChild(document.createElement('select'));
    this.sourcePicker.className = 'icicle-source-picker';
    this.sourcePicker.setAttribute('aria-label', 'Source');
    this.sourcePicker.title = "Where the samples come from: this workspace's store, or a dataset of icicle.sources (read only)";
    this.sourcePicker.hidden = true;
    this.sourcePicker.addEventListener('change', () => {
      const index = this.sourcePicker.selectedIndex;
      handlers.chooseSource(index <= 0 ? undefined : this.sourceChoices()[index - 1]);
    });
    const label = this.element.appendChild(document.createElement('label'));
    label.className = 'icicle-selection-label';
    label.textContent = 'Selection';
    const listId = `icicle-selection-options-${nextId++}`;
    label.htmlFor = `${listId}-input`;
    const box = this.element.appendChild(document.createElement('div'));
    box.className = 'icicle-selection-box';
    this.input = box.appendChild(document.createElement('input'));
    this.input.id = `${listId}-input`;
    this.input.className = 'icicle-selector';
    this.input.type = 'text';
    this.input.spellcheck = false;
    this.input.autocomplete = 'off';
    this.input.placeholder = '{branch="main", runtime="node"}';
    this.input.setAttribute('role', 'combobox');
    this.input.setAttribute('aria-autocomplete', 'list');
    this.input.setAttribute('aria-expanded', 'false');
    this.input.setAttribute('aria-controls', listId);
    this.input.title = 'Label selector: Enter shows it, ↓ lists label names and values';
    this.list = box.appendChild(document.createElement('ul'));
    this.list.id = listId;
    this.list.className = 'icicle-selection-options';
    this.list.setAttribute('role', 'listbox');
    this.list.setAttribute('aria-label', 'Completions');
    this.list.hidden = true;
    this.input.addEventListener('input', () => void this.suggest());
    this.input.addEventListener('click', () => void this.suggest());
    this.input.addEventListener('keydown', event => this.onKey(event));
    this.input.addEventListener('blur', () => this.close());
    // A press on an option must not blur the input first (that would close the list before the click lands).
    this.list.addEventListener('mousedown', event => event.preventDefault());

    this.typePicker = this.element.appendChild(document.createElement('select'));
    this.typePicker.className = 'icicle-type-picker';
    this.typePicker.setAttribute('aria-label', 'Profile type');
    this.typePicker.addEventListener('change', () => handlers.chooseType(this.typePicker.value));
    this.copyButton = this.element.appendChild(document.createElement('button'));
    this.copyButton.type = 'button';
    this.copyButton.className = 'icicle-button icicle-copy-selection';
    this.copyButton.textContent = 'Copy selection';
    this.copyButton.title = 'Copy the selector, to share this selection or paste it into `icicle top --where`';
    this.copyButton.addEventListener('click', () => handlers.copy(this.applied));
  }

  /** The datasets of `icicle.sources` the source picker offers beside the store. */
  showSources(folders: readonly string[]): void {
    this.sources = folders;
    this.drawSources();
  }

  /** Shows what the views show now; text the user is still editing is kept unless it was applied. */
  show(selector: string, profileType: string | undefined, types: readonly ProfileTypeChoice[], source?: string): void {
    this.source = source;
    this.drawSources();
    if (document.activeElement !== this.input || this.input.value === this.applied) this.input.value = selector;
    this.applied = selector;
    this.typePicker.replaceChildren(
      ...types.map(type => {
        const option = document.createElement('option');
        option.value = type.id;
        option.textContent = type.label;
        option.title = type.id;
        return option;
      }),
    );
    if (profileType !== undefined) this.typePicker.value = profileType;
    this.typePicker.disabled = types.length < 2;
  }

  /** The configured datasets, and the one shown when it is no longer configured (it is still what the views show). */
  private sourceChoices(): string[] {
    return this.source === undefined || this.sources.includes(this.source) ? [...this.sources] : [...this.sources, this.source];
  }

  private drawSources(): void {
    const choices = this.sourceChoices();
    const option = (text: string, title: string) => {
      const element = document.createElement('option');
      // Folder names are the user's settings' text: text only, never markup.
      element.textContent = text;
      element.title = title;
      return element;
    };
    this.sourcePicker.replaceChildren(
      option('Workspace store', "This workspace's store"),
      ...choices.map(folder => option(`dataset ${datasetName(folder)}${this.sources.includes(folder) ? '' : ' (no longer in icicle.sources)'}`, folder)),
    );
    this.sourcePicker.selectedIndex = this.source === undefined ? 0 : choices.indexOf(this.source) + 1;
    this.sourcePicker.hidden = choices.length === 0;
  }

  /** The cached answers are dropped: new samples may bring new labels. */
  forgetCompletions(): void {
    this.names = undefined;
    this.values.clear();
  }

  private async suggest(): Promise<void> {
    const generation = ++this.generation;
    const context = completionContext(this.input.value, this.input.selectionStart ?? this.input.value.length);
    if (context.kind === 'none') {
      this.close();
      return;
    }
    let answer: { items: string[]; truncated: boolean };
    try {
      if (context.kind === 'key') answer = await (this.names ??= this.handlers.complete(undefined));
      else answer = await this.valuesFor(context.key, context.prefix);
    } catch {
      this.close();
      return;
    }
    if (generation !== this.generation || document.activeElement !== this.input) return;
    this.context = context;
    this.open(filterCompletions(answer.items, context.prefix));
  }

  /**
   * A key's values to complete `prefix` from. The first answer holds the key's first 1,000 values; when it has more
   * (a request id per sample) and something is typed, the values starting with it are asked for as well, because
   * the first 1,000 rarely hold them. Both are kept, so matches of another case or in the middle still show.
   */
  private async valuesFor(key: string, prefix: string): Promise<{ items: string[]; truncated: boolean }> {
    const first = await this.cachedValues(key, '');
    if (!first.truncated || prefix === '') return first;
    const typed = await this.cachedValues(key, prefix);
    return { items: [...new Set([...typed.items, ...first.items])], truncated: typed.truncated };
  }

  private cachedValues(key: string, prefix: string): Promise<{ items: string[]; truncated: boolean }> {
    const name = `${key}\u0000${prefix}`;
    let answer = this.values.get(name);
    if (!answer) {
      answer = this.handlers.complete(key, prefix === '' ? undefined : prefix);
      this.values.set(name, answer);
      if (this.values.size > CACHED_VALUE_ANSWERS) this.values.delete(this.values.keys().next().value!);
    }
    return answer;
  }

  private open(items: string[]): void {
    this.options = items;
    this.active = -1;
    this.list.replaceChildren(
      ...items.map((item, index) => {
        const option = document.createElement('li');
        option.id = `${this.list.id}-${index}`;
        option.className = 'icicle-selection-option';
        option.setAttribute('role', 'option');
        option.setAttribute('aria-selected', 'false');
        // Label values come from profiles: text only, never markup. Control characters are shown as escapes.
        option.textContent = item === '' ? '(empty)' : JSON.stringify(item).slice(1, -1);
        option.addEventListener('click', () => this.accept(index));
        return option;
      }),
    );
    this.list.hidden = items.length === 0;
    this.input.setAttribute('aria-expanded', String(items.length > 0));
    this.input.removeAttribute('aria-activedescendant');
  }

  private close(): void {
    this.generation++;
    this.list.hidden = true;
    this.options = [];
    this.active = -1;
    this.input.setAttribute('aria-expanded', 'false');
    this.input.removeAttribute('aria-activedescendant');
  }

  private highlight(index: number): void {
    const options = this.list.children;
    if (this.active >= 0) options[this.active]?.setAttribute('aria-selected', 'false');
    this.active = index;
    const option = options[index] as HTMLElement | undefined;
    if (!option) return;
    option.setAttribute('aria-selected', 'true');
    option.scrollIntoView({ block: 'nearest' });
    this.input.setAttribute('aria-activedescendant', option.id);
  }

  private accept(index: number): void {
    const item = this.options[index];
    if (item === undefined || this.context.kind === 'none') return;
    const { text, cursor } = applyCompletion(this.input.value, this.context, item);
    this.input.value = text;
    this.input.setSelectionRange(cursor, cursor);
    this.input.focus();
    // A completed key goes straight on to its values.
    void this.suggest();
  }

  private onKey(event: KeyboardEvent): void {
    const open = !this.list.hidden && this.options.length > 0;
    switch (event.key) {
      case 'ArrowDown':
        if (open) this.highlight(Math.min(this.options.length - 1, this.active + 1));
        else void this.suggest();
        break;
      case 'ArrowUp':
        if (open) this.highlight(Math.max(0, this.active - 1));
        break;
      case 'Enter':
        if (open && this.active >= 0) this.accept(this.active);
        else {
          this.close();
          this.handlers.apply(this.input.value);
        }
        break;
      case 'Escape':
        if (open) this.close();
        else if (this.input.value !== this.applied) this.input.value = this.applied;
        else return;
        break;
      default:
        return;
    }
    event.preventDefault();
    event.stopPropagation();
  }
}

/** A dataset's name as the source picker shows it: its folder's last part (the whole folder is the option's tooltip). */
export function datasetName(folder: string): string {
  const parts = folder.split(/[\\/]+/).filter(part => part !== '');
  return parts[parts.length - 1] ?? folder;
}
