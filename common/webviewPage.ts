/**
 * The webview's HTML page, built in one place for the extension and for the browser tests, so both load the
 * bundle exactly the same way under the same Content-Security-Policy.
 *
 * The policy allows only the bundle's own script (by nonce) and stylesheet (from the webview's resource origin),
 * no network, no frames and no inline markup styles. d3 sets styles through the CSSOM (`element.style`), which
 * CSP does not restrict, so no 'unsafe-inline' is needed.
 */
export interface WebviewPageOptions {
  /** A fresh random nonce per page load. */
  nonce: string;
  /** The origin the webview may load its resources from (vscode's `webview.cspSource`). */
  cspSource: string;
  /** URL of webview/main.js. */
  scriptUri: string;
  /** URL of webview/main.css. */
  styleUri: string;
  /** Shown until the script has run; plain text. */
  title: string;
}

export function renderWebviewPage(options: WebviewPageOptions): string {
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${options.nonce}'`,
    `style-src ${options.cspSource}`,
    `img-src ${options.cspSource} data:`,
    `font-src ${options.cspSource}`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttribute(options.styleUri)}">
<title>${escapeText(options.title)}</title>
</head>
<body>
<div id="app"></div>
<script nonce="${escapeAttribute(options.nonce)}" src="${escapeAttribute(options.scriptUri)}"></script>
</body>
</html>`;
}

/** A nonce of 128 random bits from a cryptographic source, as 32 hexadecimal digits. */
export function createNonce(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('');
}

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttribute(text: string): string {
  // Attributes are always double-quoted here, so escaping `"` is enough (and keeps the CSP's quotes literal).
  return escapeText(text).replace(/"/g, '&quot;');
}
