import * as vscode from 'vscode';

export interface Recording {
  /** The `session_id` label of the run's samples. */
  readonly sessionId: string;
  /** What the user calls the run: the launch configuration's name. */
  readonly name: string;
  readonly startedAt: Date;
  samples: number;
  /** `stopped`: the user stopped profiling; a debug run's probe is only paused, and can be started again. */
  state: 'recording' | 'stopped' | 'ended';
  /** Until when a partial profile of a debug run records: a time (ms since the epoch) or the next breakpoint. */
  until?: { kind: 'time'; endsAt: number } | { kind: 'breakpoint' };
}

/**
 * The runs being profiled in this window, with their sample counts as the agent stores them: what the status bar
 * shows and what "Stop Profiling" stops.
 */
export class RecordingSessions implements vscode.Disposable {
  private readonly recordings = new Map<string, Recording>();
  private readonly onDidChangeEmitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.onDidChangeEmitter.event;

  start(sessionId: string, name: string): Recording {
    const recording: Recording = { sessionId, name, startedAt: new Date(), samples: 0, state: 'recording' };
    this.recordings.set(sessionId, recording);
    this.onDidChangeEmitter.fire();
    return recording;
  }

  get(sessionId: string): Recording | undefined {
    return this.recordings.get(sessionId);
  }

  all(): Recording[] {
    return [...this.recordings.values()];
  }

  /** Runs still going (recording or stopped by the user but not ended), oldest first. */
  active(): Recording[] {
    return [...this.recordings.values()].filter(r => r.state !== 'ended');
  }

  addSamples(sessionId: string | undefined, rows: number): void {
    const recording = sessionId === undefined ? undefined : this.recordings.get(sessionId);
    if (!recording) return;
    recording.samples += rows;
    this.onDidChangeEmitter.fire();
  }

  setState(sessionId: string, state: Recording['state']): void {
    const recording = this.recordings.get(sessionId);
    if (!recording || recording.state === state) return;
    recording.state = state;
    if (state !== 'recording') recording.until = undefined;
    this.onDidChangeEmitter.fire();
  }

  /** Forgets a run that never recorded anything (the probe could not be loaded). */
  remove(sessionId: string): void {
    if (this.recordings.delete(sessionId)) this.onDidChangeEmitter.fire();
  }

  setUntil(sessionId: string, until: Recording['until']): void {
    const recording = this.recordings.get(sessionId);
    if (!recording) return;
    recording.until = until;
    this.onDidChangeEmitter.fire();
  }

  dispose(): void {
    this.onDidChangeEmitter.dispose();
  }
}
