import * as assert from 'node:assert/strict';
import { locateSource } from './sourceLocator';

describe('locateSource', () => {
  const cases: [string, ReturnType<typeof locateSource>['kind'], string?][] = [
    ['file:///home/me/app/src/hot.js', 'file', '/home/me/app/src/hot.js'],
    ['file:///home/me/my%20app/a.js', 'file', '/home/me/my app/a.js'],
    ['/Users/alan/code/sucrase/build/src/index.js', 'file', '/Users/alan/code/sucrase/build/src/index.js'],
    ['src/hot.js', 'relative', 'src/hot.js'],
    ['bootstrap_node.js', 'relative', 'bootstrap_node.js'],
    ['node:internal/modules/cjs/loader', 'none'],
    ['internal/main/run_main_module.js', 'none'],
    ['https://example.com/app.js', 'none'],
    ['', 'none'],
  ];
  for (const [url, kind, path] of cases) {
    it(`${url || '(empty)'} → ${kind}`, () => {
      const located = locateSource(url);
      assert.equal(located.kind, kind);
      if (path !== undefined && located.kind !== 'none') assert.equal(located.path, path);
      if (located.kind === 'none') assert.ok(located.reason.length > 10);
    });
  }
});
