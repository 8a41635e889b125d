import * as assert from 'node:assert/strict';
import { escapeMarkdown, hoverMarkdown } from './costText';

describe('hover text', () => {
  it('keeps hostile function names and labels as text: no emphasis, code, link or HTML survives', () => {
    const hostile = '<img src=x onerror=alert(1)>[click](command:workbench.action.quit)*bold*_it_`code`\\';
    const escaped = escapeMarkdown(hostile);
    assert.equal(escaped, '\\<img src=x onerror=alert(1)\\>\\[click\\](command:workbench.action.quit)\\*bold\\*\\_it\\_\\`code\\`\\\\');
    const text = hoverMarkdown(
      { name: hostile, nameLine: 0, startLine: 0, endLine: 1, self: 1, total: 2, selfSamples: 1, totalSamples: 2, stale: false },
      '/x.js',
      { total: 4, unit: 'micros', description: 'branch="a\nb"', runs: 1, selector: '{}' },
    );
    // The only link is ours, to the one command the client trusts.
    assert.deepEqual(text.match(/(?<!\\)\]\(/g)?.length, 1);
    assert.match(text, /\[Show in flame graph\]\(command:icicle\.showFunction\?/);
    assert.ok(!text.includes('branch="a\nb"'), 'a newline in a label cannot break the hover into new blocks');
  });
});
