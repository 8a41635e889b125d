import type { PackedCallTree } from '../common/callTree';
import type { Orientation } from './viewState';

/**
 * Moving between a flame graph's frames with the keyboard. The packed tree is in pre-order with children in drawing
 * order, so first-child and sibling links are one pass. ↑/↓ go towards the root or the first child, depending on
 * which way the graph is drawn; ←/→ go to the neighbouring frame under the same parent; Home goes to the root.
 */
export class FrameNavigation {
  private readonly firstChild: Int32Array;
  private readonly nextSibling: Int32Array;
  private readonly previousSibling: Int32Array;

  constructor(private readonly tree: PackedCallTree) {
    const count = tree.parent.length;
    this.firstChild = new Int32Array(count).fill(-1);
    this.nextSibling = new Int32Array(count).fill(-1);
    this.previousSibling = new Int32Array(count).fill(-1);
    const lastChild = new Int32Array(count).fill(-1);
    for (let i = 1; i < count; i++) {
      const parent = tree.parent[i]!;
      const last = lastChild[parent]!;
      if (last < 0) this.firstChild[parent] = i;
      else {
        this.nextSibling[last] = i;
        this.previousSibling[i] = last;
      }
      lastChild[parent] = i;
    }
  }

  /** The frame a key moves to from `index`, or undefined when the key is not a move (or leads nowhere). */
  move(index: number, key: string, orientation: Orientation): number | undefined {
    const towardsRoot = orientation === 'icicle' ? 'ArrowUp' : 'ArrowDown';
    const towardsLeaves = orientation === 'icicle' ? 'ArrowDown' : 'ArrowUp';
    let next: number;
    switch (key) {
      case towardsRoot:
        next = index > 0 ? this.tree.parent[index]! : -1;
        break;
      case towardsLeaves:
        next = this.firstChild[index]!;
        break;
      case 'ArrowLeft':
        next = this.previousSibling[index]!;
        break;
      case 'ArrowRight':
        next = this.nextSibling[index]!;
        break;
      case 'Home':
        next = 0;
        break;
      default:
        return undefined;
    }
    return next >= 0 ? next : index;
  }
}
