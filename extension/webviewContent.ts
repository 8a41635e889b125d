import * as vscode from 'vscode';
import { createNonce, renderWebviewPage } from '../common/webviewPage';

/** Configures a webview for the flame graph bundle and gives it the page, with a fresh nonce. */
export function setUpFlameGraphWebview(webview: vscode.Webview, extensionUri: vscode.Uri, title: string): void {
  const bundleRoot = vscode.Uri.joinPath(extensionUri, 'out', 'webview');
  webview.options = { enableScripts: true, localResourceRoots: [bundleRoot] };
  webview.html = renderWebviewPage({
    nonce: createNonce(),
    cspSource: webview.cspSource,
    scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(bundleRoot, 'main.js')).toString(),
    styleUri: webview.asWebviewUri(vscode.Uri.joinPath(bundleRoot, 'main.css')).toString(),
    title,
  });
}
