/**
 * What the readers of a Chrome trace's samples share: chromeTrace.ts (Hermes samples, duration events) and the V8
 * CPU profiles a trace holds (../v8/traceProfile.ts).
 */

/**
 * Deeper stacks than this are not a program's call structure but a generator's bug or an attack on our time (V8
 * itself records at most 255 frames a sample).
 */
export const MAX_STACK_DEPTH = 4096;

export interface Labels {
  [key: string]: string;
}

/** The labels of a thread's samples (one object per thread, shared by its samples). */
export type LabelsOf = (pid: string | undefined, tid: string | undefined) => Labels;

/** The trace microseconds the read samples span: NaN until the first profile with samples widens it. */
export interface TraceSpan {
  origin: number;
  end: number;
}

export function minOf(a: number, b: number): number {
  return Number.isNaN(a) ? b : Math.min(a, b);
}

export function maxOf(a: number, b: number): number {
  return Number.isNaN(a) ? b : Math.max(a, b);
}
