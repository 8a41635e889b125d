import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { UserFacingError } from '../../../common/errors';
import { corpusDir } from '../../../test/support/corpus';
import { assertGolden } from '../../../test/support/golden';
import type { ImportedProfile } from '../importedProfile';
import { looksLikeChromeTrace, parseChromeTrace } from './chromeTrace/chromeTrace';
import { looksLikeCollapsed, parseCollapsed } from './collapsed/collapsed';
import type { ImportNotes } from './parseSupport';
import { looksLikePerfScript, parsePerfScript } from './perf/perfScript';
import { looksLikeSpeedscope, parseSpeedscope } from './speedscope/speedscope';
import { heapProfileToImported, looksLikeHeapProfile } from './heapprofile/heapProfile';
import { looksLikeFirefox, unsupportedFormatError } from './unsupported/unsupportedFormats';

/**
 * Every file of the shared corpus in the folders these importers cover, parsed and summarised into a golden file
 * (testdata/<folder>/<file>.golden): the profiles, their value types, sample counts and totals, the labels, the five
 * functions with the most self value, and the sniffers that claim the file; for a refused file, the message.
 *
 * How the goldens were checked (by hand, against the files):
 * - collapsed/*: every line read and summed by hand (simple: a;b;c 1+1+3=5, a;b;d 4, a;b 5, total 14; the CRLF and
 *   UTF-16 copies give the same; with-invalids has 3 skipped lines; recursion: 10 lines of 1, leaves b 5, c 4, a 1).
 *   The totals are also recomputed below by an independent reference reader.
 * - speedscope/*: the sampled files' weights (1+1+4+3+5 = 14 s per profile) and the evented one's open/close events
 *   walked by hand (c self 2+3=5, d 4, b 5 when alone: a;b 9..14). Sampled totals are recomputed below.
 * - chrome-trace/*: the small files (simple, partial, out-of-order, hermes, multiprocess, the two sample files)
 *   worked through by hand: self times of the nested B/E/X events, Hermes time deltas (e.g. 11552129681 -
 *   11552125241 = 4440 µs). For the DevTools traces, the sample count was compared with the sum of the lengths of the
 *   ProfileChunk "samples" arrays (node -e over the JSON), and the top functions with the nodes the chunks define.
 *   The two with DevTools metadata start at its startTime (Trace-20230603T221323: 2023-06-04T05:13:20.473Z =
 *   1685855600473 ms; no-arg-data: 2025-10-20T21:55:40.761Z = 1760997340761 ms); the others start at 0.
 * - linux-perf/* and xz: sample count compared with `grep -c` of the header lines, the top functions with
 *   `awk` over the leaf (first) frame line of each sample. simple-with-header's last sample is at its "captured on"
 *   (Wed Aug 15 16:01:24 2018, local time, read in UTC here: 1534348884000 ms).
 * - heapprofile/*: totals and the count of nodes with bytes of their own compared with a plain walk of the `head`
 *   tree summing selfSize (node -e: 525704 bytes in 11 nodes; 10030888 in 201, two of which share a stack).
 */

const GOLDENS = join(__dirname, 'testdata');
const FOLDERS = ['chrome-trace', 'speedscope', 'linux-perf', 'collapsed', 'firefox', 'heapprofile'];
const TIME_LIMIT_MS = 10_000;

interface CorpusFile {
  folder: string;
  name: string;
  path: string;
}

function corpusFiles(): CorpusFile[] {
  const root = corpusDir();
  const files: CorpusFile[] = [];
  for (const folder of FOLDERS) {
    for (const name of readdirSync(join(root, folder)).sort()) files.push({ folder, name, path: join(root, folder, name) });
  }
  files.push({ folder: 'generated', name: 'xz.perf.txt.gz', path: join(root, 'generated', 'xz.perf.txt.gz') });
  return files;
}

function readBytes(file: CorpusFile): Buffer {
  const raw = readFileSync(file.path);
  return file.name.endsWith('.gz') ? gunzipSync(raw) : raw;
}

