/**
 * Helpers for the source-map tests: compiling and bundling the test program, profiling it for real with
 * `node --cpu-prof`, and reading the profile as ImportedFrames. Used only by tests.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { ProfileBuilder, type ImportedFrame, type ImportedProfile } from '../../agent/import/importedProfile';

const run = promisify(execFile);
export const repoRoot = resolve(__dirname, '..', '..');
/** The TypeScript program the source-map tests compile, bundle and profile. */
export const tsApp = join(repoRoot, 'agent', 'import', 'sourceMaps', 'testdata', 'ts-app');

/** Compiles the test program with the repository's TypeScript into `outDir`, with `--sourceMap` or `--inlineSourceMap`. */
export async function compileTsApp(outDir: string, mapOption: '--sourceMap' | '--inlineSourceMap'): Promise<void> {
  await run(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', join(tsApp, 'tsconfig.json'), mapOption, '--outDir', outDir]);
}

/** Bundles the test program with esbuild into `outFile`. */
export async function bundleTsApp(outFile: string, sourcemap: true | 'inline'): Promise<void> {
  const esbuild = await import('esbuild');
  await esbuild.build({ entryPoints: [join(tsApp, 'src/main.ts')], bundle: true, platform: 'node', format: 'cjs', sourcemap, outfile: outFile, logLevel: 'silent' });
}

/** Runs a script under `node --cpu-prof` and returns the parsed .cpuprofile JSON. */
export async function profileScript(script: string, profileDir: string): Promise<V8Profile> {
  await run(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, script]);
  const file = readdirSync(profileDir).find(f => f.endsWith('.cpuprofile'));
  if (file === undefined) throw new Error(`node --cpu-prof wrote no profile in ${profileDir}`);
  return JSON.parse(readFileSync(join(profileDir, file), 'utf8')) as V8Profile;
}

export interface V8Profile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** A V8 call frame as an ImportedFrame: 0-based positions (-1 unknown) become 1-based (0 unknown). */
export function v8Frame(callFrame: V8Profile['nodes'][number]['callFrame']): ImportedFrame {
  return {
    name: callFrame.functionName === '' ? '(anonymous)' : callFrame.functionName,
    file: callFrame.url,
    line: callFrame.lineNumber >= 0 ? callFrame.lineNumber + 1 : 0,
    column: callFrame.columnNumber >= 0 ? callFrame.columnNumber + 1 : 0,
    module: '',
    address: 0,
  };
}

/** A minimal .cpuprofile → ImportedProfile adapter (one sample per V8 sample, stacks leaf first, no "(root)"). */
export function toImportedProfile(profile: V8Profile): ImportedProfile {
  const builder = new ProfileBuilder('cpuprofile', [{ profileType: 'process_cpu:cpu:nanoseconds:cpu:nanoseconds', unit: 'nanoseconds' }]);
  const byId = new Map(profile.nodes.map(n => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const stackOf = new Map<number, number>();
  for (const node of profile.nodes) {
    const frames: number[] = [];
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const callFrame = byId.get(id)!.callFrame;
      if (callFrame.functionName === '(root)' && callFrame.url === '') break;
      frames.push(builder.frame(v8Frame(callFrame)));
    }
    stackOf.set(node.id, builder.stack(frames));
  }
  profile.samples.forEach((id, i) => builder.sample(stackOf.get(id)!, [Math.max(0, profile.timeDeltas[i + 1] ?? 0) * 1000]));
  return builder.build({ durationNs: (profile.endTime - profile.startTime) * 1000 });
}
