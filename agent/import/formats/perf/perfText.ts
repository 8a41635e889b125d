import type { ProfileBuilder } from '../../importedProfile';

/**
 * The text forms of `perf script`'s lines (perfScript.ts describes them): a sample's header and a frame, read from
 * strings. The byte scanner (perfScanner.ts) reads the common forms from bytes and gives every other line to these,
 * and detection (looksLikePerfScript) reads a file's first lines with them.
 */

export const KERNEL_MODULE = '[kernel.kallsyms]';

/** perf's `srcline` field under a frame: `  file.go:12`, `  ??:0`, or a binary and address `  [kernel.kallsyms][ffff…]`. */
const SRCLINE = /^\s+(?:\S.*:\d+|\S.*\[[0-9a-f]+\])$/;

/** Whether an indented line is perf's `srcline` field (SRCLINE). */
export function isSrcline(line: string): boolean {
  return SRCLINE.test(line);
}

export interface Header {
  comm: string;
  pid: string | undefined;
  tid: string;
  seconds: number;
  period: number;
  event: string;
  /** Where on the line a frame printed after the event starts (no call graph), or -1. */
  inlineFrame: number;
}

/**
 * The time of perf's "# captured on: Wed Aug 15 16:01:24 2018" header line: when perf.data was last written, so
 * when the recording ended, to the second, in the local time of the machine that ran `perf script` (ctime's form,
 * which Date reads as local time). Undefined for any other line.
 */
export function capturedOn(line: string): number | undefined {
  const match = /^#\s*captured on\s*:\s*(\w{3} \w{3} +\d{1,2} \d{2}:\d{2}:\d{2} \d{4})\s*$/.exec(line);
  if (!match) return undefined;
  const ms = new Date(match[1]!).getTime();
  return Number.isFinite(ms) ? ms : undefined;
}

export function firstNonSpace(line: string): number {
  let i = 0;
  while (i < line.length && (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9)) i++;
  return i;
}

export function isIndented(line: string): boolean {
  return line.charCodeAt(0) === 32 || line.charCodeAt(0) === 9;
}

