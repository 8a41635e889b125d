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
});
