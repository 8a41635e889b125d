/// <reference types="mocha" />
import type { TimeOrderedSamples } from '../common/timeOrder';
import type { Timeline } from '../common/viewQuery';
import { KeptTimeOrder, type AnswerForChart } from './keptTimeOrder';
import { assertEqual } from '../test/support/webviewAssertions';

const SAMPLES = { startMs: 1 } as unknown as TimeOrderedSamples;
const NEWER = { startMs: 2 } as unknown as TimeOrderedSamples;
const timeline = (buckets: number): Timeline => ({
  bucketMs: 10,
  bucketStartMs: Array.from({ length: buckets }, (_, i) => i * 10),
  values: Array.from({ length: buckets }, () => 5),
  span: { startMs: 0, endMs: buckets * 10 },
});
const answer = (selector: string, buckets: number, timeOrder?: TimeOrderedSamples): AnswerForChart => ({
  query: { selector, profileType: 'cpu' },
  timeline: timeline(buckets),
  ...(timeOrder ? { timeOrder } : {}),
});

describe('the flame chart samples kept between answers', () => {
  it('asks once for samples an answer lacks, and keeps them across a brushed range', () => {
    const kept = new KeptTimeOrder();
    kept.answered(answer('{a="1"}', 10));
    assertEqual(kept.wanted, true, 'wanted at first');
    assertEqual(kept.samples, undefined, 'none yet');
    assertEqual(kept.shouldAsk(), true, 'asks');
    assertEqual(kept.shouldAsk(), false, 'asks once');
    kept.answered(answer('{a="1"}', 10, SAMPLES));
    assertEqual(kept.wanted, false, 'answered');
    // A time range chosen on the timeline: the answer has the same timeline and no samples.
    kept.answered(answer('{a="1"}', 10));
    assertEqual(kept.wanted, false, 'a brushed range does not ask again');
    assertEqual(kept.samples === SAMPLES, true, 'the samples are kept');
  });

  it('asks again when samples arrived (the timeline grew), drawing the old ones meanwhile', () => {
    const kept = new KeptTimeOrder();
    kept.answered(answer('{a="1"}', 10, SAMPLES));
    kept.answered(answer('{a="1"}', 11));
    assertEqual(kept.wanted, true, 'stale');
    assertEqual(kept.samples === SAMPLES, true, 'the old samples are drawn meanwhile');
    assertEqual(kept.shouldAsk(), true, 'asks');
    kept.answered(answer('{a="1"}', 11, NEWER));
    assertEqual(kept.samples === NEWER, true, 'the new ones');
  });

  it('drops another selection\'s samples, and says "none" when asked for samples that do not exist', () => {
    const kept = new KeptTimeOrder();
    kept.answered(answer('{a="1"}', 10, SAMPLES));
    kept.answered(answer('{a="2"}', 0));
    assertEqual(kept.samples, undefined, 'dropped');
    assertEqual(kept.shouldAsk(), true, 'asks');
    kept.answered(answer('{a="2"}', 0));
    assertEqual(kept.samples, 'none', 'none');
    assertEqual(kept.wanted, false, 'not asked for again');
  });

  it('appends a tail to the samples kept, and asks for the whole run once when a tail does not join', () => {
    const tree = { strings: ['', 'a'], parent: [-1, 0], name: [0, 1], url: [0, 0], line: [0, 0], column: [0, 0], kind: [0, 1], selfSamples: [0, 3], totalSamples: [3, 3], selfValue: [0, 3], totalValue: [3, 3] };
    const run = (count: number, extra: Partial<TimeOrderedSamples> = {}): TimeOrderedSamples => ({
      tree,
      startMs: 100,
      tracks: [{ labels: {}, sampleCount: count }],
      node: Array<number>(count).fill(1),
      gapMicros: Array<number>(count).fill(0),
      durationMicros: Array<number>(count).fill(1000),
      throughMs: 100 + count - 1,
      totalSamples: count,
      ...extra,
    });
    const kept = new KeptTimeOrder();
    kept.answered(answer('{a="1"}', 10, run(2)));
    assertEqual(kept.afterMs, 101, 'a query asks for the samples after the last kept');
    // A tail of one sample at 102: three in all.
    kept.answered(answer('{a="1"}', 11, run(1, { startMs: 102, throughMs: 102, totalSamples: 3, afterMs: 101 })));
    const joined = kept.samples as TimeOrderedSamples;
    assertEqual(joined.node.length, 3, 'appended');
    assertEqual(kept.wanted, false, 'the latest answer\'s');
    assertEqual(kept.afterMs, 102, 'the next tail starts after it');
    // A tail that says the run holds five samples when two more arrived: one landed before the watermark.
    kept.answered(answer('{a="1"}', 12, run(1, { startMs: 103, throughMs: 103, totalSamples: 5, afterMs: 102 })));
    assertEqual(kept.samples === joined, true, 'the joined samples are drawn meanwhile');
    assertEqual(kept.afterMs, undefined, 'the next query asks for the whole run');
    assertEqual(kept.shouldAsk(), true, 'asks');
    kept.answered(answer('{a="1"}', 12, run(5)));
    assertEqual(kept.afterMs, 104, 'tails again after a whole answer');
  });
});
