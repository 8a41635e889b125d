import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sourceCosts } from '../queries/source/sourceCosts';
import { Store } from '../../storage/store';
import { corpusDir } from '../../test/support/corpus';
import type { ScanSource } from '../../storage/query';
import { importProfileBytes } from './importFile';

/** A V8 profile whose hot function spent 3 samples on line 12 and 1 on line 15 (V8's positionTicks). */
const profile = {
  nodes: [
    { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1, columnNumber: -1 }, children: [2] },
    { id: 2, callFrame: { functionName: 'main', url: '/app/main.js', lineNumber: 0, columnNumber: 0 }, children: [3] },
    {
      id: 3,
      callFrame: { functionName: 'hot', url: '/app/hot.js', lineNumber: 9, columnNumber: 12 },
      hitCount: 4,
      positionTicks: [
        { line: 15, ticks: 1 },
        { line: 12, ticks: 3 },
      ],
    },
  ],
  startTime: 0,
  endTime: 4000,
  samples: [3, 3, 3, 3],
  timeDeltas: [0, 1000, 1000, 1000],
};

describe("V8's positionTicks: the line each sample was executing", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-ticks-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('gives each line of the hot function its samples, in memory and after a flush to a block', async () => {
    const store = await Store.open(dir);
    await importProfileBytes(store, Buffer.from(JSON.stringify(profile)), 'ticks.cpuprofile', {});
    const check = async (): Promise<void> => {
      const snapshot = store.snapshot();
      const lines = await linesOf(snapshot, '/app/hot.js');
      snapshot.release();
      assert.deepEqual(
        lines.map(l => [l.line, l.selfSamples, l.totalSamples]),
        [
          [12, 3, 3],
          [15, 1, 1],
        ],
      );
    };
    await check();
    await store.flush();
    await check();
    await store.close();
  });

  it('keeps per-line totals of a real profile within rounding of its ticks', async () => {
    const text = readFileSync(join(corpusDir(), 'cpuprofile', 'sucrase.cpuprofile'), 'utf8');
    const json = JSON.parse(text) as { nodes: { callFrame: { url: string }; positionTicks?: { line: number; ticks: number }[]; hitCount?: number }[]; samples: number[] };
    // The file with the most ticks, and its ticks per line summed over its nodes.
    const perFile = new Map<string, Map<number, number>>();
    for (const node of json.nodes) {
      for (const tick of node.positionTicks ?? []) {
        const lines = perFile.get(node.callFrame.url) ?? new Map<number, number>();
        lines.set(tick.line, (lines.get(tick.line) ?? 0) + tick.ticks);
        perFile.set(node.callFrame.url, lines);
      }
    }
    const [file, expected] = [...perFile].sort((a, b) => sum(b[1]) - sum(a[1]))[0]!;
    const store = await Store.open(dir);
    await importProfileBytes(store, Buffer.from(text), 'sucrase.cpuprofile', {});
    const snapshot = store.snapshot();
    const self = new Map((await linesOf(snapshot, file)).filter(l => l.selfSamples > 0).map(l => [l.line, l.selfSamples]));
    snapshot.release();
    // Ticks count V8's hits and a node's samples can differ from them by one or two (the profile's first and last
    // samples), so lines get the node's samples in proportion: every line with ticks has its samples, within 1%.
    // (Nodes without ticks still count at their function's first line, which adds lines of their own.)
    for (const [line, ticks] of expected) {
      assert.ok(Math.abs(self.get(line)! - ticks) <= Math.max(3, ticks / 100), `line ${line}: ${self.get(line)} samples for ${ticks} ticks`);
    }
    await store.close();
  });
});

function sum(map: Map<number, number>): number {
  let total = 0;
  for (const v of map.values()) total += v;
  return total;
}

/** One file's line costs as the source shows them (sourceCosts.ts's rule). */
async function linesOf(source: ScanSource, file: string): Promise<{ line: number; selfSamples: number; totalSamples: number }[]> {
  return (await sourceCosts(source, { matchers: [] })).files.find(f => f.file === file)?.lines ?? [];
}
