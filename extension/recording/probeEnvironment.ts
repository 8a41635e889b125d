import { PROBE_ENV } from '../../common/protocol/probeProtocol';

/** Where a profiled program's probe sends its chunks, and how it samples. */
export interface ProbeTarget {
  /** out/agent/nodeProbe.js inside the extension. */
  probeModule: string;
  socketPath: string;
  spoolDirectory: string;
  intervalMicros: number;
  /** Whether the probe also samples heap allocations (`icicle.profile.allocations`): runs get allocated bytes. */
  allocations?: boolean;
}

/**
 * The settings that change how the probe samples (extension.ts reads them into a ProbeTarget): a change applies to
 * the runs started after it, and to the terminals opened after it.
 */
export const PROBE_SETTINGS = ['icicle.samplingIntervalMicroseconds', 'icicle.profile.allocations'] as const;

/**
 * The environment variables that make a Node.js program profile itself: NODE_OPTIONS loads the probe (after any
 * options already there; Node reads double-quoted paths, so a path with spaces works), and the ICICLE_* variables
 * tell it where to send, how often to sample, whether to sample allocations too and which labels to give. Child
 * processes inherit all of it.
 */
export function probeEnvironment(target: ProbeTarget, labels: Record<string, string>, nodeOptions: string | undefined): Record<string, string> {
  const require = `--require ${JSON.stringify(target.probeModule)}`;
  return {
    NODE_OPTIONS: nodeOptions ? `${nodeOptions} ${require}` : require,
    [PROBE_ENV.socket]: target.socketPath,
    [PROBE_ENV.spool]: target.spoolDirectory,
    [PROBE_ENV.labels]: JSON.stringify(labels),
    [PROBE_ENV.intervalMicros]: String(target.intervalMicros),
    ...(target.allocations ? { [PROBE_ENV.allocations]: '1' } : {}),
  };
}
