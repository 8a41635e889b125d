import * as assert from 'node:assert/strict';
import { applyMappings, PathIndex, profilePath } from './pathMapping';

describe('profile paths to workspace files', () => {
  const names: [string, string | undefined][] = [
    ['/app/src/util.ts', '/app/src/util.ts'],
    ['file:///home/me/p/src/a%20b.js', '/home/me/p/src/a b.js'],
    ['file:///C:/work/x.js', 'C:/work/x.js'],
    ['file:///home/me/p/lib%20%231.mjs?v=2#top', '/home/me/p/lib #1.mjs'],
    ['C:\\work\\x.js', 'C:/work/x.js'],
    ['webpack:///./src/app.tsx', 'src/app.tsx'],
    ['webpack://my-app/./src/app.tsx?abcd', 'src/app.tsx'],
    ['webpack-internal:///./lib/y.js', 'lib/y.js'],
    ['src/relative.go', 'src/relative.go'],
    ['node:internal/timers', undefined],
    ['https://example.com/app.js', undefined],
    ['evalmachine.<anonymous>', 'evalmachine.<anonymous>'],
    ['', undefined],
  ];
  for (const [file, expected] of names) {
    it(`reads ${JSON.stringify(file)} as ${JSON.stringify(expected)}`, () => assert.equal(profilePath(file), expected));
  }

  it('rewrites prefixes at segment boundaries only', () => {
    const mappings = [{ from: '/app/', to: '/home/me/project' }];
    assert.equal(applyMappings('/app/src/x.ts', mappings), '/home/me/project/src/x.ts');
    assert.equal(applyMappings('/application/x.ts', mappings), '/application/x.ts');
  });

  it('matches a document to the profile file sharing the longest tail of its path, and refuses a tie', () => {
    const index = new PathIndex(
      ['/app/src/util.ts', '/app/test/util.ts', 'file:///srv/lib/index.js', '/srv/lib/index.js', '/a/index.ts', '/b/index.ts', 'node:fs', 'webpack:///./src/view.tsx'],
      [{ from: '/srv', to: '/ws' }],
    );
    assert.deepEqual(index.resolve('/home/me/p/src/util.ts'), { files: ['/app/src/util.ts'], segments: 2, exact: false });
    assert.deepEqual(index.resolve('/home/me/p/test/util.ts'), { files: ['/app/test/util.ts'], segments: 2, exact: false });
    // Through the mapping, both spellings of /srv/lib/index.js are the document itself.
    assert.deepEqual(index.resolve('/ws/lib/index.js'), { files: ['file:///srv/lib/index.js', '/srv/lib/index.js'], segments: 3, exact: true });
    assert.equal(index.resolve('/ws/other/index.ts'), undefined, 'index.ts in /a and /b: a tie is no match');
    assert.deepEqual(index.resolve('/home/me/p/src/view.tsx'), { files: ['webpack:///./src/view.tsx'], segments: 2, exact: false });
    assert.equal(index.resolve('/home/me/p/src/none.ts'), undefined);
  });
});
