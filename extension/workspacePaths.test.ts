import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveInFolder, staysInside } from './workspacePaths';

describe('workspace path rules', () => {
  describe('resolveInFolder', () => {
    const folder = '/home/me/project';
    const cases: [string, string | undefined][] = [
      ['src/hot.js', '/home/me/project/src/hot.js'],
      ['./src/../lib/a.js', '/home/me/project/lib/a.js'],
      ['src\\win\\a.js', '/home/me/project/src/win/a.js'],
      // A folder named `%2e%2e` is a folder: names are not URLs.
      ['%2e%2e/%2e%2e/etc/passwd', '/home/me/project/%2e%2e/%2e%2e/etc/passwd'],
      ['..%2f..%2fetc/passwd', '/home/me/project/..%2f..%2fetc/passwd'],
      ['../../etc/passwd', undefined],
      ['..\\..\\etc\\passwd', undefined],
      ['src/../../project-secrets/key', undefined],
      ['src/../../project/src/a.js', '/home/me/project/src/a.js'],
      ['../project/a.js', '/home/me/project/a.js'],
      ['..', undefined],
      ['.', undefined],
      ['', undefined],
      ['/etc/passwd', undefined],
      ['\\etc\\passwd', undefined],
      ['C:\\Windows\\win.ini', undefined],
      ['c:/Windows/win.ini', undefined],
    ];
    for (const [relative, expected] of cases) {
      it(`${JSON.stringify(relative)} → ${expected ?? 'not looked for'}`, () => {
        assert.equal(resolveInFolder(folder, relative), expected);
        assert.equal(resolveInFolder(`${folder}/`, relative), expected, 'with a trailing slash on the folder');
      });
    }
    it('a folder at the root of the file system', () => {
      assert.equal(resolveInFolder('/', 'etc/passwd'), '/etc/passwd');
      assert.equal(resolveInFolder('/', '../etc/passwd'), '/etc/passwd');
    });
  });

  describe('staysInside', () => {
    let root: string;
    beforeEach(() => {
      root = realpathSync(mkdtempSync(join(tmpdir(), 'icicle-workspace-paths-')));
      mkdirSync(join(root, 'project', 'src'), { recursive: true });
      writeFileSync(join(root, 'project', 'src', 'a.js'), '');
      writeFileSync(join(root, 'secret.txt'), '');
    });
    afterEach(() => rmSync(root, { recursive: true, force: true }));

    it('holds a file of the folder, through a link inside it too', async () => {
      symlinkSync(join(root, 'project', 'src'), join(root, 'project', 'alias'));
      assert.equal(await staysInside(join(root, 'project'), join(root, 'project', 'src', 'a.js')), true);
      assert.equal(await staysInside(join(root, 'project'), join(root, 'project', 'alias', 'a.js')), true);
    });

    it('refuses a link that leads out of the folder, to a file or through a folder', async () => {
      symlinkSync(join(root, 'secret.txt'), join(root, 'project', 'secret.js'));
      symlinkSync(root, join(root, 'project', 'up'));
      symlinkSync('/etc', join(root, 'project', 'etc'));
      assert.equal(await staysInside(join(root, 'project'), join(root, 'project', 'secret.js')), false);
      assert.equal(await staysInside(join(root, 'project'), join(root, 'project', 'up', 'secret.txt')), false);
      assert.equal(await staysInside(join(root, 'project'), join(root, 'project', 'etc', 'passwd')), false);
    });

    it('refuses what does not exist, and the folder itself', async () => {
      assert.equal(await staysInside(join(root, 'project'), join(root, 'project', 'gone.js')), false);
      assert.equal(await staysInside(join(root, 'project'), join(root, 'project')), false);
    });
  });
});
