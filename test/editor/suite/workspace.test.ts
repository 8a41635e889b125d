/**
 * The harness itself: the editor opened the fixture workspace, and the driver's environment reached the
 * extension host (the tally and the handshake depend on it).
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { bridgeAvailable } from './e2eBridge';
import { fixtureWorkspace } from './icicle';

export function register(): void {
  suite('harness', () => {
    test('the fixture workspace is the open folder', () => {
      const folders = vscode.workspace.workspaceFolders ?? [];
      assert.deepEqual(
        folders.map(folder => folder.uri.fsPath),
        [fixtureWorkspace],
      );
    });

    test("the driver's environment reaches the extension host", function () {
      if (!bridgeAvailable()) this.skip();
      assert.ok(process.env.ICICLE_RESULTS_FILE, 'ICICLE_RESULTS_FILE is not set in the extension host');
    });
  });
}
