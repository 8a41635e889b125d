/**
 * The human-readable table of the storage benchmark: one line per figure with the peer measured in the same
 * run, their ratio, the target and whether it is met. Lines without a target are context for reading the others.
 */
export interface ReportLine {
  name: string;
  figure: string;
  peer: string;
  ratio: string;
  target: string;
  /** Undefined for lines that carry no target. */
  pass: boolean | undefined;
}

export function printReport(title: string, lines: readonly ReportLine[], notes: readonly string[]): void {
  const header: ReportLine = { name: 'figure', figure: 'store', peer: 'peer (same run)', ratio: 'ratio', target: 'target', pass: undefined };
  const widths = {
    name: Math.max(...[header, ...lines].map(l => l.name.length)),
    figure: Math.max(...[header, ...lines].map(l => l.figure.length)),
    peer: Math.max(...[header, ...lines].map(l => l.peer.length)),
    ratio: Math.max(...[header, ...lines].map(l => l.ratio.length)),
    target: Math.max(...[header, ...lines].map(l => l.target.length)),
  };
  const row = (l: ReportLine, verdict: string): string =>
    [l.name.padEnd(widths.name), l.figure.padStart(widths.figure), l.peer.padEnd(widths.peer), l.ratio.padStart(widths.ratio), l.target.padEnd(widths.target), verdict].join('  ');
  console.log(title);
  console.log(row(header, 'result'));
  for (const line of lines) console.log(row(line, line.pass === undefined ? '' : line.pass ? 'PASS' : 'MISS'));
  for (const note of notes) console.log(`  - ${note}`);
}

export const ms = (value: number): string => `${value.toFixed(1)} ms`;
export const perSecond = (value: number): string => `${(value / 1e6).toFixed(2)} M/s`;
export const times = (value: number): string => `${value.toFixed(2)}×`;
