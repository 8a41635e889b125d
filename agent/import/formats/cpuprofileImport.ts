import { classifyJavaScriptFrame } from '../../frameKind';
import { parseCpuProfile } from '../../importers/cpuprofile';
import { ProfileBuilder, type ImportedFrame, type ImportedProfile } from '../importedProfile';

/** CPU time whose value is nanoseconds, Parca's name; a row stands for one sample. */
export const CPU_TIME_PROFILE_TYPE = 'process_cpu:cpu:nanoseconds:cpu:nanoseconds';

/** The JSON signature of a V8 CPU profile: a `nodes` array, or the legacy `head` tree. */
export function looksLikeCpuProfile(json: unknown): boolean {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return false;
  const record = json as Record<string, unknown>;
  return Array.isArray(record['nodes']) || (typeof record['head'] === 'object' && record['head'] !== null && 'callFrame' in (record['head'] as object) === false && 'functionName' in (record['head'] as object));
}

/**
 * A V8 `.cpuprofile` in the common imported form. The parser (agent/importers/cpuprofile.ts) merges V8's nodes and
 * attributes each sample its time; each merged node becomes a stack (leaf first) and each sample a row whose value
 * is its time in nanoseconds, at `startMs` plus its offset.
 */
export function cpuProfileToImported(text: string, displayName: string, startMs: number): ImportedProfile {
  const parsed = parseCpuProfile(text, displayName);
  const builder = new ProfileBuilder('cpuprofile', [{ profileType: CPU_TIME_PROFILE_TYPE, unit: 'nanoseconds' }]);
  const frameOfBuilderFrame = new Map<number, number>();
  const stackOfNode = new Map<number, number>();
  const { nodes, samples } = parsed;
  const stackOf = (node: number): number => {
    let id = stackOfNode.get(node);
    if (id !== undefined) return id;
    const frames: number[] = [];
    for (let n = node; n >= 0; n = nodes.parentOf(n)) {
      const builderFrame = nodes.frameIdOf(n);
      if (builderFrame < 0) continue;
      let frame = frameOfBuilderFrame.get(builderFrame);
      if (frame === undefined) {
        const f = nodes.frameOf(n)!;
        const imported: ImportedFrame = { name: f.name, file: f.url, line: f.line, column: f.column, module: '', address: 0 };
        frame = builder.frame(imported);
        frameOfBuilderFrame.set(builderFrame, frame);
      }
      frames.push(frame);
    }
    id = builder.stack(frames);
    stackOfNode.set(node, id);
    return id;
  };
  for (let i = 0; i < samples.node.length; i++) {
    builder.sample(stackOf(samples.node[i]!), [Math.round(samples.micros[i]! * 1000)], startMs + samples.offsetMicros[i]! / 1000);
  }
  return builder.build({
    startMs,
    durationNs: Math.round(parsed.summary.durationMicros * 1000),
    frameKinds: frame => classifyJavaScriptFrame(frame.name, frame.file, frame.line - 1),
  });
}
