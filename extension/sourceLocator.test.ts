import * as assert from 'node:assert/strict';
import { locateSource } from './sourceLocator';

describe('locateSource', () => {
  const cases: [string, ReturnType<typeof locateSource>['kind'], string?][] = [
    ['file:///home/me/app/src/hot.js', 'file', '/home/me/app/src/hot.js'],
    ['file:///home/me/my%20app/a.js', 'file', '/home/me/my app/a.js'],
    ['file://localhost/home/me/app/a.js', 'file', '/home/me/app/a.js'],
    ['/Users/alan/code/sucrase/build/src/index.js', 'file', '/Users/alan/code/sucrase/build/src/index.js'],
    ['src/hot.js', 'relative', 'src/hot.js'],
    ['bootstrap_node.js', 'relative', 'bootstrap_node.js'],
    ['node:internal/modules/cjs/loader', 'none'],
    ['internal/main/run_main_module.js', 'none'],
    ['https://example.com/app.js', 'none'],
    ['', 'none'],
    // Paths that try to leave the workspace. Relative ones stay relative: they are only looked for inside a
    // workspace folder (workspacePaths.test.ts); absolute ones are files the user opens only by clicking.
    ['../../etc/passwd', 'relative', '../../etc/passwd'],
    ['..\\..\\etc\\passwd', 'relative', '..\\..\\etc\\passwd'],
    ['%2e%2e/%2e%2e/etc/passwd', 'relative', '%2e%2e/%2e%2e/etc/passwd'],
    ['file:///etc/passwd', 'file', '/etc/passwd'],
    ['/etc/passwd', 'file', '/etc/passwd'],
    // A URL's encoded dots are dot segments, as in the runtime that wrote it: this is /etc/passwd, shown as such.
    ['file:///home/me/app/%2e%2e/%2e%2e/%2e%2e/etc/passwd', 'file', '/etc/passwd'],
    ['webpack:///../../x', 'none'],
    ['webpack-internal:///../../etc/passwd', 'none'],
    // Names a frame can carry to fool whoever opens them.
    ['/home/me/app/a.js\u0000.txt', 'none'],
    ['src/a\u0000.js', 'none'],
    ['file:///home/me/app/a%00.js', 'none'],
    ['src/\u001b[2Jhot.js', 'none'],
    ['src/hot.js\n/etc/passwd', 'none'],
    ['\u007f', 'none'],
    ['file://attacker.example/share/app.js', 'none'],
    ['\\\\attacker.example\\share\\app.js', 'none'],
    ['//attacker.example/share/app.js', 'none'],
    ['file:///home/me/%E0%A4%A.js', 'none'],
  ];
  for (const [url, kind, path] of cases) {
    it(`${JSON.stringify(url) || '(empty)'} → ${kind}`, () => {
      const located = locateSource(url);
      assert.equal(located.kind, kind, JSON.stringify(located));
      if (path !== undefined && located.kind !== 'none') assert.equal(located.path, path);
      if (located.kind === 'none') {
        assert.ok(located.reason.length > 10);
        // The reason is shown in the status bar: it must not carry the control characters themselves.
        assert.doesNotMatch(located.reason, /[\u0000-\u001f\u007f]/); // eslint-disable-line no-control-regex
      }
    });
  }
});
