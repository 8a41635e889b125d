/// <reference types="mocha" />
import { FrameNavigation } from './frameNavigation';
import { assertEqual } from '../test/support/webviewAssertions';
import { recursiveTree } from '../test/support/webviewTrees';

describe('frame navigation by keyboard', () => {
  it('walks to children, siblings and parents, with ↑/↓ following the orientation', () => {
    // 0 root, 1 main, 2 walk, 3 walk, 4 leaf (under 3), 5 leaf (under main), 6 idle.
    const navigation = new FrameNavigation(recursiveTree());
    const walk: [string, number][] = [
      ['ArrowDown', 1], ['ArrowDown', 2], ['ArrowRight', 5], ['ArrowRight', 5], ['ArrowLeft', 2], ['ArrowDown', 3],
      ['ArrowDown', 4], ['ArrowDown', 4], ['ArrowUp', 3], ['Home', 0], ['ArrowDown', 1], ['ArrowRight', 6], ['ArrowUp', 0], ['ArrowUp', 0],
    ];
    let at = 0;
    walk.forEach(([key, expected], step) => {
      at = navigation.move(at, key, 'icicle') ?? at;
      assertEqual(at, expected, `frame after step ${step + 1} (${key})`);
    });
    // In the flame orientation (roots at the bottom), ↑ goes towards the leaves.
    assertEqual(navigation.move(0, 'ArrowUp', 'flame'), 1, '↑ from the root in a flame graph');
    assertEqual(navigation.move(1, 'ArrowDown', 'flame'), 0, '↓ back to the root');
    assertEqual(navigation.move(1, 'Enter', 'flame'), undefined, 'Enter is not a move');
  });
});
