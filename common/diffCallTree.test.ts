import * as assert from 'node:assert/strict';
import { CallTreeBuilder } from './callTreeBuilder';
import { baseSelfOnto } from './diffCallTree';
import { pruneCallTree } from './pruneCallTree';

/** A tree from `stack self` lines, stacks root first separated by `;`. */
function tree(lines: string[]) {
  const builder = new CallTreeBuilder();
  for (const line of lines) {
    const [stack, value] = line.split(' ');
    let node = builder.root;
    for (const name of stack!.split(';')) node = builder.childOf(node, builder.frame({ name, url: '/app.js', line: 1, column: 1, kind: 'user' }));
    builder.addSelf(node, 1, Number(value));
  }
  return builder.build();
}

describe('the base laid onto the head for a differential flame graph', () => {
  it('matches call paths, and charges what the head lacks to the nearest shared frame or its …', () => {
    const head = tree(['main;parse 100', 'main;slow 300', 'main;added 50']);
    const base = tree(['main;parse 100', 'main;slow 150', 'main;removed 40', 'main;parse;inner 10']);
    const baseSelf = baseSelfOnto(head, base);
    const byName = (name: string) => baseSelf[head.name.findIndex(n => head.strings[n] === name)];
    assert.equal(byName('parse'), 110, 'parse;inner is not in the head: charged to parse');
    assert.equal(byName('slow'), 150);
    assert.equal(byName('added'), 0);
    assert.equal(byName('main'), 40, 'main;removed is charged to main');
    assert.equal(baseSelf.reduce((a, b) => a + b, 0), 300, 'nothing of the base is lost');
    // With the head pruned, the base's pruned paths go to the … node.
    const pruned = pruneCallTree(head, 0.2);
    const onPruned = baseSelfOnto(pruned, base);
    const ellipsis = pruned.name.findIndex(n => pruned.strings[n] === '…');
    assert.ok(ellipsis > 0);
    assert.equal(onPruned[ellipsis], 40, 'main;removed lands in main’s … (added, only in the head, was pruned into it)');
    assert.equal(onPruned.reduce((a, b) => a + b, 0), 300);
  });
});
