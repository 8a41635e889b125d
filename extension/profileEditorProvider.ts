import * as vscode from 'vscode';
import { FlameGraphPanel, type FlameGraphPanelServices } from './flameGraphPanel';

/**
 * The custom editor for `*.cpuprofile`: opening such a file shows its flame graph. It is read-only, so the
 * document is only a URI; the agent reads the file.
 */
export class ProfileEditorProvider implements vscode.CustomReadonlyEditorProvider {
  static readonly viewType = 'icicle.profileEditor';

  constructor(private readonly services: FlameGraphPanelServices) {}

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): void {
    new FlameGraphPanel(panel, { kind: 'file', uri: document.uri }, this.services);
  }
}
