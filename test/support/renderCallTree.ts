import { FRAME_KINDS, type PackedCallTree } from '../../common/callTree';

/**
 * Renders a call tree as indented text for golden files: one node per line with its kind, source position,
 * self/total samples and time. Nodes whose total is below `minShare` of the root's are folded into one
 * line per parent, so goldens of big profiles stay readable while still covering what matters.
 */
export function renderCallTree(tree: PackedCallTree, minShare = 0): string {
  const n = tree.parent.length;
  const children: number[][] = Array.from({ length: n }, () => []);
  for (let i = 1; i < n; i++) children[tree.parent[i]!]!.push(i);
  const rootTotal = tree.totalSamples[0]! || 1;
  const lines: string[] = [];
  const ms = (micros: number) => (micros / 1000).toFixed(3);
  const visit = (node: number, depth: number) => {
    const url = tree.strings[tree.url[node]!]!;
    const where = url ? ` ${url}:${tree.line[node]}:${tree.column[node]}` : '';
    lines.push(
      `${'  '.repeat(depth)}${tree.strings[tree.name[node]!]} [${FRAME_KINDS[tree.kind[node]!]}]${where}` +
        ` self=${tree.selfSamples[node]} (${ms(tree.selfValue[node]!)} ms) total=${tree.totalSamples[node]} (${ms(tree.totalValue[node]!)} ms)`,
    );
    let folded = 0;
    let foldedSamples = 0;
    for (const child of children[node]!) {
      if (tree.totalSamples[child]! / rootTotal < minShare) {
        folded++;
        foldedSamples += tree.totalSamples[child]!;
      } else {
        visit(child, depth + 1);
      }
    }
    if (folded > 0) lines.push(`${'  '.repeat(depth + 1)}… ${folded} smaller children, total=${foldedSamples}`);
  };
  visit(0, 0);
  return lines.join('\n') + '\n';
}
