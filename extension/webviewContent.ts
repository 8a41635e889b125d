import * as vscode from 'vscode';
import { createNonce, renderWebviewPage } from '../common/webviewPage';

/** Configures a webview for the flame graph bundle and gives it the page, with a fresh nonce. */
export function setUpFlameGraphWebview(webview: vscode.Webview, extensionUri: vscode.Uri, title: string): void {
  setUpWebview(webview, extensionUri, title, 'main');
}

/** The same for one of the webview bundles: `main` (the flame graph) or `compare` (the compare panel). */
export function setUpWebview(webview: vscode.Webview, extensionUri: vscode.Uri, title: string, bundle: 'main' | 'compare'): void {
  const bundleRoot = vscode.Uri.joinPath(extensionUri, 'out', 'webview');
  webview.options = { enableScripts: true, localResourceRoots: [bundleRoot] };
  webview.html = renderWebviewPage({
    nonce: createNonce(),
    cspSource: webview.cspSource,
    scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(bundleRoot, `${bundle}.js`)).toString(),
    styleUri: webview.asWebviewUri(vscode.Uri.joinPath(bundleRoot, `${bundle}.css`)).toString(),
    title,
  });
}
