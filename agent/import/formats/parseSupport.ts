import type { ProfileFormat } from '../../../common/profileFormats';
import { ProfileImportError, type ImportedProfile, type ProfileBuilder } from '../importedProfile';

/**
 * Helpers the text and JSON importers in this folder share: decoding bytes whatever their encoding, parsing JSON
 * without letting the parser's message quote the file, and quoting a short excerpt of untrusted text.
 */

/**
 * Sentences an importer adds about what it left out (skipped lines, samples naming unknown nodes), for callers that
 * show or log them; the golden tests print them.
 */
export type ImportNotes = string[];

/** What the importers in this folder take besides the file. */
export interface ImportOptions {
  /**
   * When the profile started, milliseconds since the epoch. Traces, perf and speedscope files give times on clocks
   * unrelated to the epoch (boot time, an arbitrary origin), so importers keep sample times relative to the
   * profile's first moment and add this; without it they start at 0 and the caller places them (timeAnchor.ts).
   */
  startMs?: number;
  /** Receives sentences about what the importer left out. */
  notes?: ImportNotes;
}

/** Moves a profile whose sample times are relative (ms from 0) to start at `startMs`. */
export function placeInTime(profile: ImportedProfile, startMs: number | undefined): ImportedProfile {
  if (startMs === undefined || startMs === 0) return profile;
  return shiftInTime(profile, startMs);
}

/** A profile whose times, and start, are `offsetMs` later (in place: the sample times are the importer's own). */
export function shiftInTime(profile: ImportedProfile, offsetMs: number): ImportedProfile {
  const times = profile.sampleTimes;
  if (times !== undefined) for (let i = 0; i < times.length; i++) times[i] = times[i]! + offsetMs;
  return { ...profile, startMs: profile.startMs + offsetMs };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A short, quoted excerpt of untrusted text for an error message: at most `max` characters, control and
 * bidirectional-override characters escaped by JSON quoting and \u escapes, so that a hostile file can neither
 * flood the message nor reorder what the user reads.
 */
export function quoteExcerpt(text: string, max = 40): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(cut).replace(/[\u0080-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The 1-based line and column of a character offset, for error messages that point into a text file. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = text.indexOf('\n'); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: end - lineStart + 1 };
}

/**
 * Parses JSON, turning any failure into a ProfileImportError that gives the position (line and column) but never
 * the parser's own message, since V8's message quotes the text around the error and the text is untrusted.
 */
export function parseJsonText(text: string, displayName: string, format: ProfileFormat): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw jsonError(text, error, displayName, format);
  }
}

export function jsonError(text: string, error: unknown, displayName: string, format: ProfileFormat): ProfileImportError {
  if (!(error instanceof SyntaxError)) {
    // JSON.parse throws a RangeError, not a SyntaxError, when nesting exhausts the stack.
    return new ProfileImportError(displayName, format, 'its JSON could not be read (it nests too deeply or is too large).');
  }
  const match = /at position (\d+)/.exec(error.message);
  // A file that opens like JSON but does not close is most often one whose writer was killed.
  const truncated = /^\s*[{[]/.test(text) && !/[}\]]\s*$/.test(text) ? ' The file looks truncated.' : '';
  if (match === null) return new ProfileImportError(displayName, format, `it is not valid JSON.${truncated}`);
  const { line, column } = lineAndColumn(text, Number(match[1]));
  return new ProfileImportError(displayName, format, `it is not valid JSON (the error is at line ${line}, column ${column}).${truncated}`);
}

/**
 * Decodes a file's bytes: UTF-8 with or without a byte order mark, UTF-16 little- or big-endian with one, and
 * UTF-16 without one when the first character's high byte is zero (text tools on Windows write such files).
 */
export function decodeText(input: Uint8Array): string {
  const utf8 = utf8Text(input);
  if (utf8 !== undefined) return utf8.toString('utf8');
  const b0 = input[0];
  const b1 = input[1];
  if (b0 === 0xff && b1 === 0xfe) return utf16le(input.subarray(2));
  if (b0 === 0xfe && b1 === 0xff) return utf16be(input.subarray(2));
  return b0 !== 0 ? utf16le(input) : utf16be(input);
}

/**
 * The bytes of the text decodeText reads as UTF-8 (a byte order mark left out), for readers that read UTF-8 bytes;
 * undefined for UTF-16, which decodeText decodes.
 */
export function utf8Text(input: Uint8Array): Buffer | undefined {
  const b0 = input[0];
  const b1 = input[1];
  if (b0 === 0xef && b1 === 0xbb && input[2] === 0xbf) return Buffer.from(input.buffer, input.byteOffset + 3, input.byteLength - 3);
  if ((b0 === 0xff && b1 === 0xfe) || (b0 === 0xfe && b1 === 0xff)) return undefined;
  if (input.length >= 2 && (b0 === 0) !== (b1 === 0)) return undefined;
  return Buffer.from(input.buffer, input.byteOffset, input.byteLength);
}

function utf16le(bytes: Uint8Array): string {
  // An odd trailing byte cannot be half of a character we could show; it is dropped rather than guessed at.
  const even = bytes.length - (bytes.length % 2);
  return Buffer.from(bytes.buffer, bytes.byteOffset, even).toString('utf16le');
}

function utf16be(bytes: Uint8Array): string {
  const even = bytes.length - (bytes.length % 2);
  const swapped = Buffer.alloc(even);
  for (let i = 0; i < even; i += 2) {
    swapped[i] = bytes[i + 1]!;
    swapped[i + 1] = bytes[i]!;
  }
  return swapped.toString('utf16le');
}

/** A number from a JSON field that some writers emit as a string ("ts": "11550183666"); NaN when neither. */
export function numberField(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') return Number(value);
  return Number.NaN;
}

/**
 * Interns stacks grown one frame at a time (a call tree's nodes, nested events): a stack is its parent stack plus a
 * frame, so each distinct stack is built once, in time proportional to its depth, and reaching a known one costs a
 * map lookup. Walks of deep trees and long event streams therefore cost what their output costs, never depth times
 * the number of samples or events. Ids here are the interner's own; `stack` gives the builder's stack id, so only
 * stacks that samples use reach the profile (not every ancestor on the way).
 */
export class StackInterner {
  private readonly ids = new Map<string, number>();
  /** Per interner id: its frames, leaf first, and its builder stack id once a sample needed it (-1 before). */
  private readonly frames: (readonly number[])[] = [];
  private readonly builderIds: number[] = [];
  private rootId = -1;

  constructor(private readonly builder: ProfileBuilder) {}

  /** The stack `parent` (an id from this interner, or -1 for the empty stack) with `frame` called from its leaf. */
  child(parent: number, frame: number): number {
    const key = `${parent},${frame}`;
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.frames.length;
      this.frames.push([frame, ...(parent < 0 ? [] : this.frames[parent]!)]);
      this.builderIds.push(-1);
      this.ids.set(key, id);
    }
    return id;
  }

  /** The builder's stack id for an interner id (-1: the empty stack, for samples on the tree's root). */
  stack(id: number): number {
    if (id < 0) {
      if (this.rootId < 0) this.rootId = this.builder.stack([]);
      return this.rootId;
    }
    let stack = this.builderIds[id]!;
    if (stack < 0) this.builderIds[id] = stack = this.builder.stack(this.frames[id]!);
    return stack;
  }
}
