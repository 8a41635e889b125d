import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JAVASCRIPT_EXTENSIONS, nameProblem, openLocalFile, readLocalText, SOURCE_MAP_EXTENSIONS, type LocalFileRules } from './localFiles';

const script: LocalFileRules = { what: 'script', extensions: JAVASCRIPT_EXTENSIONS };
const map: LocalFileRules = { what: 'map', extensions: SOURCE_MAP_EXTENSIONS };
const binary: LocalFileRules = { what: 'binary', binary: true };

describe('local files a profile may make the agent read', () => {
  describe('names', () => {
    const cases: [string, LocalFileRules, NodeJS.Platform, RegExp | undefined][] = [
      ['/app/dist/main.js', script, 'linux', undefined],
      ['/app/dist/main.MJS', script, 'linux', undefined],
      ['/app/dist/main.cjs', script, 'linux', undefined],
      ['/app/dist/main.js.map', map, 'linux', undefined],
      ['C:\\app\\main.js', script, 'win32', undefined],
      ['/usr/lib/libc.so.6', binary, 'linux', undefined],
      ['../../etc/passwd', binary, 'linux', /not an absolute path/],
      ['..\\..\\etc\\passwd', binary, 'win32', /not an absolute path/],
      ['%2e%2e/%2e%2e/etc/passwd', script, 'linux', /not an absolute path/],
      ['/etc/passwd', script, 'linux', /not a script/],
      ['/etc/shadow', map, 'linux', /not a map/],
      ['/app/secrets.json', map, 'linux', /not a map/],
      ['/app/main.ts', script, 'linux', /not a script/],
      ['/proc/self/environ', binary, 'linux', /\/proc, \/sys or \/dev/],
      ['/proc/self/mem.js', script, 'linux', /\/proc, \/sys or \/dev/],
      ['//proc/kcore', binary, 'linux', /\/proc, \/sys or \/dev/],
      ['/app/../dev/zero', binary, 'linux', /\/proc, \/sys or \/dev/],
      ['/dev/zero', binary, 'linux', /\/proc, \/sys or \/dev/],
      ['/sys/kernel/notes', binary, 'linux', /\/proc, \/sys or \/dev/],
      ['/app/main\u0000.js', script, 'linux', /control character/],
      ['/app/main.js\u0000.txt', script, 'linux', /control character/],
      ['/app/ma\nin.js', script, 'linux', /control character/],
      ['/app/ma\u001bin.js', script, 'linux', /control character/],
      ['\\\\attacker\\share\\main.js', script, 'win32', /network path/],
      ['//attacker/share/main.js', script, 'win32', /network path/],
    ];
    for (const [file, rules, platform, expected] of cases) {
      it(`${JSON.stringify(file)} as a ${rules.what} on ${platform}: ${expected ? 'refused' : 'allowed'}`, () => {
        const problem = nameProblem(file, rules, platform);
        if (expected === undefined) assert.equal(problem, undefined);
        else assert.match(problem ?? '(allowed)', expected);
      });
    }
  });

  describe('files', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'icicle-local-files-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('reads a regular JavaScript file and a map', async () => {
      writeFileSync(join(dir, 'app.js'), 'f();\n');
      writeFileSync(join(dir, 'app.js.map'), '{}');
      assert.equal(await readLocalText(join(dir, 'app.js'), { ...script, maxBytes: 100 }), 'f();\n');
      assert.equal(await readLocalText(join(dir, 'app.js.map'), { ...map, maxBytes: 100 }), '{}');
    });

    it('refuses a FIFO at once, without waiting for a writer', async () => {
      execFileSync('mkfifo', [join(dir, 'fifo.js')]);
      const started = Date.now();
      assert.deepEqual(await readLocalText(join(dir, 'fifo.js'), { ...script, maxBytes: 100 }), { reason: 'is not a regular file' });
      assert.ok(Date.now() - started < 2000);
    });

    it('follows links and holds their target to the same rules', async () => {
      writeFileSync(join(dir, 'secret.txt'), '//# sourceMappingURL=x.map\n');
      symlinkSync(join(dir, 'secret.txt'), join(dir, 'linked.js'));
      symlinkSync('/dev/zero', join(dir, 'zero.js'));
      symlinkSync('/proc/self/environ', join(dir, 'environ.js'));
      writeFileSync(join(dir, 'real.js'), 'ok();\n');
      symlinkSync(join(dir, 'real.js'), join(dir, 'alias.js'));
      assert.match(((await readLocalText(join(dir, 'linked.js'), { ...script, maxBytes: 100 })) as { reason: string }).reason, /links to .*secret\.txt, which is not a script/);
      assert.match(((await readLocalText(join(dir, 'zero.js'), { ...script, maxBytes: 100 })) as { reason: string }).reason, /links to \/dev\/zero, which is in \/proc, \/sys or \/dev/);
      assert.match(((await readLocalText(join(dir, 'environ.js'), { ...script, maxBytes: 100 })) as { reason: string }).reason, /links to \/proc\/.*, which is in \/proc/);
      assert.equal(await readLocalText(join(dir, 'alias.js'), { ...script, maxBytes: 100 }), 'ok();\n');
    });

    it('refuses a folder, a missing file and a file above the limit, saying which', async () => {
      mkdirSync(join(dir, 'folder.js'));
      writeFileSync(join(dir, 'big.js'), 'x'.repeat(2000));
      assert.deepEqual(await readLocalText(join(dir, 'folder.js'), { ...script, maxBytes: 100 }), { reason: 'is not a regular file' });
      assert.deepEqual(await readLocalText(join(dir, 'gone.js'), { ...script, maxBytes: 100 }), { reason: 'does not exist' });
      const big = await readLocalText(join(dir, 'big.js'), { ...script, maxBytes: 1000 });
      assert.ok(typeof big !== 'string' && big.tooLarge, JSON.stringify(big));
      assert.match(big.reason, /above the .* limit for a script/);
    });

    it('opens a binary only when it is executable or named as a shared library', async () => {
      for (const name of ['passwd', 'program', 'libapp.so', 'libapp.so.6.0.1']) writeFileSync(join(dir, name), '\x7fELF');
      chmodSync(join(dir, 'program'), 0o755);
      assert.deepEqual(await openLocalFile(join(dir, 'passwd'), binary), { reason: 'is neither executable nor a shared library' });
      for (const name of ['program', 'libapp.so', 'libapp.so.6.0.1']) {
        const opened = await openLocalFile(join(dir, name), binary);
        assert.ok('handle' in opened, `${name}: ${JSON.stringify(opened)}`);
        await opened.handle.close();
      }
    });
  });
});