/** The importer for a corpus folder; Firefox profiles are refused with the unsupported-format message. */
function importerFor(folder: string): (bytes: Buffer, name: string, notes: ImportNotes) => ImportedProfile[] {
  switch (folder) {
    case 'chrome-trace':
      return (bytes, name, notes) => parseChromeTrace(bytes.toString('utf8'), name, { notes });
    case 'speedscope':
      return (bytes, name, notes) => parseSpeedscope(bytes.toString('utf8'), name, { notes });
    case 'linux-perf':
    case 'generated':
      return (bytes, name, notes) => parsePerfScript(bytes.toString('utf8'), name, { notes });
    case 'collapsed':
      return (bytes, name, notes) => parseCollapsed(bytes, name, { notes });
    case 'heapprofile':
      return (bytes, name) => [heapProfileToImported(bytes.toString('utf8'), name)];
    default:
      return (bytes, name) => {
        const text = bytes.toString('utf8');
        throw unsupportedFormatError(JSON.parse(text), name) ?? new Error(`${name}: no sniffer recognised it`);
      };
  }
}

/** Which sniffers claim the file, from its head (text) and, for JSON, from its parsed form. */
function sniffers(bytes: Buffer): string {
  const head = bytes.subarray(0, 65536);
  const text = head.toString('utf8');
  const claims: string[] = [];
  if (looksLikeChromeTrace(text)) claims.push('chrome-trace(text)');
  if (looksLikeSpeedscope(text)) claims.push('speedscope(text)');
  if (looksLikeFirefox(text)) claims.push('firefox(text)');
  if (looksLikeHeapProfile(text)) claims.push('heapprofile(text)');
  if (looksLikePerfScript(text)) claims.push('perf-script');
  if (looksLikeCollapsed(bytes)) claims.push('collapsed');
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    json = undefined;
  }
  if (json !== undefined) {
    if (looksLikeChromeTrace(json)) claims.push('chrome-trace(json)');
    if (looksLikeSpeedscope(json)) claims.push('speedscope(json)');
    if (looksLikeFirefox(json)) claims.push('firefox(json)');
    if (looksLikeHeapProfile(json)) claims.push('heapprofile(json)');
  }
  return claims.length === 0 ? 'none' : claims.join(', ');
}

/** The golden text: what a reviewer needs to check a profile against its file. */
function summarise(profiles: ImportedProfile[], notes: ImportNotes): string {
  const lines: string[] = [`profiles: ${profiles.length}`];
  for (const note of notes) lines.push(`note: ${note}`);
  profiles.forEach((p, index) => {
    lines.push(`profile ${index + 1}: format ${p.format}`);
    const n = p.sampleStacks.length;
    lines.push(`  samples: ${n}; frames: ${p.frames.length}; stacks: ${p.stacks.length}`);
    lines.push(`  startMs: ${p.startMs}; durationNs: ${p.durationNs}; periodNs: ${p.periodNs}`);
    if (p.sampleTimes === undefined) {
      lines.push('  sample times: none');
    } else {
      let min = Number.POSITIVE_INFINITY;
      let max = Number.NEGATIVE_INFINITY;
      for (const t of p.sampleTimes) {
        min = Math.min(min, t);
        max = Math.max(max, t);
      }
      lines.push(`  sample times: ${round(min)} .. ${round(max)} ms`);
    }
    const labelKeys = Object.keys(p.sampleLabels).sort();
    lines.push(`  profile labels: ${Object.keys(p.labels).length === 0 ? 'none' : JSON.stringify(p.labels)}`);
    lines.push(`  sample labels: ${labelKeys.length === 0 ? 'none' : ''}`);
    for (const key of labelKeys) {
      const counts = new Map<string, number>();
      for (const value of p.sampleLabels[key]!) counts.set(String(value), (counts.get(String(value)) ?? 0) + 1);
      const shown = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 6).map(([v, c]) => `${JSON.stringify(v)}×${c}`);
      lines.push(`    ${key}: ${counts.size} value${counts.size === 1 ? '' : 's'}: ${shown.join(', ')}${counts.size > 6 ? ', …' : ''}`);
    }
    p.valueTypes.forEach((type, t) => {
      const values = p.sampleValues[t]!;
      const total = values.reduce((a, b) => a + b, 0);
      lines.push(`  value type ${type.profileType} (${type.unit}): total ${round(total)}, non-zero samples ${values.filter(v => v !== 0).length}`);
      const self = new Map<string, number>();
      for (let i = 0; i < n; i++) {
        const leaf = p.stacks[p.sampleStacks[i]!]![0];
        const f = leaf === undefined ? undefined : p.frames[leaf]!;
        const key = f === undefined ? '(no stack)' : `${f.name}  ${f.file === '' ? '-' : `${f.file}:${f.line}`}${f.module === '' ? '' : `  [${f.module}]`}`;
        self.set(key, (self.get(key) ?? 0) + values[i]!);
      }
      const top = [...self].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 5);
      lines.push('  top self:');
      for (const [key, value] of top) lines.push(`    ${round(value)}  ${key}`);
    });
  });
  return `${lines.join('\n')}\n`;
}

