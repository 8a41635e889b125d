/**
 * Maps generated JavaScript positions (what V8 reports) back to the original sources through source maps.
 *
 * ## The "mapped from" marker
 *
 * `resolveFrames` never guesses. For every frame it either
 * - **maps it**: the new frame's `file`, `line` and `column` are the original's (`file` an absolute path), and its
 *   `module` records where it was generated, as `<generated file>:<line>:<column>` with the frame's own `file`
 *   string (a `file://` URL or a path, exactly as the profile had it) and its 1-based line and column; or
 * - **leaves it unchanged** (the same object, `module` untouched: '' for every JavaScript importer), when the script
 *   has no usable map, the position has no mapping, or the frame's position is unknown.
 *
 * So, for a JavaScript frame, a non-empty `module` means "mapped from that generated position", and `mappedFrom`
 * reads it back. The frame's `name` is V8's function name, which is already the original one (V8 names functions
 * from the source it runs, and names survive tsc and bundlers unless minified); it is replaced by the map's name
 * only when V8 had none ('' or '(anonymous)') and the map names the position.
 *
 * ## Position conventions
 *
 * `ImportedFrame` lines and columns are 1-based. trace-mapping's `traceSegment` takes and returns 0-based lines and
 * columns (its `originalPositionFor` mixes 1-based lines with 0-based columns, which is why it is not used here).
 * V8 reports a function's start position (the `(` of its parameter list), so a frame maps to the segment at or
 * before that position on the same generated line, which is where the original function is declared; a position
 * with no segment at or before it on its line stays unmapped.
 *
 * ## Finding maps, and security
 *
 * Only scripts that are local files (`file://` URLs or absolute paths) are considered: `node:`, `internal/`,
 * `http(s):`, evaluated code and empty URLs never are, and nothing is ever fetched. A script's map is named by its
 * last `//# sourceMappingURL=` (or legacy `//@`, or `/*# ... *\/`) comment, which may be a path relative to the script,
 * an absolute path or `file://` URL, or an inline `data:application/json` URL; any other target (`http(s):` …)
 * is not followed. Without a usable comment target, `<script>.map` beside the script is tried. Every file is read
 * under agent/localFiles.ts's rules, asynchronously: a script must be a `.js`, `.mjs` or `.cjs` file and a map a
 * `.map` file (also once links are followed), a regular file outside /proc, /sys and /dev, no larger than
 * `maxFileBytes`; anything else a profile names is never opened. Results are cached per script, failures included,
 * each with a reason (`reasonFor`); a malformed map is "no map". A resolver kept across a recording's chunks
 * (`revalidate`) reads a script and its map again only once one of them changed size or modification time.
 *
 * ## Original sources
 *
 * `sources` are resolved against the map's directory after `sourceRoot` is prefixed. `file://` sources become
 * paths. Bundler pseudo-URLs (`webpack://app/./src/x.ts`, `webpack:///./src/x.ts`, `webpack-internal:///`, and any
 * other non-http `scheme://`) lose their scheme, their namespace (the first segment after `//`) and any
 * `?loaders` query; the rest is resolved relative to the map's directory and, when no such file exists there, to
 * the nearest of its ancestor directories (up to `WEBPACK_SEARCH_DEPTH` levels) where the file exists, since
 * webpack writes paths relative to its context, usually the project root above the output directory. Sources
 * that are remote URLs (`http(s):`, `data:`) map no frame. Sources are only names given to frames: they are never
 * opened (a webpack-style one is only looked for, by `stat`), so a map cannot make the agent read `../../etc/passwd`.
 */
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FlattenMap, TraceMap, traceSegment, type SourceMapInput } from '@jridgewell/trace-mapping';
import type { ImportedFrame } from '../importedProfile';
import { JAVASCRIPT_EXTENSIONS, readLocalText, SOURCE_MAP_EXTENSIONS } from '../../localFiles';
import { log as agentLog, type LogLevel } from '../../log';

