import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Store } from '../../storage/store';
import { corpusDir } from '../../test/support/corpus';
import { summariseProfile } from '../../test/support/profileSummary';
import { parseProfileBytes } from '../import/detectFormat';
import { parseOtlp } from '../import/formats/otlp/otlp';
import type { ImportedProfile } from '../import/importedProfile';
import { importToStore } from '../import/importToStore';
import { exportOtlp } from './otlpExport';

/**
 * `icicle export --format otlp` read back by the OTLP reader gives what was stored: per profile type, every (stack,
 * time, labels) sum equal to the original profile's as its format's reader read it (so totals, labels, trace links
 * and sample times all survive), for the hand-checked OTLP golden (written by protobufjs), pprof files with labels,
 * inlined frames, unsymbolised locations and negative values, and a V8 profile with per-sample times and idle time.
 */
const corpus = corpusDir();
const FILES = [
  join(__dirname, '..', 'import', 'formats', 'testdata', 'otlp', 'spans.otlp.pb'),
  join(corpus, 'pprof', 'profile-with-labels.pb.gz'),
  join(corpus, 'pprof', 'sample.cpu'),
  join(corpus, 'pprof', 'normal-cpu.stripped.pprof'),
  join(corpus, 'pprof', 'alloc_space_delta.pb.gz'),
  join(corpus, 'generated', 'go-workload.cpu.pb.gz'),
  join(corpus, 'cpuprofile', 'sucrase.cpuprofile'),
];
/** The importer's own labels, set again by each import (the export leaves them out). */
const IMPORT_LABELS = new Set(['source', 'format', 'profile_id']);

describe('OTLP export', () => {
  let dir: string;
  let store: Store;
  const originals = new Map<string, ImportedProfile[]>();
  const idOf = (file: string): string => file.replace(/[^A-Za-z0-9_]/g, '_').slice(-60);

  before(async function () {
    this.timeout(60_000);
    dir = mkdtempSync(join(tmpdir(), 'icicle-otlp-export-'));
    store = await Store.open(join(dir, 'store'));
    for (const file of FILES) {
      const raw = readFileSync(file);
      const bytes = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
      const { profiles } = parseProfileBytes(bytes, file, { startMs: 1_700_000_000_000 });
      originals.set(file, profiles);
      for (const profile of profiles) await importToStore(store, profile, { profile_id: idOf(file) });
    }
  });
  after(async function () {
    this.timeout(30_000);
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const file of FILES) {
    it(`round-trips ${file.split('/').slice(-2).join('/')} with identical totals, labels and times`, async function () {
      this.timeout(30_000);
      const source = store.snapshot();
      let bytes: Uint8Array;
      try {
        bytes = await exportOtlp(source, { matchers: [{ key: 'profile_id', op: '=', value: idOf(file) }] });
      } finally {
        source.release();
      }
      const back = parseOtlp(bytes, 'export.otlp.pb');
      // A V8 frame without a line (a caller whose call site V8 did not give) comes back at its function's first line, as
      // a pprof Line without a number reads (the OTLP reader follows pprof's): there, frames are compared without lines.
      const lines = !file.endsWith('.cpuprofile');
      const expected = originals.get(file)!.flatMap(p => p.valueTypes.map((_, t) => summariseProfile(p, t, IMPORT_LABELS, lines)));
      const actual = back.map(p => summariseProfile(p, 0, IMPORT_LABELS, lines));
      const byType = (summaries: ReturnType<typeof summariseProfile>[]): Map<string, ReturnType<typeof summariseProfile>> => {
        const out = new Map<string, ReturnType<typeof summariseProfile>>();
        for (const s of summaries) {
          const merged = out.get(s.profileType) ?? { profileType: s.profileType, total: 0, rows: {} };
          merged.total += s.total;
          for (const [k, v] of Object.entries(s.rows)) merged.rows[k] = (merged.rows[k] ?? 0) + v;
          out.set(s.profileType, merged);
        }
        return out;
      };
      const want = byType(expected);
      const got = byType(actual);
      // Profile types whose samples are all zero are not stored, so not exported.
      for (const [type, s] of want) if (Object.keys(s.rows).length === 0) want.delete(type);
      assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort(), 'the profile types');
      for (const [type, s] of want) {
        const g = got.get(type)!;
        assert.equal(g.total, s.total, `${type}: total`);
        assert.deepEqual(g.rows, s.rows, `${type}: per stack, time and labels`);
      }
    });
  }

  it('writes trace_id and span_id as the sample link, not as attributes', async () => {
    const source = store.snapshot();
    let bytes: Uint8Array;
    try {
      bytes = await exportOtlp(source, { matchers: [{ key: 'trace_id', op: '=', value: '4bf92f3577b34da6a3ce929d0e0e4736' }] });
    } finally {
      source.release();
    }
    const text = Buffer.from(bytes).toString('latin1');
    assert.ok(!text.includes('trace_id') && !text.includes('span_id'), 'no trace_id or span_id attribute key in the file');
    assert.ok(Buffer.from(bytes).includes(Buffer.from('4bf92f3577b34da6a3ce929d0e0e4736', 'hex')), 'the trace id as 16 bytes of a link');
    const back = parseOtlp(bytes, 'trace.otlp.pb');
    const totals = back.map(p => p.sampleValues[0]!.reduce((a, b) => a + b, 0)).sort((a, b) => a - b);
    assert.deepEqual(totals, [4096, 50_000_000], "the trace's CPU (30 + 20 ms) and allocations");
  });
});
