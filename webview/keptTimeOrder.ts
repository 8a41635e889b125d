import type { TimeOrderedSamples } from '../common/timeOrder';
import { appendTimeOrder } from './appendTimeOrder';
import type { Timeline } from '../common/viewQuery';

/** What an answer says that decides whether the chart's samples are still its samples. */
export interface AnswerForChart {
  query: { selector: string; profileType?: string | undefined };
  timeline?: Timeline | undefined;
  timeOrder?: TimeOrderedSamples | undefined;
}

/**
 * The flame chart's samples between answers (pure). They are a whole run's, so a query is asked for them only when
 * those kept are not the latest answer's: another selection or type, or a timeline that changed (samples arrived).
 * A time range chosen on the timeline does not change them (the chart zooms instead), so brushing does not send a
 * million samples again; while samples arrive, each refresh brings them, since the query then asks for them.
 */
export class KeptTimeOrder {
  private kept: { selection: string; version: string; samples: TimeOrderedSamples | undefined } | undefined;
  private current: { selection: string; version: string } | undefined;
  /** The version last asked for, so that one that brings no samples (an empty selection) is asked for once. */
  private asked: string | undefined;
  /** A tail did not join what is kept (a chunk stored late): the next query asks for the whole run. */
  private needWhole = false;

  answered(answer: AnswerForChart): void {
    const selection = `${answer.query.selector}\u0000${answer.query.profileType ?? ''}`;
    const version = `${selection}\u0000${fingerprint(answer.timeline)}`;
    this.current = { selection, version };
    const tail = answer.timeOrder?.afterMs !== undefined ? answer.timeOrder : undefined;
    if (tail) {
      // A tail joins the samples kept for this selection; otherwise the whole run is asked for (once: see `asked`).
      const joined = this.kept?.selection === selection && this.kept.samples ? appendTimeOrder(this.kept.samples, tail) : undefined;
      if (joined) this.kept = { selection, version, samples: joined };
      else {
        this.needWhole = true;
        this.asked = undefined;
        if (this.kept?.selection !== selection) this.kept = undefined;
      }
    } else if (answer.timeOrder) {
      this.kept = { selection, version, samples: answer.timeOrder };
      this.needWhole = false;
    } else if (this.kept?.version === version) return;
    else if (this.asked === version) this.kept = { selection, version, samples: undefined };
    else if (this.kept?.selection !== selection) this.kept = undefined;
  }

  /**
   * The timestamp after which a query for the current selection asks for samples (the kept ones' last), so that the
   * answer is a tail; undefined: ask for the whole run.
   */
  get afterMs(): number | undefined {
    if (this.needWhole || !this.kept?.samples || this.kept.selection !== this.current?.selection) return undefined;
    return this.kept.samples.throughMs;
  }

  /** Whether a query should ask for the samples: those kept (if any) are not the latest answer's. */
  get wanted(): boolean {
    return this.current !== undefined && this.kept?.version !== this.current.version;
  }

  /** True once per version that is wanted: the caller then sends a query, which asks for the samples. */
  shouldAsk(): boolean {
    if (!this.wanted || this.asked === this.current!.version) return false;
    this.asked = this.current!.version;
    return true;
  }

  /**
   * What the chart draws: the samples kept (a refresh's may be a little old while new ones are asked for), 'none'
   * when they were asked for and the selection has none, undefined while there are none yet.
   */
  get samples(): TimeOrderedSamples | 'none' | undefined {
    if (!this.kept) return undefined;
    return this.kept.samples ?? 'none';
  }
}

/** A timeline in a few figures: the span, the buckets and their sum change whenever samples arrive. */
function fingerprint(timeline: Timeline | undefined): string {
  if (!timeline) return '';
  let sum = 0;
  for (const value of timeline.values) sum += value;
  return `${timeline.span.startMs}:${timeline.span.endMs}:${timeline.bucketMs}:${timeline.bucketStartMs.length}:${sum}`;
}
