import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { READABLE_FORMATS, type ProfileFormat } from '../../common/profileFormats';
import { corpusDir } from '../../test/support/corpus';
import { FORMAT_READERS } from './formatReaders';
import { ProfileFile } from './formats/formatReader';
import { parseProfileBytes } from './detectFormat';
import type { ImportedProfile } from './importedProfile';

/** One corpus file per readable format (a path starting with `./`: in this folder, for a format the shared corpus lacks). */
const SAMPLE_FILES: Record<ProfileFormat, string> = {
  otlp: './formats/testdata/otlp/spans.otlp.pb',
  cpuprofile: 'cpuprofile/sucrase.cpuprofile',
  'chrome-trace': 'chrome-trace/simple-with-samples.json',
  pprof: 'pprof/alloc_objects.pb.gz',
  speedscope: 'speedscope/simple.speedscope.json',
  'perf-script': 'linux-perf/simple.linux-perf.txt',
  collapsed: 'collapsed/simple-utf16-le.txt',
  heapprofile: 'heapprofile/Heap-20181005T144546.heapprofile',
};

function bytesOf(file: string): Buffer {
  const raw = readFileSync(file.startsWith('./') ? join(__dirname, file) : join(corpusDir(), file));
  return raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
}

/** Samples and the first value type's total over all profiles (detection splits V8's idle time into a profile of its own). */
function totals(profiles: ImportedProfile[]): { samples: number; total: number } {
  let samples = 0;
  let total = 0;
  for (const profile of profiles) {
    samples += profile.sampleStacks.length;
    for (const value of profile.sampleValues[0] ?? []) total += value;
  }
  return { samples, total };
}

describe('format readers', () => {
  for (const format of READABLE_FORMATS) {
    it(`detection hands ${format} to its reader, which reads it alike when given the file directly`, () => {
      const bytes = bytesOf(SAMPLE_FILES[format]);
      const detected = parseProfileBytes(bytes, 'f', { startMs: 0 });
      assert.equal(detected.format, format);
      // A caller that knows the format (a recorded chunk) skips the sniffers; the reader must not depend on them.
      const direct = FORMAT_READERS[format].parse(new ProfileFile(bytes), 'f', []);
      assert.ok(direct.length > 0);
      assert.deepEqual(totals(direct), totals(detected.profiles));
    });
  }
});
