import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_EDITOR_PATTERNS, formatName, PROFILE_FILE_EXTENSIONS, PROFILE_FORMATS, READABLE_FORMATS, READABLE_SENTENCE } from './profileFormats';

interface Manifest {
  activationEvents: string[];
  contributes: { customEditors: { viewType: string; selector: { filenamePattern: string }[] }[] };
}

/**
 * package.json is read by VS Code as it is (from the extension's folder in development, from the .vsix when
 * installed), so it cannot import the format table; generating it at build time would make every build rewrite a
 * checked-in file. This test holds it to the table instead, and says what to write when they disagree.
 */
describe('profile formats', () => {
  const manifest = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as Manifest;

  it("package.json's custom editor opens the files of the formats marked defaultEditor, and nothing else", () => {
    const editor = manifest.contributes.customEditors.find(e => e.viewType === 'icicle.profileEditor');
    assert.ok(editor, 'package.json has no icicle.profileEditor custom editor');
    assert.deepEqual(
      editor.selector.map(s => s.filenamePattern),
      DEFAULT_EDITOR_PATTERNS,
      `package.json's customEditors selector must be ${JSON.stringify(DEFAULT_EDITOR_PATTERNS.map(filenamePattern => ({ filenamePattern })))} (common/profileFormats.ts)`,
    );
  });

  it('a folder holding a file the flame graph opens by default activates the extension', () => {
    const events = manifest.activationEvents.filter(e => e.startsWith('workspaceContains:'));
    assert.deepEqual(events, DEFAULT_EDITOR_PATTERNS.map(pattern => `workspaceContains:**/${pattern}`), "package.json's activationEvents (common/profileFormats.ts)");
  });

  it('says what Icicle reads in one sentence, naming every readable format and no refused one', () => {
    assert.equal(READABLE_SENTENCE, 'Icicle reads V8 CPU profiles (.cpuprofile), Chrome traces, pprof, OpenTelemetry profiles (OTLP), speedscope files, `perf script` output, collapsed stacks and V8 heap profiles (.heapprofile)');
    assert.deepEqual(READABLE_FORMATS, ['cpuprofile', 'chrome-trace', 'pprof', 'otlp', 'speedscope', 'perf-script', 'collapsed', 'heapprofile']);
    assert.equal(formatName('perf-script'), '`perf script` output');
  });

  it('offers each readable extension once in the open dialog, and gzip, but no refused format of its own', () => {
    assert.deepEqual(PROFILE_FILE_EXTENSIONS, ['cpuprofile', 'json', 'pprof', 'prof', 'pb', 'otlp', 'perf', 'txt', 'folded', 'collapsed', 'heapprofile', 'gz']);
    assert.ok(PROFILE_FILE_EXTENSIONS.includes(PROFILE_FORMATS.heapprofile.extensions[0]));
  });
});