/** Scripts and maps larger than this are skipped (with a logged reason). */
export const DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024;
/** How many directories above a map's own a webpack-style source is looked for. */
export const WEBPACK_SEARCH_DEPTH = 4;

/** An original position: `file` an absolute path, `line` and `column` 1-based. */
export interface OriginalPosition {
  file: string;
  line: number;
  column: number;
  /** The map's name for the position, when it has one. */
  name: string | undefined;
}

/** A generated position, read back from a mapped frame's `module`. */
export interface GeneratedPosition {
  file: string;
  line: number;
  column: number;
}

/** A local script for which no usable map was found, and why. */
export interface MissingMap {
  script: string;
  reason: string;
}

export interface ResolvedFrames {
  /** New frames, parallel to the input: mapped ones are new objects, the others the input's own. */
  frames: ImportedFrame[];
  /** Per frame: whether it was mapped. */
  isMapped: boolean[];
  mapped: number;
  unmapped: number;
  /** Local scripts that some frame came from and that have no usable map (sorted, each once). */
  missingMaps: MissingMap[];
}

export interface SourceMapResolverOptions {
  /** Scripts and maps above this size are not read. */
  maxFileBytes?: number;
  /** Where reasons are logged; the agent's log by default. */
  log?: (level: LogLevel, message: string) => void;
  /**
   * Whether a script's cached result is checked before each use: when the script or its map changed size or
   * modification time (or appeared, or went), they are read again. For a resolver kept across a recording's chunks
   * (RecordingSourceMaps); an import's resolver lives for one file and reads each script once.
   */
  revalidate?: boolean;
}

/** A file a script's result was read from (or looked for), and its size and modification time then ('absent'). */
interface FileState {
  file: string;
  state: string;
}

/** A loaded map and its sources resolved to paths (null: not a local file, so it maps nothing). */
interface LoadedMap {
  map: TraceMap;
  mapFile: string;
  sources: Promise<(string | null)[]>;
  /** Set when decoding failed at first lookup: the map is then treated as absent. */
  broken: string | undefined;
}

type ScriptResult = ({ ok: true; loaded: LoadedMap } | { ok: false; local: boolean; reason: string }) & { files?: FileState[] };

const NAMELESS = new Set(['', '(anonymous)']);

export class SourceMapResolver {
  private readonly maxFileBytes: number;
  private readonly log: (level: LogLevel, message: string) => void;
  private readonly scripts = new Map<string, Promise<ScriptResult>>();
  private readonly existence = new Map<string, Promise<boolean>>();
  private readonly revalidate: boolean;
  /** Scripts and maps read so far (a script read again after it changed counts again). */
  filesRead = 0;

  constructor(options: SourceMapResolverOptions = {}) {
    this.maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    this.log = options.log ?? agentLog;
    this.revalidate = options.revalidate ?? false;
  }

  /**
   * The original position of a generated one (`line` and `column` 1-based) in `script` (a `file://` URL or an
   * absolute path), or undefined when there is none. Never throws.
   */
  async originalPositionFor(script: string, line: number, column: number): Promise<OriginalPosition | undefined> {
    if (!(line >= 1 && column >= 1)) return undefined;
    await this.forgetChanged([script]);
    const result = await this.mapForScript(script);
    if (!result.ok) return undefined;
    return this.lookup(result.loaded, script, line, column);
  }

  /** Why `script` has no usable map, or undefined if it has one or was never asked about. */
  async reasonFor(script: string): Promise<string | undefined> {
    const result = await this.scripts.get(script);
    return result && !result.ok ? result.reason : undefined;
  }

