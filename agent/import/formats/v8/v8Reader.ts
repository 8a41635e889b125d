import type { FormatReader, ProfileFile } from '../formatReader';
import { cpuProfileToImported, looksLikeCpuProfile } from './cpuprofileImport';
import type { V8ProfileColumns } from './v8ProfileColumns';
import { scanV8Profile } from './v8ProfileScanner';
import { startsAsV8Writes, v8ProfileChunks } from './v8ProfileStream';

/**
 * V8 CPU profiles in the format registry (agent/import/formatReaders.ts). A profile as V8 writes it is recognised and
 * read from its bytes by the scanner (v8ProfileScanner.ts) without JSON.parse; any other JSON, or an unusual V8
 * profile, is recognised from its parsed JSON. A file of V8's top-level keys but the wrong shape, or JSON that does
 * not parse and is no trace, is claimed when no other reader is sure, so that the V8 reader says what is wrong.
 */
export const cpuprofileReader: FormatReader = {
  sniff: {
    bytes: file => scanned(file) !== null,
    json: json => (looksLikeCpuProfile(json) ? 'sure' : isObject(json) && ('nodes' in json || 'head' in json) ? 'likely' : false),
    brokenJson: () => 'likely',
  },
  chunks: { starts: startsAsV8Writes, parser: v8ProfileChunks },
  parse(file, displayName) {
    // Detection parsed the JSON only when the scanner declined the file, so a file with JSON is not scanned again.
    const json = file.json;
    const columns = json ? null : scanned(file);
    return [cpuProfileToImported(columns ? { columns } : json ? { json: json.value } : file.text, displayName)];
  },
};

/** What the scanner made of each file (null: not V8's own layout), so that sniffing and parsing scan it once. */
const scans = new WeakMap<ProfileFile, V8ProfileColumns | null>();

function scanned(file: ProfileFile): V8ProfileColumns | null {
  let columns = scans.get(file);
  if (columns === undefined) {
    columns = (firstByteIsBrace(file.bytes) && scanV8Profile(file.bytes)) || null;
    scans.set(file, columns);
  }
  return columns;
}

function firstByteIsBrace(bytes: Buffer): boolean {
  let p = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (bytes[p] === 0x20 || bytes[p] === 0x0a || bytes[p] === 0x0d || bytes[p] === 0x09) p++;
  return bytes[p] === 0x7b;
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
