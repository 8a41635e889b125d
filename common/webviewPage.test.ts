import * as assert from 'node:assert/strict';
import { createNonce, renderWebviewPage } from './webviewPage';

describe('webview page', () => {
  const page = renderWebviewPage({
    nonce: 'abc123',
    cspSource: 'https://webview.test',
    scriptUri: 'https://webview.test/main.js',
    styleUri: 'https://webview.test/main.css',
    title: '<script>alert(1)</script>.cpuprofile',
  });

  it('has a strict Content-Security-Policy: no default source, scripts by nonce only', () => {
    const csp = /Content-Security-Policy" content="([^"]+)"/.exec(page)?.[1] ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'nonce-abc123'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
  });

  it('loads exactly one script, carrying the nonce', () => {
    assert.equal(page.match(/<script/g)?.length, 1);
    assert.match(page, /<script nonce="abc123" src="https:\/\/webview.test\/main.js"><\/script>/);
  });

  it('escapes the title, which comes from a file name', () => {
    assert.match(page, /<title>&lt;script&gt;alert\(1\)&lt;\/script&gt;.cpuprofile<\/title>/);
  });

  it('makes a fresh, long nonce each time', () => {
    const a = createNonce();
    assert.match(a, /^[0-9a-f]{32}$/);
    assert.notEqual(a, createNonce());
  });
});