  /** Maps every frame it can; see the file comment for what a mapped frame looks like. Never throws. */
  async resolveFrames(frames: readonly ImportedFrame[]): Promise<ResolvedFrames> {
    // Load each distinct script's map once, concurrently, before the (synchronous) lookups.
    const distinct = [...new Set(frames.map(f => f.file))];
    await this.forgetChanged(distinct);
    const results = new Map<string, ScriptResult>();
    await Promise.all(distinct.map(async s => results.set(s, await this.mapForScript(s))));
    const sourcesOf = new Map<LoadedMap, (string | null)[]>();
    for (const result of results.values()) if (result.ok) sourcesOf.set(result.loaded, await result.loaded.sources);

    const out: ImportedFrame[] = [];
    const isMapped: boolean[] = [];
    const missing = new Map<string, string>();
    let mapped = 0;
    for (const frame of frames) {
      const result = results.get(frame.file)!;
      let original: OriginalPosition | undefined;
      if (result.ok && frame.line >= 1 && frame.column >= 1) {
        original = this.lookupSync(result.loaded, sourcesOf.get(result.loaded)!, frame.file, frame.line, frame.column);
        if (result.loaded.broken !== undefined) missing.set(frame.file, result.loaded.broken);
      } else if (!result.ok && result.local) {
        missing.set(frame.file, result.reason);
      }
      if (original === undefined) {
        out.push(frame);
        isMapped.push(false);
        continue;
      }
      out.push({
        name: NAMELESS.has(frame.name) && original.name ? original.name : frame.name,
        file: original.file,
        line: original.line,
        column: original.column,
        module: `${frame.file}:${frame.line}:${frame.column}`,
        address: frame.address,
      });
      isMapped.push(true);
      mapped++;
    }
    const missingMaps = [...missing].map(([script, reason]) => ({ script, reason })).sort((a, b) => (a.script < b.script ? -1 : a.script > b.script ? 1 : 0));
    return { frames: out, isMapped, mapped, unmapped: frames.length - mapped, missingMaps };
  }

  private async lookup(loaded: LoadedMap, script: string, line: number, column: number): Promise<OriginalPosition | undefined> {
    return this.lookupSync(loaded, await loaded.sources, script, line, column);
  }

  private lookupSync(loaded: LoadedMap, sources: (string | null)[], script: string, line: number, column: number): OriginalPosition | undefined {
    if (loaded.broken !== undefined) return undefined;
    let segment: readonly number[] | null;
    try {
      segment = traceSegment(loaded.map, line - 1, column - 1);
    } catch (error) {
      // The mappings are decoded at the first lookup, so a corrupt VLQ string shows only now.
      loaded.broken = `its map ${loaded.mapFile} cannot be decoded (${describe(error)})`;
      this.log('warn', `Source maps: ${script}: ${loaded.broken}; its frames stay unmapped.`);
      return undefined;
    }
    if (segment === null || segment.length < 4) return undefined;
    const file = sources[segment[1]!];
    // Out-of-range indices and negative positions come only from corrupt mappings: no guess is made from them.
    if (file === undefined || file === null || !(segment[2]! >= 0 && segment[3]! >= 0)) return undefined;
    const nameIndex = segment[4];
    const name = nameIndex === undefined ? undefined : loaded.map.names[nameIndex];
    return { file, line: segment[2]! + 1, column: segment[3]! + 1, name: typeof name === 'string' ? name : undefined };
  }

  /** With `revalidate`, forgets the results of scripts whose files changed since they were read. */
  private async forgetChanged(scripts: readonly string[]): Promise<void> {
    if (!this.revalidate) return;
    await Promise.all(
      scripts.map(async script => {
        const cached = this.scripts.get(script);
        if (cached === undefined) return;
        const { files = [] } = await cached;
        const now = await Promise.all(files.map(f => fileState(f.file)));
        if (now.some((state, i) => state !== files[i]!.state) && this.scripts.get(script) === cached) {
          this.scripts.delete(script);
          // Webpack-style sources are looked for again too: a rebuilt map may name other files.
          this.existence.clear();
        }
      }),
    );
  }

