import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sourceRoot } from './gitLabels';

describe('the checkout a run belongs to (source_root)', () => {
  let dir: string;
  before(() => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'icicle-root-')));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is the git top level from any folder inside the work tree', async () => {
    const repo = join(dir, 'repo');
    mkdirSync(join(repo, 'src', 'deep'), { recursive: true });
    execFileSync('git', ['init', '-q'], { cwd: repo });
    assert.equal(await sourceRoot(join(repo, 'src', 'deep')), repo);
  });

  it('is the folder itself, links resolved, outside git', async () => {
    const plain = join(dir, 'plain');
    mkdirSync(plain);
    symlinkSync(plain, join(dir, 'link'));
    // The temporary folder is outside every repository.
    assert.equal(await sourceRoot(join(dir, 'link')), plain);
  });
});
