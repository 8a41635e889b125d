import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from './store';
import { simpleWrite } from '../test/support/sampleData';

/**
 * A pprof frame keeps where its function starts (functionLine) beside the line it was at: function identity
 * (common/functionIdentity.ts) depends on it, so it must survive the write-ahead log and the metadata checkpoint.
 */
describe('a frame’s function start line in the store', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-function-line-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const pprofFrame = { functionName: 'main.work', file: '/app/main.go', line: 14, column: 0, module: 'app', address: 0x401000, functionLine: 10 };
  const v8Frame = { functionName: 'onEnter', file: '/app/tsc.js', line: 43432, column: 20, module: '', address: 0 };

  for (const flush of [false, true]) {
    it(flush ? 'survives a checkpoint (the metadata log)' : 'survives a replay of the write-ahead log', async () => {
      const store = await Store.open(dir);
      const ids = [store.internFrame(pprofFrame), store.internFrame(v8Frame)];
      assert.notEqual(store.internFrame({ ...pprofFrame, functionLine: 12 }), ids[0], 'another start is another frame');
      await store.write(simpleWrite(store.internStack(ids), 2, {}));
      if (flush) await store.flush();
      await store.close({ flush: false });
      const reopened = await Store.open(dir);
      try {
        assert.deepEqual(reopened.metadata.frame(ids[0]!), pprofFrame);
        assert.deepEqual(reopened.metadata.frame(ids[1]!), v8Frame, 'a V8 frame gains no start line: its own is the start');
      } finally {
        await reopened.close();
      }
    });
  }
});