  private mapForScript(script: string): Promise<ScriptResult> {
    let result = this.scripts.get(script);
    if (result === undefined) {
      result = this.loadForScript(script).catch((error: unknown): ScriptResult => ({ ok: false, local: true, reason: `unexpected error: ${describe(error)}` }));
      result.then(r => {
        // Most scripts (node_modules, plain JavaScript) have no map: that is worth a debug line, not more.
        if (!r.ok && r.local) this.log('debug', `Source maps: no map for ${script}: ${r.reason}.`);
      });
      this.scripts.set(script, result);
    }
    return result;
  }

  private async loadForScript(script: string): Promise<ScriptResult> {
    const files: FileState[] = [];
    const result = await this.loadFiles(script, files);
    return { ...result, files };
  }

  /** A script's map, read under the rules; `files` gains each file read or looked for, with its state first. */
  private async loadFiles(script: string, files: FileState[]): Promise<ScriptResult> {
    const scriptPath = localScriptPath(script);
    if (scriptPath === undefined) return { ok: false, local: false, reason: 'not a local file' };
    const readLocal = async (file: string, what: 'script' | 'map'): Promise<string | { reason: string }> => {
      // Its state before it is read: a change while it is read shows as a change at the next check.
      if (this.revalidate) files.push({ file, state: await fileState(file) });
      return this.readLocal(file, what);
    };
    const text = await readLocal(scriptPath, 'script');
    if (typeof text !== 'string') return { ok: false, local: true, reason: text.reason };

    const reasons: string[] = [];
    const reference = findSourceMappingUrl(text);
    if (reference !== undefined) {
      if (reference.startsWith('data:')) {
        const json = decodeDataUrl(reference);
        if (typeof json !== 'string') return { ok: false, local: true, reason: `its inline map ${json.reason}` };
        return this.parseMap(json, scriptPath, `the inline map of ${scriptPath}`);
      }
      const target = localMapTarget(reference, scriptPath);
      if (typeof target === 'string') {
        const mapText = await readLocal(target, 'map');
        if (typeof mapText === 'string') return this.parseMap(mapText, target, target);
        reasons.push(`its sourceMappingURL names ${target}, which ${mapText.reason}`);
      } else {
        reasons.push(`its sourceMappingURL ${target.reason}`);
      }
    }
    const beside = `${scriptPath}.map`;
    const besideText = await readLocal(beside, 'map');
    if (typeof besideText === 'string') return this.parseMap(besideText, beside, beside);
    if (reference === undefined) reasons.push(`it has no sourceMappingURL comment and ${beside} ${besideText.reason}`);
    return { ok: false, local: true, reason: reasons.join('; ') };
  }

