import * as assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { executePlan, scan, selectionPredicate, sum } from '../../storage/query';
import { Store } from '../../storage/store';
import { corpusDir } from '../../test/support/corpus';
import { parseProfileBytes } from './detectFormat';
import { ProfileImportError } from './importedProfile';
import { importProfileBytes } from './importFile';

const corpus = corpusDir();

/** Every profile file in the shared corpus (licences and notes aside). */
function corpusFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        if (name !== 'licenses') walk(path);
      } else if (!/\.(md|txt)$/i.test(name) || dir.includes('collapsed') || dir.includes('linux-perf') || name.endsWith('.perf.txt.gz')) {
        if (!name.endsWith('.md')) files.push(path);
      }
    }
  };
  walk(corpus);
  return files;
}

function contentOf(path: string): Buffer {
  const raw = readFileSync(path);
  return raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
}

/**
 * The real-world promise: every file in ../shared/corpus either imports, with the store holding exactly the value
 * the importer read, or is refused with a typed error (ProfileImportError) whose message names the file — within
 * 10 s, never a crash or a hang. Per-format correctness against independent readers (go tool pprof, hand-checked
 * goldens) lives beside each importer (the tests in each formats/ folder); this walks everything through detection and the store.
 */
describe('every corpus file, through detection and into the store', function () {
  this.timeout(120_000);
  let dir: string;
  let store: Store;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-corpus-'));
    store = await Store.open(dir);
  });
  after(async () => {
    await store.close({ flush: false });
    rmSync(dir, { recursive: true, force: true });
  });

  const outcomes: string[] = [];
  after(() => console.log(`      ${outcomes.length} files: ${outcomes.filter(o => o.startsWith('imported')).length} imported, ${outcomes.filter(o => o.startsWith('refused')).length} refused`));

  for (const file of corpusFiles()) {
    const name = relative(corpus, file);
    it(name, async () => {
      const bytes = contentOf(file);
      const started = performance.now();
      let parsed;
      try {
        parsed = parseProfileBytes(bytes, name, { startMs: 1_700_000_000_000 });
      } catch (error) {
        assert.ok(error instanceof ProfileImportError, `a ${error instanceof Error ? error.name : typeof error} escaped: ${String(error)}`);
        assert.ok(error.message.startsWith(name), error.message);
        assert.doesNotMatch(error.message, /\n\s+at /);
        outcomes.push(`refused ${name}`);
        return;
      }
      const expected = new Map<string, number>();
      for (const profile of parsed.profiles) {
        profile.valueTypes.forEach((type, t) => {
          const total = profile.sampleValues[t]!.reduce((a, v) => a + Math.round(v), 0);
          expected.set(type.profileType, (expected.get(type.profileType) ?? 0) + total);
        });
      }
      const result = await importProfileBytes(store, bytes, name, { corpus_file: name }, { sourceMaps: false });
      assert.equal(result.format, parsed.format);
      const snapshot = store.snapshot();
      const plan = scan(['profile_type', 'value', 'labels.corpus_file'])
        .where(selectionPredicate({ matchers: [{ key: 'corpus_file', op: '=', value: name }] }))
        .aggregate(['profile_type'], [sum('value')])
        .build();
      const { table } = await executePlan(plan, snapshot);
      snapshot.release();
      const actual = new Map<string, number>();
      for (let i = 0; i < table.numRows; i++) actual.set(String(table.getChild('profile_type')!.get(i)), Number(table.getChild('value')!.get(i)));
      for (const [type, total] of expected) if (total !== 0) assert.equal(actual.get(type), total, `${type} total`);
      assert.ok(performance.now() - started < 10_000, `${name} took ${(performance.now() - started).toFixed(0)} ms`);
      outcomes.push(`imported ${name}`);
    });
  }
});
