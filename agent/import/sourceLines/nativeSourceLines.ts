import type { ImportedProfile } from '../importedProfile';
import { openLocalFile } from '../../localFiles';
import { addr2line, type SourceLocation } from './addr2line';
import { loadSegments, offsetToAddress, type LoadSegment } from './elfSegments';

/** Locations already looked up, by binary (path and modification time) and offset; bounded, oldest binaries dropped. */
const known = new Map<string, Map<string, SourceLocation | null>>();
const MAX_BINARIES = 64;

/**
 * Gives native frames (C, C++, Rust, Go profiled with perf) their source file and line from the binaries' debug
 * information on this machine: each function the file and first line of its sampled addresses, each sample the line
 * its leaf was executing. Binaries that are gone, changed, not ELF or without debug information are skipped; their
 * frames keep their names only. Each (binary, offset) is looked up once per agent, so a long recording pays for new
 * addresses only.
 */
export async function attachNativeSourceLines(profile: ImportedProfile): Promise<ImportedProfile> {
  const native = profile.nativeAddresses;
  if (!native) return profile;
  const byModule = new Map<string, Set<string>>();
  native.frameOffsets.forEach((offsets, frame) => {
    const module = profile.frames[frame]?.module;
    if (!offsets || !module) return;
    let set = byModule.get(module);
    if (!set) byModule.set(module, (set = new Set()));
    for (const offset of offsets) set.add(offset);
  });
  const locations = new Map<string, Map<string, SourceLocation | null>>();
  for (const [module, offsets] of byModule) {
    const found = await locate(module, [...offsets]);
    if (found) locations.set(module, found);
  }
  if (locations.size === 0) return profile;
  const frames = profile.frames.map((frame, index) => {
    const offsets = native.frameOffsets[index];
    const table = locations.get(frame.module);
    if (!offsets || !table || frame.file !== '') return frame;
    let best: SourceLocation | undefined;
    for (const offset of offsets) {
      const at = table.get(offset);
      if (at && (!best || (at.file === best.file && at.line < best.line))) best = at;
    }
    return best ? { ...frame, file: best.file, line: best.line } : frame;
  });
  // What a sample's line depends on besides its leaf offset is its stack's: the leaf's table of locations and file,
  // found once per stack rather than once per sample (a long recording has millions of samples, few stacks).
  const leafTables = profile.stacks.map(stack => (stack[0] === undefined ? undefined : locations.get(profile.frames[stack[0]]!.module)));
  const leafFiles = profile.stacks.map(stack => (stack[0] === undefined ? undefined : frames[stack[0]]!.file));
  const previous = profile.sampleLines;
  const sampleStacks = profile.sampleStacks;
  const sampleLines = new Array<number>(sampleStacks.length);
  for (let i = 0; i < sampleStacks.length; i++) {
    const offset = native.leafOffsets[i];
    const stack = sampleStacks[i]!;
    const at = offset == null ? undefined : leafTables[stack]?.get(offset);
    // A leaf line counts only in its function's own file (an inlined callee's line would land in the wrong file).
    sampleLines[i] = at && at.file === leafFiles[stack] ? at.line : (previous?.[i] ?? 0);
  }
  return { ...profile, frames, sampleLines };
}

async function locate(module: string, offsets: string[]): Promise<Map<string, SourceLocation | null> | undefined> {
  // The binary named by the profile is read under agent/localFiles.ts's rules: an executable or a shared library, a
  // regular file outside /proc, /sys and /dev (so never a FIFO, a device or a process's memory), opened without
  // blocking; only its ELF headers are read here, and addr2line is run only on an ELF file.
  const opened = await openLocalFile(module, { what: 'binary', binary: true });
  if (!('handle' in opened)) return undefined;
  let key: string;
  let segments: LoadSegment[] | undefined;
  try {
    key = `${module}\u0000${(await opened.handle.stat()).mtimeMs}`;
    segments = await loadSegments(opened.handle);
  } catch {
    return undefined;
  } finally {
    await opened.handle.close();
  }
  if (!segments || segments.length === 0) return undefined;
  let cache = known.get(key);
  if (!cache) {
    if (known.size >= MAX_BINARIES) known.delete(known.keys().next().value!);
    known.set(key, (cache = new Map()));
  }
  const wanted = offsets.filter(o => !cache.has(o));
  if (wanted.length > 0) {
    const addressOf = new Map<string, number>();
    for (const offset of wanted) {
      const value = parseInt(offset, 16);
      // perf prints offsets into the file; an address already linked (an old perf) is taken as it is.
      const address = offsetToAddress(segments, value) ?? value;
      addressOf.set(offset, address);
    }
    const found = await addr2line(module, [...new Set(addressOf.values())]);
    for (const [offset, address] of addressOf) cache.set(offset, found.get(address) ?? null);
  }
  return cache;
}
