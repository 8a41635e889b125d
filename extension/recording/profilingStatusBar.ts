import * as vscode from 'vscode';
import type { RecordingSessions } from './recordingSessions';

/** The command the status bar item runs: a menu to stop profiling or open the run's flame graph. */
export const PROFILING_MENU_COMMAND = 'icicle.profilingMenu';

/**
 * A status bar item while a run is profiled: its state and sample count, e.g. "Icicle: 1,234 samples"; clicking
 * it offers to stop profiling or open the flame graph. Hidden when nothing is profiled.
 */
export class ProfilingStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('icicle.profiling', vscode.StatusBarAlignment.Left, 50);
  private readonly subscription: vscode.Disposable;
  /** Ticks every second while a run profiles for a given time, for its countdown. */
  private countdown: NodeJS.Timeout | undefined;

  constructor(private readonly sessions: RecordingSessions) {
    this.item.name = 'Icicle Profiling';
    this.item.command = PROFILING_MENU_COMMAND;
    this.subscription = sessions.onDidChange(() => this.update());
    this.update();
  }

  /** The item's text, for the editor tests. */
  get text(): string {
    return this.item.text;
  }

  private update(): void {
    const active = this.sessions.active();
    const timed = active.find(r => r.state === 'recording' && r.until?.kind === 'time');
    if (timed && !this.countdown) this.countdown = setInterval(() => this.update(), 1000);
    if (!timed && this.countdown) {
      clearInterval(this.countdown);
      this.countdown = undefined;
    }
    if (active.length === 0) {
      this.item.hide();
      return;
    }
    const samples = active.reduce((sum, r) => sum + r.samples, 0);
    const stopped = active.every(r => r.state === 'stopped');
    const count = `${samples.toLocaleString('en-US')} sample${samples === 1 ? '' : 's'}`;
    // A partial profile says until when it records: the seconds left, or the next breakpoint.
    const until = active.find(r => r.state === 'recording' && r.until)?.until;
    const left = until?.kind === 'time' ? ` · ${Math.max(0, Math.ceil((until.endsAt - Date.now()) / 1000))} s left` : until?.kind === 'breakpoint' ? ' · until a breakpoint' : '';
    // Until the first chunk is stored (a couple of seconds), there is no count to show.
    this.item.text = stopped ? `$(debug-pause) Icicle: stopped · ${count}` : samples === 0 ? `$(flame) Icicle: profiling${left}` : `$(flame) Icicle: ${count}${left}`;
    this.item.tooltip = `Icicle is ${stopped ? 'no longer profiling' : 'profiling'} ${active.map(r => r.name).join(', ')}. Click to start or stop profiling or open the flame graph.`;
    this.item.accessibilityInformation = { label: `Icicle ${stopped ? 'stopped' : 'profiling'}, ${count}${left}` };
    this.item.show();
  }

  dispose(): void {
    if (this.countdown) clearInterval(this.countdown);
    this.subscription.dispose();
    this.item.dispose();
  }
}