function round(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(3);
}

describe('format importers over the corpus (goldens)', () => {
  // perf's "captured on" is local time: the goldens are read in UTC wherever the tests run.
  let timeZone: string | undefined;
  before(() => {
    timeZone = process.env['TZ'];
    process.env['TZ'] = 'UTC';
  });
  after(() => {
    if (timeZone === undefined) delete process.env['TZ'];
    else process.env['TZ'] = timeZone;
  });
  for (const file of corpusFiles()) {
    it(`${file.folder}/${file.name}`, function () {
      this.timeout(TIME_LIMIT_MS * 2);
      const bytes = readBytes(file);
      const notes: ImportNotes = [];
      const started = performance.now();
      let body: string;
      try {
        body = summarise(importerFor(file.folder)(bytes, file.name, notes), notes);
      } catch (error) {
        if (!(error instanceof UserFacingError)) throw error;
        body = `rejected: ${error.message}\n`;
      }
      const elapsed = performance.now() - started;
      assert.ok(elapsed < TIME_LIMIT_MS, `${file.name} took ${elapsed.toFixed(0)} ms`);
      assertGolden(join(GOLDENS, file.folder, `${file.name}.golden`), `file: ${file.folder}/${file.name} (${bytes.length} bytes)\nsniffers: ${sniffers(bytes)}\n${body}`);
    });
  }
});

/**
 * Independent reference readers: simpler code than the importers', written from the formats' descriptions, whose
 * totals the importers must match on every corpus file.
 */
describe('format importers over the corpus (reference totals)', () => {
  const root = corpusDir();

  for (const name of readdirSync(join(root, 'collapsed'))) {
    it(`collapsed/${name}: total and sample count match a plain line reader`, () => {
      const bytes = readFileSync(join(root, 'collapsed', name));
      let text: string;
      if (bytes[0] === 0xff && bytes[1] === 0xfe) text = new TextDecoder('utf-16le').decode(bytes.subarray(2));
      else if (bytes[0] === 0xfe && bytes[1] === 0xff) text = new TextDecoder('utf-16be').decode(bytes.subarray(2));
      else text = new TextDecoder('utf-8').decode(bytes);
      let total = 0;
      let lines = 0;
      for (const line of text.split(/\r?\n/)) {
        const match = /^(\S.*) ([0-9]+)$/.exec(line);
        if (match) {
          total += Number(match[2]);
          lines++;
        }
      }
      const [profile] = parseCollapsed(bytes, name);
      assert.equal(profile!.sampleValues[0]!.reduce((a, b) => a + b, 0), total);
      assert.equal(profile!.sampleStacks.length, lines);
    });
  }

  for (const name of readdirSync(join(root, 'speedscope'))) {
    it(`speedscope/${name}: sampled totals match the weights times the unit`, () => {
      const text = readFileSync(join(root, 'speedscope', name), 'utf8');
      const json = JSON.parse(text) as { profiles: { type: string; unit: string; weights?: number[] }[] };
      const factor: Record<string, number> = { seconds: 1e9, milliseconds: 1e6, microseconds: 1e3, nanoseconds: 1, bytes: 1, none: 1 };
      const sampled = json.profiles.filter(p => p.type === 'sampled');
      const expected = sampled.reduce((sum, p) => sum + (p.weights ?? []).reduce((a, b) => a + b, 0) * factor[p.unit]!, 0);
      const profiles = parseSpeedscope(text, name);
      const allSampled = sampled.length === json.profiles.length;
      if (allSampled) assert.equal(profiles.reduce((sum, p) => sum + p.sampleValues[0]!.reduce((a, b) => a + b, 0), 0), expected);
      else assert.equal(sampled.length, 0, 'the corpus mixes no sampled and evented profiles in one file');
    });
  }
});
