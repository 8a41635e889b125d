import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commandOf, endMarker, formatNumber, renderSection, replaceSection, startMarker, unitOf, type RunContext } from './benchmarkDoc';

const context: RunContext = {
  command: 'npm run bench -- record',
  date: '2026-12-03 09:40 UTC',
  commit: '1c1753c',
  machine: '2 cores (AMD EPYC), 23 GB, Node v20.20.2, load average 1.4 at the start',
};

describe('benchmarkDoc', () => {
  describe('renderSection', () => {
    it('writes a row per figure with its peer from the same run and the ratio, and no row for the peer itself', () => {
      const section = renderSection('record', { record_bare_ms: 69, record_ms: 236, record_added_ms: 167 }, { peersOf: f => (f === 'record_ms' ? ['record_bare_ms'] : []) }, context);
      assert.equal(
        section,
        [
          '<!-- bench:record:start -->',
          '<!-- Written by `npm run bench -- record`: the next run of this benchmark replaces everything up to the end marker. -->',
          '`npm run bench -- record`, 2026-12-03 09:40 UTC, commit 1c1753c; 2 cores (AMD EPYC), 23 GB, Node v20.20.2, load average 1.4 at the start.',
          '',
          '| figure | this run | peer or floor, same run | ratio |',
          '|---|---:|---|---:|',
          '| record_ms | 236 ms | record_bare_ms 69 ms | 3.42× |',
          '| record_added_ms | 167 ms | — | — |',
          '<!-- bench:record:end -->',
        ].join('\n'),
      );
    });

    it('gives every peer a rule names that the run measured, ignores the others, and shows what was not measured', () => {
      const fields = { merge_ms: 4, duckdb_merge_ms: 60, floor_merge_ms: 26.4, duckdb_ingest_per_s: 1_430_000, ingest_per_s: null, note: 'a | b\nc <!-- x' };
      const section = renderSection('storage', fields, { peersOf: f => [`duckdb_${f}`, `floor_${f}`] }, context);
      const rows = section.split('\n').filter(line => line.startsWith('| ') && !line.startsWith('| figure'));
      assert.deepEqual(rows, [
        '| merge_ms | 4 ms | duckdb_merge_ms 60 ms; floor_merge_ms 26.4 ms | 0.0667×; 0.152× |',
        '| ingest_per_s | not measured | duckdb_ingest_per_s 1,430,000/s | — |',
        '| note | a \\| b c &lt;!-- x | — | — |',
      ]);
    });

    it('reads units from how a field name ends, and rounds to what a noisy run can tell apart', () => {
      assert.deepEqual(
        ['hover_p99_ms', 'overhead_500us_pct', 'agent_rss_mb', 'payload_bytes', 'bytes_per_sample', 'ingest_cpu_ns_per_sample', 'ingest_per_s', 'comparePower_quiet_5runs_20pct', 'samples'].map(unitOf),
        ['ms', '%', 'MB', 'bytes', 'bytes', 'ns', '/s', '', ''],
      );
      assert.deepEqual([0.261234, 3.04, 12.345, 999.6, 1234.5, 10_000_000, 0].map(formatNumber), ['0.261', '3.04', '12.3', '1,000', '1,235', '10,000,000', '0']);
    });
  });

  it('names the command with the settings the benchmark read from the environment, and no others', () => {
    assert.equal(commandOf('record', { PATH: '/bin', ICICLE_CORPUS_DIR: '/c' }), 'npm run bench -- record');
    assert.equal(
      commandOf('editor-open', { ICICLE_EDITOR_OPEN_WITHOUT_CODE_SERVER_WORKER: '1', ICICLE_EDITOR_OPEN_RUNS: '5', ICICLE_RENDER_MIN_SHARE: '0' }),
      'ICICLE_EDITOR_OPEN_RUNS=5 ICICLE_EDITOR_OPEN_WITHOUT_CODE_SERVER_WORKER=1 npm run bench -- editor-open',
    );
  });

  describe('replaceSection', () => {
    const doc = [
      '# Benchmarks',
      '',
      'Prose about the store.',
      startMarker('storage'),
      'old storage table',
      endMarker('storage'),
      '',
      'Why the store is shaped so.',
      startMarker('record'),
      'old record table',
      endMarker('record'),
      'Prose after record.',
      '',
    ].join('\n');

    it('rewrites only the named section and keeps every byte outside it', () => {
      const section = `${startMarker('record')}\nnew record table\n${endMarker('record')}`;
      const updated = replaceSection(doc, 'record', section);
      assert.equal(updated, doc.replace('old record table', 'new record table'));
      assert.equal(replaceSection(updated, 'record', section), updated, 'a second run with the same figures changes nothing');
    });

    it('appends a benchmark that has no section yet at the end', () => {
      const section = `${startMarker('lsp')}\nlsp table\n${endMarker('lsp')}`;
      assert.equal(replaceSection(doc, 'lsp', section), `${doc.trimEnd()}\n\n${section}\n`);
    });

    it('refuses a section whose markers are broken rather than overwriting prose', () => {
      const section = `${startMarker('record')}\nx\n${endMarker('record')}`;
      assert.throws(() => replaceSection(doc.replace(endMarker('record'), ''), 'record', section), /broken section for record/);
      assert.throws(() => replaceSection(doc.replace(startMarker('storage'), ''), 'storage', section), /broken section for storage/);
      assert.throws(() => replaceSection(`${doc}${startMarker('record')}\n${endMarker('record')}\n`, 'record', section), /two sections for record/);
    });
  });

  it('finds in docs/benchmarks.md one well-formed section per benchmark, which a run can rewrite', () => {
    const doc = readFileSync(join(__dirname, '..', 'docs', 'benchmarks.md'), 'utf8');
    const names = [...doc.matchAll(/<!-- bench:([a-z-]+):start -->/g)].map(match => match[1]!);
    // A benchmark without a section is appended at the end by its first run; one with broken markers would stop it.
    assert.ok(names.includes('record') && names.includes('storage'), `sections found: ${names.join(', ')}`);
    for (const name of names) {
      const section = `${startMarker(name)}\nrewritten\n${endMarker(name)}`;
      const updated = replaceSection(doc, name, section);
      assert.ok(updated.includes(section));
      assert.equal(replaceSection(updated, name, section), updated);
    }
  });
});
