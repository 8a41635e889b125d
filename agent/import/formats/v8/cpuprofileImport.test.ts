import * as assert from 'node:assert/strict';
import { cpuProfileToImported, linesFromPositionTicks } from './cpuprofileImport';
import { random } from '../../../../test/support/random';
import { scanV8Profile } from './v8ProfileScanner';

/**
 * The V8 importer makes frames through the profile builder alone (its only frame map): call frames that V8 writes
 * differently but that are the same frame once imported (an empty name and "(anonymous)", two negative "unknown"
 * lines, the same call frame on several nodes) must become one frame, whether the profile was scanned or parsed.
 */
function callFrame(functionName: string, lineNumber: number, columnNumber = 4): Record<string, unknown> {
  return { functionName, scriptId: '1', url: 'file:///app.js', lineNumber, columnNumber };
}

const PROFILE = {
  nodes: [
    { id: 1, callFrame: { functionName: '(root)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 }, children: [2, 3, 5] },
    { id: 2, callFrame: callFrame('', 9), children: [4] },
    { id: 3, callFrame: callFrame('(anonymous)', 9) },
    { id: 4, callFrame: callFrame('main', -1) },
    { id: 5, callFrame: callFrame('', 9), children: [6] },
    { id: 6, callFrame: callFrame('main', -7) },
  ],
  startTime: 0,
  endTime: 6000,
  samples: [2, 3, 4, 5, 6, 4],
  timeDeltas: [1000, 1000, 1000, 1000, 1000, 1000],
};

describe('V8 importer frames', () => {
  const text = JSON.stringify(PROFILE);
  const columns = scanV8Profile(Buffer.from(text, 'utf8'));
  const inputs = [
    ['parsed', cpuProfileToImported({ json: JSON.parse(text) }, 'equal.cpuprofile')],
    ['scanned', cpuProfileToImported({ columns: columns! }, 'equal.cpuprofile')],
  ] as const;

  it('the scanner reads the test profile', () => {
    assert.ok(columns, 'the scanner left the profile to JSON.parse');
  });

  for (const [how, profile] of inputs) {
    it(`makes equal call frames one frame (${how})`, () => {
      assert.deepEqual(profile.frames, [
        { name: '(anonymous)', file: 'file:///app.js', line: 10, column: 5, module: '', address: 0 },
        { name: 'main', file: 'file:///app.js', line: 0, column: 5, module: '', address: 0 },
      ]);
      // Nodes 2, 3 and 5 are one stack; 4 and 6 another below it.
      assert.deepEqual(profile.stacks.map(s => Array.from(s)), [[0], [1, 0]]);
      assert.deepEqual(profile.sampleStacks, [0, 0, 1, 0, 1, 1]);
    });
  }
});

describe('V8 importer stacks', () => {
  const root = { functionName: '(root)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 };

  it('refuses a sample whose node is in a cycle of parents, without hanging', () => {
    const cyclic = {
      nodes: [
        { id: 1, callFrame: root, children: [2] },
        { id: 2, callFrame: callFrame('a', 1), children: [3] },
        { id: 3, callFrame: callFrame('b', 2), children: [4] },
        { id: 4, callFrame: callFrame('c', 3), children: [3] },
      ],
      startTime: 0,
      endTime: 2000,
      samples: [2, 4],
      timeDeltas: [1000, 1000],
    };
    assert.throws(() => cpuProfileToImported({ json: cyclic }, 'cyclic.cpuprofile'), /nodes form a cycle/);
  });

  it('gives a sample on the root the empty stack, keeps a parentless node that is not the root, and shares ancestors', () => {
    const profile = {
      nodes: [
        { id: 1, callFrame: root, children: [2] },
        { id: 2, callFrame: callFrame('a', 1), children: [3, 4] },
        { id: 3, callFrame: callFrame('b', 2) },
        { id: 4, callFrame: callFrame('c', 3) },
        { id: 5, callFrame: callFrame('orphan', 4) },
      ],
      startTime: 0,
      endTime: 5000,
      samples: [4, 1, 3, 5, 2, 4],
      timeDeltas: [1000, 1000, 1000, 1000, 1000, 1000],
    };
    const imported = cpuProfileToImported({ json: profile }, 'shapes.cpuprofile');
    assert.deepEqual(
      imported.frames.map(f => f.name),
      ['c', 'a', 'b', 'orphan'],
    );
    // Leaf first; frame ids in the order a walk from each sampled node to the root first meets them.
    assert.deepEqual(imported.stacks.map(s => Array.from(s)), [[0, 1], [], [2, 1], [3], [1]]);
    assert.deepEqual(imported.sampleStacks, [0, 1, 2, 3, 4, 0]);
  });

  it('gives every sample its path to the root, and nodes with the same path one stack, whatever order they are sampled in', () => {
    for (const seed of [1, 2, 3]) {
      const next = random(seed);
      // Few distinct frames, so that siblings and cousins often share a path; parents before children in id order.
      const parentOf = [0];
      const nodes: { id: number; callFrame: Record<string, unknown>; children: number[] }[] = [{ id: 1, callFrame: root, children: [] }];
      for (let id = 2; id <= 3000; id++) {
        // The third tree starts with a chain deeper than the importer's first scratch stack.
        const parent = seed === 3 && id <= 1500 ? id - 1 : 1 + Math.floor(next() * (id - 1) * (next() < 0.5 ? 1 : 0.1));
        const k = Math.floor(next() * 6);
        nodes.push({ id, callFrame: callFrame(`f${k}`, k), children: [] });
        nodes[parent - 1]!.children.push(id);
        parentOf.push(parent);
      }
      const samples = Array.from({ length: 5000 }, () => 1 + Math.floor(next() * nodes.length));
      const profile = { nodes, startTime: 0, endTime: samples.length * 1000, samples, timeDeltas: samples.map(() => 1000) };
      const imported = cpuProfileToImported({ json: profile }, 'random.cpuprofile');
      const path = (id: number): string => {
        const names: unknown[] = [];
        for (let at = id; at !== 1; at = parentOf[at - 1]!) names.push(nodes[at - 1]!.callFrame['functionName']);
        return names.join(';');
      };
      const names = (stack: ArrayLike<number>): string => Array.from(stack, f => imported.frames[f]!.name).join(';');
      assert.deepEqual(
        imported.sampleStacks.map(s => names(imported.stacks[s]!)),
        samples.map(path),
      );
      const distinct = new Set(imported.stacks.map(s => Array.from(s).join(',')));
      assert.equal(distinct.size, imported.stacks.length, 'a path interned twice');
    }
  });
});

/**
 * The line of each sample from positionTicks, the obvious way: per sample, its node's valid ticks sorted by line
 * (stable), their running totals, and the first line whose total passes the sample's share of its node's ticks.
 */
function referenceLines(tickStart: Int32Array, tickLines: number[], tickCounts: number[], nodeCount: number, sampleNodes: number[]): number[] {
  const samplesOfNode = new Array<number>(nodeCount).fill(0);
  for (const node of sampleNodes) samplesOfNode[node]!++;
  const seen = new Array<number>(nodeCount).fill(0);
  return sampleNodes.map(node => {
    const ticks: { line: number; ticks: number }[] = [];
    for (let t = tickStart[node]!; t < tickStart[node + 1]!; t++) {
      const line = tickLines[t]!;
      const count = tickCounts[t]!;
      if (Number.isInteger(line) && line > 0 && Number.isFinite(count) && count > 0) ticks.push({ line, ticks: count });
    }
    ticks.sort((a, b) => a.line - b.line);
    if (ticks.length === 0) return 0;
    let sum = 0;
    const cumulative = ticks.map(t => (sum += t.ticks));
    const position = ((seen[node]!++ + 0.5) / samplesOfNode[node]!) * sum;
    const at = cumulative.findIndex(c => position < c);
    return at < 0 ? 0 : ticks[at]!.line;
  });
}

describe('lines from positionTicks', () => {
  it('gives every sample the line the obvious computation gives, for nodes of few and of many ticked lines', () => {
    const next = random(2026);
    for (let round = 0; round < 40; round++) {
      const nodeCount = 1 + Math.floor(next() * 60);
      const tickStart = new Int32Array(nodeCount + 1);
      const tickLines: number[] = [];
      const tickCounts: number[] = [];
      for (let node = 0; node < nodeCount; node++) {
        // Some nodes have no ticks, most a few, some hundreds (past the in-place sort's limit); lines repeat.
        const r = next();
        const ticked = r < 0.2 ? 0 : r < 0.85 ? 1 + Math.floor(next() * 12) : 65 + Math.floor(next() * 300);
        const lineRange = 1 + Math.floor(next() * ticked * 1.5);
        for (let t = 0; t < ticked; t++) {
          const bad = next();
          tickLines.push(bad < 0.03 ? -1 : bad < 0.05 ? 2.5 : bad < 0.06 ? NaN : 1 + Math.floor(next() * lineRange));
          tickCounts.push(bad > 0.97 ? 0 : bad > 0.96 ? Infinity : next() < 0.1 ? next() * 3 : 1 + Math.floor(next() * 40));
        }
        tickStart[node + 1] = tickLines.length;
      }
      const sampleNodes = Array.from({ length: Math.floor(next() * 3000) }, () => Math.floor(next() * nodeCount));
      const columns = { nodeCount, tickStart, tickLines, tickCounts };
      const expected = tickLines.length === 0 ? undefined : referenceLines(tickStart, tickLines, tickCounts, nodeCount, sampleNodes);
      assert.deepEqual(linesFromPositionTicks(columns, sampleNodes), expected, `round ${round}`);
    }
  });
});
