/// <reference types="mocha" />
import type { PackedCallTree } from '../common/callTree';
import type { TimeOrderedSamples } from '../common/timeOrder';
import { layoutChart, sampleAt, samplesWithin, spanAt, type TrackLayout } from './flameChartLayout';
import { assertEqual } from '../test/support/webviewAssertions';

/** root → a → b → c, and a → d: nodes 1 a, 2 b, 3 c, 4 d. */
const TREE: PackedCallTree = {
  strings: ['', 'a', 'b', 'c', 'd'],
  parent: [-1, 0, 1, 2, 1],
  name: [0, 1, 2, 3, 4],
  url: [0, 0, 0, 0, 0],
  line: [0, 0, 0, 0, 0],
  column: [0, 0, 0, 0, 0],
  kind: [0, 1, 1, 1, 1],
  selfSamples: [0, 0, 0, 0, 0],
  totalSamples: [0, 0, 0, 0, 0],
  selfValue: [0, 0, 0, 0, 0],
  totalValue: [0, 0, 0, 0, 0],
};

function chart(node: number[], gap: number[], duration: number[]): TimeOrderedSamples {
  return { tree: TREE, startMs: 0, tracks: [{ labels: { thread: 'main' }, sampleCount: node.length }], node, gapMicros: gap, durationMicros: duration, throughMs: 0, totalSamples: node.length };
}

/** Each row as `name start..end`, one string per depth. */
function rows(track: TrackLayout): string[] {
  return track.rows.map(row => Array.from(row.node, (node, i) => `${TREE.strings[TREE.name[node]!]} ${row.start[i]}..${row.end[i]}`).join(', '));
}

describe('flame chart layout', () => {
  it('merges consecutive samples into one frame per call at each depth', () => {
    // a;b;c  a;b;c  a;b  a;d  a;b;c, a millisecond each.
    const layout = layoutChart(chart([3, 3, 2, 4, 3], [0, 0, 0, 0, 0], [1000, 1000, 1000, 1000, 1000]));
    assertEqual(rows(layout.tracks[0]!), ['a 0..5000', 'b 0..3000, d 3000..4000, b 4000..5000', 'c 0..2000, c 4000..5000'], 'rows');
    assertEqual(layout.endMicros, 5000, 'end');
    assertEqual(layout.tracks[0]!.name, 'thread main', 'name');
  });

  it('ends every frame across a long gap, but not across rounding', () => {
    // A 300 µs gap is rounding (shorter than 2 ms); a 50 ms gap is idle time.
    const layout = layoutChart(chart([2, 2, 2], [0, 300, 50_000], [1000, 1000, 1000]));
    assertEqual(rows(layout.tracks[0]!), ['a 0..2300, a 52300..53300', 'b 0..2300, b 52300..53300'], 'rows');
  });

  it('finds the frame and the sample at a time, and counts the samples of a span', () => {
    const layout = layoutChart(chart([3, 3, 2, 4, 3], [0, 0, 0, 0, 0], [1000, 1000, 1000, 1000, 1000]));
    const track = layout.tracks[0]!;
    assertEqual(spanAt(track.rows[1]!, 3500), 1, 'd is the second frame at depth 2');
    assertEqual(spanAt(track.rows[2]!, 3500), -1, 'nothing at depth 3 while d runs');
    assertEqual(sampleAt(track, 2999), 2, 'the third sample');
    assertEqual(sampleAt(track, 5000), -1, 'after the last');
    assertEqual(samplesWithin(track, 0, 3000), 3, 'samples within b');
  });
});
