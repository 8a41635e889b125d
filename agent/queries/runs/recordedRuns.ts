import { COLUMN, LABEL_PREFIX, labelColumn } from '../../../storage/schema';
import { count, executePlan, max, min, numbers, scan, selectionPredicate, strings, sum, type ScanSource } from '../../../storage/query';

/** One recorded run: the samples sharing a `session_id`, with when they were taken and what describes them. */
export interface RecordedRun {
  sessionId: string;
  /** First and last sample, in milliseconds since the epoch. */
  startMs: number;
  endMs: number;
  samples: number;
  /** The sum of the samples' values (nanoseconds of CPU time for a CPU time profile type). */
  value: number;
  /** The labels that describe a run (branch, launch configuration...), from its samples; absent ones left out. */
  labels: Record<string, string>;
}

/** The labels a run is described by, when its samples have them. */
export const RUN_LABELS = ['branch', 'commit', 'dirty', 'launch_config', 'launcher', 'runtime', 'command', 'workspace_folder'] as const;

/**
 * The recorded runs of one profile type, newest first: one aggregation grouped by `session_id` and the describing
 * labels. A run whose samples disagree on a label (a branch switched mid-run) keeps the value of its earliest group.
 */
export async function recordedRuns(source: ScanSource, profileType: string, limit = 500): Promise<RecordedRun[]> {
  const present = new Set(source.columnNames());
  const session = labelColumn('session_id');
  if (!present.has(session)) return [];
  const describing = RUN_LABELS.map(labelColumn).filter(column => present.has(column));
  const plan = scan()
    .where(selectionPredicate({ profileType, matchers: [{ key: 'session_id', op: '=~', value: '.+' }] }))
    .aggregate([session, ...describing], [min(COLUMN.timestamp, 'start'), max(COLUMN.timestamp, 'end'), count('samples'), sum(COLUMN.value, 'value')])
    .build();
  const { table } = await executePlan(plan, source);
  const ids = strings(table, session);
  const starts = numbers(table, 'start');
  const ends = numbers(table, 'end');
  const samples = numbers(table, 'samples');
  const values = numbers(table, 'value');
  const labelValues = describing.map(column => strings(table, column));
  const runs = new Map<string, RecordedRun>();
  for (let row = 0; row < ids.length; row++) {
    const sessionId = ids[row];
    if (sessionId === null || sessionId === undefined) continue;
    let run = runs.get(sessionId);
    if (!run) {
      run = { sessionId, startMs: starts[row]!, endMs: ends[row]!, samples: 0, value: 0, labels: {} };
      runs.set(sessionId, run);
    }
    run.startMs = Math.min(run.startMs, starts[row]!);
    run.endMs = Math.max(run.endMs, ends[row]!);
    run.samples += samples[row]!;
    run.value += values[row]!;
    describing.forEach((column, i) => {
      const value = labelValues[i]![row];
      const key = column.slice(LABEL_PREFIX.length);
      if (value !== null && value !== undefined && run.labels[key] === undefined) run.labels[key] = value;
    });
  }
  return [...runs.values()].sort((a, b) => b.startMs - a.startMs || (a.sessionId < b.sessionId ? -1 : 1)).slice(0, limit);
}
