import * as vscode from 'vscode';
import { fromCompareViewSchema, type ToCompareView } from '../../common/protocol/compareViewProtocol';
import type { Log } from '../log';
import { openFrameSource } from '../sourceOpener';
import { errorText } from '../userMessages';
import { setUpWebview } from '../webviewContent';

export const COMPARE_VIEW_ID = 'icicle.compare';

/**
 * The compare panel (a webview view in the panel area): the latest comparison's table of changes. It keeps the last
 * message it showed and sends it again whenever the page (re)loads, so hiding the panel loses nothing.
 */
export class ComparePanel implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private last: ToCompareView = { type: 'empty' };
  /** Compares the last comparison's two sides again in another type, for the page's type picker. */
  private again: ((profileType: string) => Promise<ToCompareView>) | undefined;
  private readonly registration: vscode.Disposable;
  /** For tests: the comparison shown now. */
  shown: ToCompareView = this.last;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: Log,
    private readonly compareBranches: () => void,
    private readonly compareSelections: () => void,
  ) {
    this.registration = vscode.window.registerWebviewViewProvider(COMPARE_VIEW_ID, this);
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    setUpWebview(view.webview, this.extensionUri, 'Icicle Compare', 'compare');
    view.webview.onDidReceiveMessage(raw => void this.onMessage(raw));
    view.onDidDispose(() => {
      if (this.view === view) this.view = undefined;
    });
  }

  /**
   * Shows a message in the panel, bringing the panel into view for results and errors. A comparison comes with
   * `again`, which compares its sides in another type when the page asks.
   */
  async show(message: ToCompareView, again?: (profileType: string) => Promise<ToCompareView>): Promise<void> {
    this.last = this.shown = message;
    if (message.type === 'comparison') this.again = again;
    if (message.type !== 'progress') await vscode.commands.executeCommand(`${COMPARE_VIEW_ID}.focus`).then(undefined, () => undefined);
    await this.view?.webview.postMessage(message);
  }

  private async onMessage(raw: unknown): Promise<void> {
    const parsed = fromCompareViewSchema.safeParse(raw);
    if (!parsed.success) {
      this.log.warn('ignored a malformed message from the compare panel');
      return;
    }
    const message = parsed.data;
    switch (message.type) {
      case 'ready':
        await this.view?.webview.postMessage(this.last);
        return;
      case 'compareBranches':
        this.compareBranches();
        return;
      case 'compareSelections':
        this.compareSelections();
        return;
      case 'chooseType': {
        const again = this.again;
        if (!again) return;
        const next = await again(message.profileType).catch((error: unknown): ToCompareView => ({ type: 'error', message: `Icicle could not compare in that type: ${errorText(error)}` }));
        await this.show(next, next.type === 'comparison' ? again : undefined);
        return;
      }
      case 'openFunction':
        await openFunction(message.name, message.file, this.log).catch(error => this.log.warn(`could not open ${message.file}: ${errorText(error)}`));
        return;
      default: {
        const unreachable: never = message;
        return unreachable;
      }
    }
  }

  dispose(): void {
    this.registration.dispose();
  }
}

/**
 * Opens a function's file as it is on the current branch (the comparison names files relative to their checkout),
 * at the function when the editor's symbols find it.
 */
async function openFunction(name: string, file: string, log: Log): Promise<void> {
  await openFrameSource(file, 0, 0, log);
  const editor = vscode.window.activeTextEditor;
  if (!editor) return;
  const symbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[] | undefined>('vscode.executeDocumentSymbolProvider', editor.document.uri);
  const short = name.split('.').pop() ?? name;
  const stack = [...(symbols ?? [])];
  while (stack.length > 0) {
    const symbol = stack.shift()!;
    if (symbol.name === name || symbol.name === short) {
      editor.selection = new vscode.Selection(symbol.selectionRange.start, symbol.selectionRange.start);
      editor.revealRange(symbol.range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
      return;
    }
    stack.push(...(symbol.children ?? []));
  }
}
