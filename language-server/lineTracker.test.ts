import * as assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { LineTracker, type TextChange } from './lineTracker';

/** Applies changes to a real TextDocument and to a tracker, so the test checks lines against the actual text. */
function edit(text: string, changes: TextChange[]): { tracker: LineTracker; before: string[]; after: string[] } {
  const document = TextDocument.create('file:///x.js', 'javascript', 1, text);
  const tracker = new LineTracker(document.lineCount);
  let updated = document;
  for (const change of changes) {
    updated = TextDocument.update(updated, [change], updated.version + 1);
    tracker.apply(change);
  }
  return { tracker, before: text.split('\n'), after: updated.getText().split('\n') };
}

const at = (line: number, character: number) => ({ line, character });

describe('line tracking across edits', () => {
  const text = ['function a() {', '  work();', '}', '', 'function b() {', '  more();', '}'].join('\n');

  it('moves lines below an inserted line, without marking anything edited', () => {
    const { tracker, before, after } = edit(text, [{ range: { start: at(0, 0), end: at(0, 0) }, text: '// header\n// more\n' }]);
    for (let line = 0; line < before.length; line++) {
      assert.equal(after[tracker.current(line)!], before[line], `line ${line} is found where it went`);
      assert.equal(tracker.edited(line), false);
    }
  });

  it('marks a line typed into as edited, and moves what follows a removed block up', () => {
    const { tracker, before, after } = edit(text, [
      { range: { start: at(1, 2), end: at(1, 6) }, text: 'rest' },
      { range: { start: at(2, 1), end: at(4, 0) }, text: '' },
    ]);
    assert.equal(tracker.edited(1), true, 'work → rest');
    assert.equal(after[tracker.current(1)!], '  rest();');
    assert.equal(tracker.edited(3), true, 'the blank line was removed');
    assert.equal(tracker.current(3), undefined);
    assert.equal(tracker.edited(5), false);
    assert.equal(after[tracker.current(5)!], before[5]);
    assert.equal(tracker.editedBetween(4, 6), true, 'b’s first line was joined to the edit');
    assert.equal(tracker.editedBetween(5, 6), false);
  });

  it('follows many small edits, as typing sends them', () => {
    const typed = Array.from('const x = 1;\n', (ch, i) => ({ range: { start: at(3, i), end: at(3, i) }, text: ch }));
    const { tracker, before, after } = edit(text, typed);
    assert.equal(after[tracker.current(4)!], before[4], 'function b moved down one line');
    assert.equal(tracker.current(4), 5);
    assert.equal(tracker.edited(0), false);
  });
});
