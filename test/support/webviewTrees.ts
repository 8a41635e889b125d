import { FRAME_KINDS, type PackedCallTree } from '../../common/callTree';

/** Call trees for the webview's unit tests. */

/**
 * (root) ─┬─ main ─┬─ walk ── walk ── leaf     (walk is recursive)
 *         │        └─ leaf
 *         └─ (idle)
 * In pre-order: 0 root, 1 main, 2 walk, 3 walk, 4 leaf, 5 leaf, 6 idle. Times: self = 100 × samples.
 */
export function recursiveTree(): PackedCallTree {
  const user = FRAME_KINDS.indexOf('user');
  return {
    strings: ['', 'main', 'walk', 'leaf', '(idle)', '/app/main.js'],
    parent: [-1, 0, 1, 2, 3, 1, 0],
    name: [0, 1, 2, 2, 3, 3, 4],
    url: [0, 5, 5, 5, 5, 5, 0],
    line: [0, 1, 10, 10, 20, 20, 0],
    column: [0, 1, 1, 1, 1, 1, 0],
    kind: [0, user, user, user, user, user, FRAME_KINDS.indexOf('idle')],
    selfSamples: [0, 1, 2, 3, 4, 5, 6],
    totalSamples: [21, 15, 9, 7, 4, 5, 6],
    selfValue: [0, 100, 200, 300, 400, 500, 600],
    totalValue: [2100, 1500, 900, 700, 400, 500, 600],
  };
}
