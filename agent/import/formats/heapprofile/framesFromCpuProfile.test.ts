import * as assert from 'node:assert/strict';
import { withFramesFromCpuProfile } from './framesFromCpuProfile';

function call(functionName: string, scriptId: string, url: string, lineNumber: number, columnNumber = 0): object {
  return { functionName, scriptId, url, lineNumber, columnNumber };
}

/** The heap tree's frames, depth first. */
function frames(profile: unknown): object[] {
  const out: object[] = [];
  const walk = (node: { callFrame: object; children: unknown[] }): void => {
    out.push(node.callFrame);
    for (const child of node.children) walk(child as { callFrame: object; children: unknown[] });
  };
  walk((profile as { head: { callFrame: object; children: unknown[] } }).head);
  return out;
}

describe('heap frames named by the chunk\'s CPU profile', () => {
  const cpu = {
    nodes: [
      { id: 1, callFrame: call('(root)', '0', '', -1, -1) },
      { id: 2, callFrame: call('allocate', '81', 'file:///app/main.js', 2, 9) },
      { id: 3, callFrame: call('twice', '81', 'file:///app/main.js', 5) },
      { id: 4, callFrame: call('twice', '81', 'file:///app/main.js', 9) },
    ],
  };
  const node = (callFrame: object, children: unknown[] = []) => ({ callFrame, selfSize: 8, id: 0, children });

  it('gives frames of a freed script their URL, and the line of the one function of that name', () => {
    const heap = { head: node(call('(root)', '0', '', -1, -1), [node(call('allocate', '81', '', -1, -1), [node(call('twice', '81', '', -1, -1))])]) };
    assert.deepEqual(frames(withFramesFromCpuProfile(heap, cpu)), [
      call('(root)', '0', '', -1, -1),
      call('allocate', '81', 'file:///app/main.js', 2, 9),
      // Two functions named twice: the URL only.
      call('twice', '81', 'file:///app/main.js', -1, -1),
    ]);
    // The input is left as it was.
    assert.deepEqual(frames(heap)[1], call('allocate', '81', '', -1, -1));
  });

  it('names a script by the CPU profile\'s URL, keeps positions V8 found, and leaves unknown scripts alone', () => {
    const heap = { head: node(call('(root)', '0', '', -1, -1), [node(call('allocate', '81', '/app/main.js', 2, 9)), node(call('other', '99', '', -1, -1))]) };
    assert.deepEqual(frames(withFramesFromCpuProfile(heap, cpu)).slice(1), [call('allocate', '81', 'file:///app/main.js', 2, 9), call('other', '99', '', -1, -1)]);
  });
});
