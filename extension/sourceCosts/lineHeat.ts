import * as vscode from 'vscode';
import type { LineCostsRequest, LineHeat as LineHeatEntry } from '../../common/protocol/languageServerProtocol';

export const TOGGLE_LINE_HEAT_COMMAND = 'icicle.toggleLineHeat';
const LEVELS = 5;

/** A gutter bar as an SVG data URI: longer and stronger for hotter lines. */
function gutterBar(level: number): vscode.Uri {
  const width = 3 + level * 2;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16"><rect x="${16 - width}" y="1" width="${width}" height="14" fill="#f48771" fill-opacity="${0.35 + level * 0.15}"/></svg>`;
  return vscode.Uri.parse(`data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`);
}

/**
 * Per-line heat in the editor: a gutter bar and a faint line background, in five steps of the line's share relative
 * to the file's hottest line, and a mark in the overview ruler. Toggled by a command; when on, it follows the
 * visible editors, their edits and new costs. Line costs come from the language server (`icicle/lineCosts`).
 */
export class LineHeat implements vscode.Disposable {
  private enabled = false;
  private readonly levels: vscode.TextEditorDecorationType[];
  private readonly disposables: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly lineCosts: (uri: string) => Promise<LineCostsRequest.Result | undefined>) {
    this.levels = Array.from({ length: LEVELS }, (_, level) =>
      vscode.window.createTextEditorDecorationType({
        isWholeLine: true,
        backgroundColor: `rgba(244, 135, 113, ${(0.04 + level * 0.05).toFixed(2)})`,
        gutterIconPath: gutterBar(level),
        gutterIconSize: 'contain',
        overviewRulerColor: level >= 2 ? `rgba(244, 135, 113, ${(0.4 + level * 0.15).toFixed(2)})` : undefined,
        overviewRulerLane: vscode.OverviewRulerLane.Right,
      }),
    );
    this.disposables.push(
      vscode.window.onDidChangeVisibleTextEditors(() => this.schedule(0)),
      vscode.workspace.onDidChangeTextDocument(event => {
        if (vscode.window.visibleTextEditors.some(e => e.document === event.document)) this.schedule(300);
      }),
    );
  }

  get isEnabled(): boolean {
    return this.enabled;
  }

  toggle(): void {
    this.enabled = !this.enabled;
    void vscode.window.setStatusBarMessage(`Icicle: line heat ${this.enabled ? 'on' : 'off'}`, 2000);
    if (this.enabled) this.schedule(0);
    else for (const editor of vscode.window.visibleTextEditors) this.levels.forEach(level => editor.setDecorations(level, []));
  }

  /** New costs: redraw if shown. */
  costsChanged(): void {
    if (this.enabled) this.schedule(0);
  }

  /** For tests: the decorated lines of a document by level, as last drawn. */
  readonly drawn = new Map<string, number[][]>();

  private schedule(delayMillis: number): void {
    if (!this.enabled) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.draw(), delayMillis);
  }

  private async draw(): Promise<void> {
    for (const editor of vscode.window.visibleTextEditors) {
      if (editor.document.uri.scheme !== 'file') continue;
      const answer = await this.lineCosts(editor.document.uri.toString()).catch(() => undefined);
      if (!this.enabled) return;
      const byLevel = this.levels.map(() => [] as vscode.DecorationOptions[]);
      const drawnLines = this.levels.map(() => [] as number[]);
      for (const heat of answer?.lines ?? []) {
        const level = levelOf(heat, answer!.maxShare);
        if (level < 0 || heat.line >= editor.document.lineCount) continue;
        byLevel[level]!.push({ range: new vscode.Range(heat.line, 0, heat.line, 0), hoverMessage: describe(heat) });
        drawnLines[level]!.push(heat.line);
      }
      this.levels.forEach((level, i) => editor.setDecorations(level, byLevel[i]!));
      this.drawn.set(editor.document.uri.toString(), drawnLines);
    }
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.levels.forEach(level => level.dispose());
    this.disposables.forEach(d => d.dispose());
  }
}

/** 0..4 by the line's share of the file's hottest line; lines under 2% of it are not marked. */
function levelOf(heat: LineHeatEntry, maxShare: number): number {
  if (maxShare <= 0) return -1;
  const relative = heat.share / maxShare;
  if (relative < 0.02) return -1;
  return Math.min(LEVELS - 1, Math.floor(relative * LEVELS));
}

function describe(heat: LineHeatEntry): string {
  const percent = 100 * heat.share;
  return `Icicle: ${percent > 0 && percent < 0.1 ? '<0.1' : percent.toFixed(1)}% of the selection's time runs through this line${heat.stale ? ' (edited since it was profiled)' : ''}`;
}
