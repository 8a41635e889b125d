/**
 * Where the lines of a document as it was profiled are now, while the user edits it. Starts from the text the
 * document had when the server first saw it (assumed to be what ran) and follows each incremental change: lines
 * after an edit move by the lines it added or removed; lines it touched are marked edited, and lines it removed are
 * gone. An insertion at the very start of a line (a new line typed above it) moves that line without editing it.
 */
export interface TextChange {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  text: string;
}

const GONE = -1;

export class LineTracker {
  /** Current 0-based line of each original line, or GONE. */
  private readonly currentOf: Int32Array;
  private readonly editedOf: Uint8Array;
  private changed = false;

  constructor(lineCount: number) {
    this.currentOf = Int32Array.from({ length: lineCount }, (_, i) => i);
    this.editedOf = new Uint8Array(lineCount);
  }

  get lineCount(): number {
    return this.currentOf.length;
  }

  /** Whether any change was applied since the document was first seen. */
  get hasChanges(): boolean {
    return this.changed;
  }

  apply(change: TextChange): void {
    const { start, end } = change.range;
    let added = 0;
    for (let i = 0; i < change.text.length; i++) if (change.text.charCodeAt(i) === 10) added++;
    const removed = end.line - start.line;
    const shift = added - removed;
    if (shift === 0 && start.line === end.line && start.character === end.character && change.text === '') return;
    this.changed = true;
    // Typing new lines at the start of a line pushes it down untouched.
    const insertionBefore = start.line === end.line && start.character === 0 && end.character === 0 && change.text.endsWith('\n');
    for (let original = 0; original < this.currentOf.length; original++) {
      const current = this.currentOf[original]!;
      if (current === GONE || current < start.line) continue;
      if (current > end.line || (insertionBefore && current === start.line)) {
        this.currentOf[original] = current + shift;
      } else if (current === start.line) {
        this.editedOf[original] = 1;
      } else {
        // Inside a replaced range: its text was removed (what follows the range joins the edited start line).
        this.currentOf[original] = GONE;
      }
    }
  }

  /** The 0-based line where original line `original` (0-based) is now, or undefined when it was removed. */
  current(original: number): number | undefined {
    const line = this.currentOf[original];
    return line === undefined || line === GONE ? undefined : line;
  }

  /** Whether original line `original` was edited or removed since the document was first seen. */
  edited(original: number): boolean {
    return this.currentOf[original] === GONE || this.editedOf[original] === 1;
  }

  /** Whether any original line in [from, to] (0-based, inclusive) was edited or removed. */
  editedBetween(from: number, to: number): boolean {
    for (let line = Math.max(0, from); line <= to && line < this.currentOf.length; line++) if (this.edited(line)) return true;
    return false;
  }
}
