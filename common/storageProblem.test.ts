import * as assert from 'node:assert/strict';
import { storageProblem } from './errors';

/** Which failures a probe sends its chunk again after: file system errors a user can fix, found through causes. */
describe('storageProblem', () => {
  const fsError = (code: string) => Object.assign(new Error(`${code}: something, write`), { code });

  it('names a full disk, a quota, a read-only or failing file system, also when wrapped', () => {
    assert.equal(storageProblem(fsError('ENOSPC')), "Icicle's profile store cannot be written now: the disk is full (ENOSPC).");
    assert.match(storageProblem(fsError('EDQUOT'))!, /quota/);
    assert.match(storageProblem(fsError('EROFS'))!, /read-only/);
    assert.match(storageProblem(new Error('the write failed', { cause: fsError('EIO') }))!, /input\/output error \(EIO\)/);
  });

  it('leaves every other failure alone', () => {
    assert.equal(storageProblem(fsError('ENOENT')), undefined);
    assert.equal(storageProblem(new Error('not a profile')), undefined);
    assert.equal(storageProblem('ENOSPC'), undefined);
    assert.equal(storageProblem(undefined), undefined);
  });
});