  private parseMap(json: string, mapFile: string, description: string): ScriptResult {
    const problem = (reason: string): ScriptResult => {
      this.log('warn', `Source maps: ${description} is malformed (${reason}); its frames stay unmapped.`);
      return { ok: false, local: true, reason: `${description} is malformed: ${reason}` };
    };
    let parsed: unknown;
    try {
      // Maps may start with the XSSI guard `)]}'`, which the spec says to skip.
      parsed = JSON.parse(json.replace(/^\)\]\}'[^\n]*\n/, ''));
    } catch {
      return problem('not valid JSON');
    }
    const shape = checkShape(parsed);
    if (shape !== undefined) return problem(shape);
    let map: TraceMap;
    try {
      // No map URL: sources are resolved here, against the local file system only.
      const input = parsed as unknown as SourceMapInput;
      map = isObject(parsed) && Array.isArray(parsed['sections']) ? FlattenMap(input, null) : new TraceMap(input, null);
    } catch (error) {
      return problem(describe(error));
    }
    const loaded: LoadedMap = { map, mapFile, sources: Promise.resolve([]), broken: undefined };
    loaded.sources = Promise.all(map.sources.map(s => this.resolveSource(s, map.sourceRoot, path.dirname(mapFile))));
    return { ok: true, loaded };
  }

  /** A map source as an absolute path, or null when it is not a local file. */
  private async resolveSource(source: string | null, sourceRoot: string | undefined, mapDir: string): Promise<string | null> {
    if (source === null || source === '') return null;
    let full = source;
    if (sourceRoot && !hasScheme(source) && !path.isAbsolute(source)) full = `${sourceRoot.replace(/\/+$/, '')}/${source}`;
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(full)?.[1]?.toLowerCase();
    if (scheme === undefined || (scheme.length === 1 && path.win32.isAbsolute(full))) return path.resolve(mapDir, full);
    if (scheme === 'file') {
      try {
        return fileURLToPath(full);
      } catch {
        return null;
      }
    }
    if (scheme === 'http' || scheme === 'https' || scheme === 'data' || !full.slice(scheme.length + 1).startsWith('//')) return null;
    // A bundler's pseudo-URL: scheme://namespace/relative-path?loaders.
    let rest = full.slice(scheme.length + 3).replace(/[?#].*$/, '');
    try {
      rest = decodeURIComponent(rest);
    } catch {
      // Keep it as written.
    }
    const relative = rest.startsWith('/') ? rest.slice(1) : rest.replace(/^[^/]*\//, '');
    if (relative === '' || relative === rest) return null;
    const candidates: string[] = [];
    if (rest.startsWith('/') && path.isAbsolute(`/${relative}`) && !relative.startsWith('.')) candidates.push(`/${relative}`);
    let dir = mapDir;
    for (let level = 0; level <= WEBPACK_SEARCH_DEPTH; level++) {
      candidates.push(path.resolve(dir, relative));
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
    for (const candidate of candidates) if (await this.exists(candidate)) return candidate;
    return path.resolve(mapDir, relative);
  }

  private exists(file: string): Promise<boolean> {
    let known = this.existence.get(file);
    if (known === undefined) {
      known = stat(file).then(
        s => s.isFile(),
        () => false,
      );
      this.existence.set(file, known);
    }
    return known;
  }

  /**
   * Reads a script or a map under agent/localFiles.ts's rules (a JavaScript or `.map` file, regular, not in /proc,
   * /sys or /dev, no larger than the limit), or says why not.
   */
  private async readLocal(file: string, what: 'script' | 'map'): Promise<string | { reason: string }> {
    const extensions = what === 'script' ? JAVASCRIPT_EXTENSIONS : SOURCE_MAP_EXTENSIONS;
    const text = await readLocalText(file, { what, extensions, maxBytes: this.maxFileBytes });
    if (typeof text === 'string') this.filesRead++;
    if (typeof text !== 'string' && text.tooLarge) this.log('warn', `Source maps: ${file} ${text.reason}; not read.`);
    return text;
  }
}

/** A file's size and modification time, or 'absent': what tells that it changed. */
async function fileState(file: string): Promise<string> {
  try {
    const info = await stat(file);
    return `${info.size}:${info.mtimeMs}`;
  } catch {
    return 'absent';
  }
}

/** Reads back the generated position a mapped frame came from (see the file comment), or undefined. */
export function mappedFrom(frame: ImportedFrame): GeneratedPosition | undefined {
  const match = /^(.*):(\d+):(\d+)$/.exec(frame.module);
  if (!match) return undefined;
  return { file: match[1]!, line: Number(match[2]), column: Number(match[3]) };
}

/** A script URL as a local path, or undefined for anything that is not a local file (never resolved). */
export function localScriptPath(script: string): string | undefined {
  if (script === '' || script.startsWith('node:') || /^internal[\\/]/.test(script)) return undefined;
  if (script.startsWith('file://')) {
    try {
      return fileURLToPath(script);
    } catch {
      return undefined;
    }
  }
  if (path.isAbsolute(script) && !/^[a-z][a-z0-9+.-]*:/i.test(script)) return script;
  if (process.platform === 'win32' && path.win32.isAbsolute(script)) return script;
  return undefined;
}

/**
 * The last `sourceMappingURL` comment's value (`//# `, legacy `//@ `, or `/*# ... *\/`), or undefined. Looks at the
 * last few occurrences of the keyword only, from the end, so a 64 MB bundle costs one backward search.
 */
export function findSourceMappingUrl(text: string): string | undefined {
  const keyword = 'sourceMappingURL=';
  let at = text.length;
  for (let attempt = 0; attempt < 8; attempt++) {
    at = text.lastIndexOf(keyword, at - 1);
    if (at < 0) return undefined;
    const lineStart = text.lastIndexOf('\n', at) + 1;
    let lineEnd = text.indexOf('\n', at);
    if (lineEnd < 0) lineEnd = text.length;
    const line = text.slice(lineStart, lineEnd).trim();
    const match = /^\/\/[#@][ \t]*sourceMappingURL=(\S+)$/.exec(line) ?? /^\/\*[#@][ \t]*sourceMappingURL=([^\s*]+)[ \t]*\*\/$/.exec(line);
    if (match) return match[1];
    if (at === 0) return undefined;
  }
  return undefined;
}

/** Where a non-data `sourceMappingURL` points, as a local path, or why it is not followed. */
function localMapTarget(reference: string, scriptPath: string): string | { reason: string } {
  let url: URL;
  try {
    url = new URL(reference, pathToFileURL(scriptPath));
  } catch {
    return { reason: `${JSON.stringify(reference.slice(0, 200))} is not a valid URL` };
  }
  if (url.protocol !== 'file:') return { reason: `points to ${url.protocol}//${url.host}, which is not a local file and is never fetched` };
  try {
    return fileURLToPath(url);
  } catch {
    return { reason: `${JSON.stringify(reference.slice(0, 200))} is not a local path` };
  }
}

/** The JSON text of a `data:application/json[;charset=…][;base64],…` URL. */
function decodeDataUrl(url: string): string | { reason: string } {
  const comma = url.indexOf(',');
  if (comma < 0) return { reason: 'is a data URL without data' };
  const header = url.slice(5, comma).toLowerCase().split(';');
  if (header[0] !== 'application/json' && header[0] !== 'text/json') return { reason: `is a data URL of type ${header[0] || 'text/plain'}, not JSON` };
  const data = url.slice(comma + 1);
  if (header.includes('base64')) return Buffer.from(data, 'base64').toString('utf8');
  try {
    return decodeURIComponent(data);
  } catch {
    return { reason: 'is a data URL that is not validly percent-encoded' };
  }
}

/** What is wrong with a parsed map's shape, or undefined: trace-mapping trusts its input. */
function checkShape(map: unknown): string | undefined {
  if (!isObject(map)) return 'the top level is not an object';
  if (map['version'] !== 3) return `version is ${JSON.stringify(map['version'])}, not 3`;
  if (Array.isArray(map['sections'])) {
    for (const section of map['sections']) {
      if (!isObject(section) || !isObject(section['offset']) || !isObject(section['map'])) return 'a section lacks an offset or a map';
      const inner = checkShape(section['map']);
      if (inner !== undefined) return `a section's map: ${inner}`;
    }
    return undefined;
  }
  if (typeof map['mappings'] !== 'string') return '"mappings" is not a string';
  // trace-mapping decodes any character as some digit, so a corrupt string would map to wrong places: refuse it.
  if (!/^[A-Za-z0-9+/,;]*$/.test(map['mappings'])) return '"mappings" holds characters that are not base64 VLQ';
  const sources = map['sources'];
  if (!Array.isArray(sources) || !sources.every(s => s === null || typeof s === 'string')) return '"sources" is not an array of strings';
  const names = map['names'];
  if (names !== undefined && (!Array.isArray(names) || !names.every(n => typeof n === 'string'))) return '"names" is not an array of strings';
  const root = map['sourceRoot'];
  if (root !== undefined && root !== null && typeof root !== 'string') return '"sourceRoot" is not a string';
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasScheme(source: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(source) && !path.win32.isAbsolute(source);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