export function isDigits(s: string, from = 0, to = s.length): boolean {
  if (to <= from) return false;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

export function isHex(s: string, from = 0, to = s.length): boolean {
  if (to <= from) return false;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i) | 32;
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/** `12345.678901:` — perf's time field, seconds with a fraction. */
export function isTimeToken(token: string): boolean {
  if (!token.endsWith(':')) return false;
  const dot = token.indexOf('.');
  return dot > 0 && isDigits(token, 0, dot) && isDigits(token, dot + 1, token.length - 1);
}

/** `1234` or `1234/1235`: the tid, or pid/tid. */
export function pidTid(token: string): { pid: string | undefined; tid: string } | undefined {
  const slash = token.indexOf('/');
  if (slash < 0) return isDigits(token) ? { pid: undefined, tid: token } : undefined;
  return isDigits(token, 0, slash) && isDigits(token, slash + 1) ? { pid: token.slice(0, slash), tid: token.slice(slash + 1) } : undefined;
}

/** Reads a sample header. The command name may contain spaces, so fields are found from the time field outwards. */
export function parseHeader(line: string): Header | undefined {
  const tokens: { text: string; start: number }[] = [];
  for (let i = 0; i < line.length; ) {
    while (i < line.length && (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9)) i++;
    const start = i;
    while (i < line.length && line.charCodeAt(i) !== 32 && line.charCodeAt(i) !== 9) i++;
    if (i > start) tokens.push({ text: line.slice(start, i), start });
  }
  const time = tokens.findIndex(t => isTimeToken(t.text));
  let seconds = Number.NaN;
  /** Where the id fields end (exclusive) and the fields after the time (period, event) start. */
  let idEnd: number;
  let next: number;
  if (time >= 0) {
    seconds = Number(tokens[time]!.text.slice(0, -1));
    idEnd = time;
    next = time + 1;
  } else {
    // Without `time` in -F, the event (the first "name:" token after the command) bounds the fields, and a number
    // just before it is the period when the ids or the cpu precede that number.
    const event = tokens.findIndex((t, i) => i > 0 && isEventToken(t.text));
    if (event < 0) return undefined;
    idEnd = event;
    next = event;
    if (event >= 3 && isDigits(tokens[event - 1]!.text) && (isCpuToken(tokens[event - 2]!.text) || pidTid(tokens[event - 2]!.text) !== undefined)) {
      idEnd = event - 1;
      next = event - 1;
    }
  }
  let idIndex = idEnd - 1;
  if (idIndex >= 0 && isCpuToken(tokens[idIndex]!.text)) idIndex--;
  if (idIndex < 1) return undefined;
  const ids = pidTid(tokens[idIndex]!.text);
  if (ids === undefined) return undefined;
  const comm = line.slice(0, tokens[idIndex]!.start).trim();
  let period = Number.NaN;
  if (next < tokens.length && isDigits(tokens[next]!.text)) {
    period = Number(tokens[next]!.text);
    // A period the store cannot hold exactly (2^53 and beyond) is no real one: the sample is skipped and counted.
    if (period > Number.MAX_SAFE_INTEGER) return undefined;
    next++;
  } else if (next + 1 < tokens.length && !tokens[next]!.text.endsWith(':') && isEventToken(tokens[next + 1]!.text)) {
    // Something other than a number where the period goes (`NaN`, `-5`): the sample is skipped and counted, rather
    // than read without a period, which would cost the whole file its CPU time.
    return undefined;
  }
  let event = '';
  let inlineFrame = -1;
  if (next < tokens.length && tokens[next]!.text.endsWith(':')) {
    event = eventName(tokens[next]!.text);
    next++;
  }
  if (next < tokens.length && isHex(tokens[next]!.text)) inlineFrame = tokens[next]!.start;
  return { comm, pid: ids.pid, tid: ids.tid, seconds, period, event, inlineFrame };
}

/** `cpu-clock:`, `cycles:ppp:`: an event name, as perf ends it with a colon. */
export function isEventToken(token: string): boolean {
  return token.length > 1 && token.endsWith(':') && !isDigits(token, 0, token.length - 1);
}

/** `[003]`: the cpu, printed for system-wide recordings. */
export function isCpuToken(token: string): boolean {
  return token.length > 2 && token.startsWith('[') && token.endsWith(']') && isDigits(token, 1, token.length - 1);
}

/** `cpu-clock:ppp:` → `cpu-clock`: the trailing colon and perf's precision and privilege modifiers go. */
export function eventName(token: string): string {
  const name = token.slice(0, -1);
  const colon = name.lastIndexOf(':');
  return colon > 0 && /^[ukhGHpPSDIWe]+$/.test(name.slice(colon + 1)) ? name.slice(0, colon) : name;
}

export interface FrameLine {
  address: string;
  symbol: string;
  dso: string;
}

/**
 * Reads `addr symbol+0xoff (dso)` starting at `from`. The dso is the last parenthesised group, matched from the
 * end so that symbols with parentheses (C++ signatures, `(anonymous namespace)`) and dsos like `(deleted)` stay whole.
 */
export function parseFrameLine(line: string, from: number): FrameLine | undefined {
  let addressEnd = from;
  while (addressEnd < line.length && line.charCodeAt(addressEnd) !== 32 && line.charCodeAt(addressEnd) !== 9) addressEnd++;
  if (!isHex(line, from, addressEnd)) return undefined;
  const address = line.slice(from, addressEnd);
  const rest = line.slice(addressEnd).trim();
  let symbol = rest;
  let dso = '';
  if (rest.endsWith(')')) {
    let depth = 0;
    for (let i = rest.length - 1; i >= 0; i--) {
      const c = rest.charCodeAt(i);
      if (c === 41 /* ) */) depth++;
      else if (c === 40 /* ( */ && --depth === 0) {
        symbol = rest.slice(0, i).trimEnd();
        dso = rest.slice(i + 1, -1);
        break;
      }
    }
  }
  // perf appends the offset into the symbol (`+0x46`) with -F +symoff; frames of one function differ only in it.
  const plus = symbol.lastIndexOf('+0x');
  if (plus > 0 && isHex(symbol, plus + 3)) symbol = symbol.slice(0, plus);
  return { address, symbol, dso };
}

/**
 * A JavaScript function in V8's perf map: `JS:*name file:line:column` (Node 18+; `*` optimized, `~` interpreted,
 * `^` baseline, `+` Maglev) or the older `LazyCompile:~name file:line`. Every tier of a function is one function.
 * Undefined for anything else (builtins, stubs, regular expressions), which keep their symbol as it is.
 */
export function v8JitFunction(symbol: string): { name: string; file: string; line: number; column: number } | undefined {
  const match = /^(?:JS|LazyCompile|Function|InterpretedFunction|Script|Eval):[*~^+]?(.*?) ?(\S+?):(\d+)(?::(\d+))?$/.exec(symbol);
  if (!match) return undefined;
  return { name: match[1] || '(anonymous)', file: match[2]!, line: Number(match[3]), column: match[4] === undefined ? 0 : Number(match[4]) };
}

/** Kernel space on x86-64 and arm64 starts at 0xffff800000000000. */
export function isKernelAddress(address: string): boolean {
  let start = 0;
  while (start < address.length - 1 && address.charCodeAt(start) === 48) start++;
  return address.length - start === 16 && address.slice(start).toLowerCase() >= 'ffff800000000000';
}

/**
 * A frame line as an imported frame. Symbolised frames are one frame per (symbol, dso) whatever the address, so a
 * function's samples merge and the store interns it once; unsymbolised ones (`[unknown]`) are named by their address
 * and keep it. Kernel frames get the module `[kernel.kallsyms]`; JIT frames (`/tmp/perf-PID.map`, `[JIT] tid N`)
 * keep their dso as module and the name perf found in the map; for V8's JavaScript functions
 * (`node --perf-basic-prof`) that name is read as function, file, line and column, so they line up with the same
 * functions in V8 profiles and reach their source.
 */
export function frameId(builder: ProfileBuilder, cache: Map<string, number>, frame: FrameLine): number {
  const unknown = frame.symbol === '' || frame.symbol === '[unknown]';
  const kernel = frame.dso === KERNEL_MODULE || frame.dso.startsWith('[kernel') || isKernelAddress(frame.address);
  const key = `${unknown ? `\u0001${frame.address}` : frame.symbol}\u0000${frame.dso}\u0000${kernel ? 'k' : 'u'}`;
  let id = cache.get(key);
  if (id === undefined) {
    const numeric = parseInt(frame.address, 16);
    const javaScript = unknown || kernel ? undefined : v8JitFunction(frame.symbol);
    id = builder.frame({
      name: javaScript?.name ?? (unknown ? `0x${frame.address}` : frame.symbol),
      file: javaScript?.file ?? '',
      line: javaScript?.line ?? 0,
      column: javaScript?.column ?? 0,
      module: kernel ? KERNEL_MODULE : frame.dso === '[unknown]' ? '' : frame.dso,
      // Addresses past 2^53 (kernel space) do not fit a number exactly; the name keeps them exactly instead.
      address: unknown && Number.isSafeInteger(numeric) ? numeric : 0,
    });
    cache.set(key, id);
  }
  return id;
}
