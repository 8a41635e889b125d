import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ImportedFrame } from '../importedProfile';
import { applySourceMaps } from './applySourceMaps';
import { findSourceMappingUrl, localScriptPath, mappedFrom, SourceMapResolver } from './sourceMapResolver';
import { bundleTsApp, compileTsApp, profileScript, toImportedProfile, tsApp, v8Frame, type V8Profile } from '../../../test/support/sourceMapApp';

const hotTs = join(tsApp, 'src', 'hot.ts');
const mainTs = join(tsApp, 'src', 'main.ts');
/** Where the functions are declared in the original sources (1-based). */
const SPIN_PRIMES_LINE = 2;
const RUN_FOR_A_WHILE_LINE = 4;

const quiet = (): void => {};

function frame(file: string, line: number, column: number, name = 'f'): ImportedFrame {
  return { name, file, line, column, module: '', address: 0 };
}

/** The distinct call frames of a real profile that come from `dir`, as ImportedFrames. */
function framesFrom(profile: V8Profile, dir: string): ImportedFrame[] {
  const prefix = pathToFileURL(dir).href;
  const seen = new Map<string, ImportedFrame>();
  for (const node of profile.nodes) {
    const f = v8Frame(node.callFrame);
    if (f.file.startsWith(prefix)) seen.set(JSON.stringify(f), f);
  }
  return [...seen.values()];
}

function named(frames: ImportedFrame[], name: string): ImportedFrame {
  const found = frames.find(f => f.name === name);
  assert.ok(found, `no frame named ${name} among ${frames.map(f => f.name).join(', ')}`);
  return found;
}

describe('SourceMapResolver', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-sourcemaps-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe('real programs profiled with node --cpu-prof', () => {
    for (const option of ['--sourceMap', '--inlineSourceMap'] as const) {
      it(`maps tsc ${option} output back to the TypeScript sources`, async () => {
        const out = join(dir, 'out');
        await compileTsApp(out, option);
        const profile = await profileScript(join(out, 'main.js'), join(dir, 'prof'));
        const generated = framesFrom(profile, out);
        const resolver = new SourceMapResolver({ log: quiet });
        const result = await resolver.resolveFrames(generated);

        const hot = named(result.frames, 'spinPrimes');
        assert.equal(hot.file, hotTs);
        assert.equal(hot.line, SPIN_PRIMES_LINE);
        const caller = named(result.frames, 'runForAWhile');
        assert.equal(caller.file, mainTs);
        assert.equal(caller.line, RUN_FOR_A_WHILE_LINE);
        // The generated position is remembered in `module`.
        const generatedHot = named(generated, 'spinPrimes');
        assert.deepEqual(mappedFrom(hot), { file: generatedHot.file, line: generatedHot.line, column: generatedHot.column });
        assert.equal(result.unmapped + result.mapped, generated.length);
        assert.deepEqual(result.missingMaps, []);
      });
    }

    for (const sourcemap of [true, 'inline'] as const) {
      it(`maps an esbuild bundle (sourcemap: ${sourcemap}) back to the TypeScript sources`, async () => {
        const bundle = join(dir, 'dist', 'bundle.js');
        await bundleTsApp(bundle, sourcemap);
        const profile = await profileScript(bundle, join(dir, 'prof'));
        const generated = framesFrom(profile, join(dir, 'dist'));
        const result = await new SourceMapResolver({ log: quiet }).resolveFrames(generated);
        const hot = named(result.frames, 'spinPrimes');
        assert.equal(hot.file, hotTs);
        assert.equal(hot.line, SPIN_PRIMES_LINE);
        const caller = named(result.frames, 'runForAWhile');
        assert.equal(caller.file, mainTs);
        assert.equal(caller.line, RUN_FOR_A_WHILE_LINE);
        // Both came from the one bundle.
        assert.equal(mappedFrom(hot)!.file, pathToFileURL(bundle).href);
        assert.equal(mappedFrom(caller)!.file, pathToFileURL(bundle).href);
      });
    }

    it('applies maps to a whole real profile: the hot function is called from the original caller', async () => {
      const out = join(dir, 'out');
      await compileTsApp(out, '--sourceMap');
      const imported = toImportedProfile(await profileScript(join(out, 'main.js'), join(dir, 'prof')));
      const result = await applySourceMaps(imported, new SourceMapResolver({ log: quiet }));
      assert.ok(result.sourceMaps.mapped >= 2);
      const hotId = result.frames.findIndex(f => f.name === 'spinPrimes' && f.file === hotTs);
      assert.ok(hotId >= 0);
      const hotSamples = result.sampleStacks.filter(s => result.stacks[s]![0] === hotId);
      assert.ok(hotSamples.length > 10, `only ${hotSamples.length} samples in spinPrimes`);
      const stack = result.stacks[hotSamples[0]!]!;
      assert.equal(result.frames[stack[1]!]!.file, mainTs);
      assert.equal(result.frames[stack[1]!]!.name, 'runForAWhile');
      // Node's own frames (node:internal…) are untouched.
      assert.ok(result.frames.some(f => f.file.startsWith('node:') && f.module === ''));
      assert.equal(result.sampleStacks.length, imported.sampleStacks.length);
    });
  });

  describe('scripts without a usable map', () => {
    it('leaves frames of a script with no map unchanged and reports it', async () => {
      const script = join(dir, 'plain.js');
      writeFileSync(script, 'function f() { return 1; }\nf();\n');
      const frames = [frame(pathToFileURL(script).href, 1, 11), frame(script, 1, 11)];
      const resolver = new SourceMapResolver({ log: quiet });
      const result = await resolver.resolveFrames(frames);
      assert.equal(result.mapped, 0);
      assert.equal(result.unmapped, 2);
      assert.equal(result.frames[0], frames[0]);
      assert.equal(result.frames[1], frames[1]);
      assert.equal(result.missingMaps.length, 2);
      assert.match(result.missingMaps[0]!.reason, /no sourceMappingURL comment/);
      assert.match((await resolver.reasonFor(script))!, /plain\.js\.map does not exist/);
    });

    it('treats a malformed map as no map, with a reason, and never throws', async () => {
      const cases: Record<string, string> = {
        'not-json.js.map': '{"version": 3, "mappings": ',
        'wrong-version.js.map': JSON.stringify({ version: 2, sources: ['a.ts'], mappings: 'AAAA' }),
        'bad-sources.js.map': JSON.stringify({ version: 3, sources: [1, 2], mappings: 'AAAA' }),
        'array.js.map': '[]',
      };
      const resolver = new SourceMapResolver({ log: quiet });
      for (const [mapName, text] of Object.entries(cases)) {
        const script = join(dir, mapName.replace(/\.map$/, ''));
        writeFileSync(script, `f();\n//# sourceMappingURL=${mapName}\n`);
        writeFileSync(join(dir, mapName), text);
        const result = await resolver.resolveFrames([frame(script, 1, 1)]);
        assert.equal(result.mapped, 0, mapName);
        assert.equal(result.missingMaps.length, 1, mapName);
        assert.match(result.missingMaps[0]!.reason, /is malformed/, mapName);
      }
    });

    it('treats mappings that are not base64 VLQ as no map', async () => {
      const script = join(dir, 'vlq.js');
      writeFileSync(script, 'f();\n');
      // '!' is not a base64 VLQ digit.
      writeFileSync(`${script}.map`, JSON.stringify({ version: 3, sources: ['a.ts'], names: [], mappings: 'AA!A;;;AAAA,CAAC' }));
      const resolver = new SourceMapResolver({ log: quiet });
      const result = await resolver.resolveFrames([frame(script, 1, 1), frame(script, 4, 2)]);
      assert.equal(result.mapped, 0);
      assert.match(result.missingMaps[0]!.reason, /not base64 VLQ/);
    });

    it('never fetches a sourceMappingURL that points to http(s)', async () => {
      let requests = 0;
      const server: Server = createServer((_request, response) => {
        requests++;
        response.end('{"version":3,"sources":["x.ts"],"names":[],"mappings":"AAAA"}');
      });
      await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = server.address() as AddressInfo;
        const script = join(dir, 'remote.js');
        writeFileSync(script, `f();\n//# sourceMappingURL=http://127.0.0.1:${port}/remote.js.map\n`);
        const httpsScript = join(dir, 'remote2.js');
        writeFileSync(httpsScript, `f();\n//# sourceMappingURL=https://127.0.0.1:${port}/remote2.js.map\n`);
        const resolver = new SourceMapResolver({ log: quiet });
        const result = await resolver.resolveFrames([frame(script, 1, 1), frame(httpsScript, 1, 1)]);
        assert.equal(result.mapped, 0);
        assert.equal(requests, 0);
        for (const missing of result.missingMaps) assert.match(missing.reason, /not a local file and is never fetched/);
      } finally {
        await new Promise(resolve => server.close(resolve));
      }
    });

    it('never resolves node:, internal/, http(s): or empty script URLs', async () => {
      const frames = [frame('node:internal/main', 1, 1), frame('internal/modules/cjs/loader.js', 1, 1), frame('https://example.invalid/app.js', 1, 1), frame('', 0, 0), frame('relative/app.js', 1, 1)];
      const result = await new SourceMapResolver({ log: quiet }).resolveFrames(frames);
      assert.equal(result.mapped, 0);
      assert.deepEqual(result.missingMaps, []);
      result.frames.forEach((f, i) => assert.equal(f, frames[i]));
      for (const f of frames) assert.equal(localScriptPath(f.file), undefined);
    });

    it('skips scripts and maps above the size limit', async () => {
      const script = join(dir, 'big.js');
      writeFileSync(script, `${'x'.repeat(2000)}\n//# sourceMappingURL=big.js.map\n`);
      const resolver = new SourceMapResolver({ log: quiet, maxFileBytes: 1000 });
      const result = await resolver.resolveFrames([frame(script, 1, 1)]);
      assert.match(result.missingMaps[0]!.reason, /above the 0\.0 MB limit for a script/);

      const small = join(dir, 'small.js');
      writeFileSync(small, 'f();\n');
      writeFileSync(`${small}.map`, JSON.stringify({ version: 3, sources: ['a.ts'], names: [], mappings: 'AAAA', sourcesContent: ['y'.repeat(2000)] }));
      const result2 = await resolver.resolveFrames([frame(small, 1, 1)]);
      assert.match(result2.missingMaps[0]!.reason, /limit for a map/);
    });

    it('leaves frames with unknown positions or no mapping unmapped', async () => {
      const script = join(dir, 'partial.js');
      writeFileSync(script, 'f();\n\ng();\n//# sourceMappingURL=partial.js.map\n');
      // Line 1 column 1 (0-based 0,0) → a.ts line 1 column 1; line 3 → a source index out of range (corrupt).
      writeFileSync(join(dir, 'partial.js.map'), JSON.stringify({ version: 3, sources: ['a.ts'], names: [], mappings: 'AAAA;;ACAA' }));
      const frames = [frame(script, 1, 1), frame(script, 3, 1), frame(script, 0, 0), frame(script, 1, 0)];
      const result = await new SourceMapResolver({ log: quiet }).resolveFrames(frames);
      assert.deepEqual(result.frames[0], { name: 'f', file: join(dir, 'a.ts'), line: 1, column: 1, module: `${script}:1:1`, address: 0 });
      assert.deepEqual(result.isMapped, [true, false, false, false]);
      assert.deepEqual(result.missingMaps, []);
    });
  });

  describe('sources', () => {
    it('resolves sources against sourceRoot and the map directory', async () => {
      mkdirSync(join(dir, 'maps'));
      const script = join(dir, 'app.js');
      writeFileSync(script, 'f();\n//# sourceMappingURL=maps/app.js.map\n');
      writeFileSync(join(dir, 'maps', 'app.js.map'), JSON.stringify({ version: 3, sourceRoot: '../src/', sources: ['a.ts'], names: [], mappings: 'AAAA' }));
      const result = await new SourceMapResolver({ log: quiet }).resolveFrames([frame(pathToFileURL(script).href, 1, 1)]);
      assert.equal(result.frames[0]!.file, join(dir, 'src', 'a.ts'));
    });

    it('resolves webpack:// sources relative to the map directory, or the nearest ancestor holding the file', async () => {
      mkdirSync(join(dir, 'src'));
      mkdirSync(join(dir, 'dist'));
      writeFileSync(join(dir, 'src', 'index.ts'), 'export {};\n');
      const script = join(dir, 'dist', 'main.js');
      writeFileSync(script, 'f();\ng();\nh();\n//# sourceMappingURL=main.js.map\n');
      const sources = ['webpack://my-app/./src/index.ts', 'webpack:///./lib/util.ts?babel-loader', 'https://example.invalid/remote.ts'];
      // Line 1 → source 0, line 2 → source 1, line 3 → source 2.
      writeFileSync(join(dir, 'dist', 'main.js.map'), JSON.stringify({ version: 3, sources, names: [], mappings: 'AAAA;ACAA;ACAA' }));
      const result = await new SourceMapResolver({ log: quiet }).resolveFrames([frame(script, 1, 1), frame(script, 2, 1), frame(script, 3, 1)]);
      // src/index.ts exists beside dist/, not inside it.
      assert.equal(result.frames[0]!.file, join(dir, 'src', 'index.ts'));
      // lib/util.ts exists nowhere: relative to the map's directory.
      assert.equal(result.frames[1]!.file, join(dir, 'dist', 'lib', 'util.ts'));
      // A remote source maps nothing.
      assert.deepEqual(result.isMapped, [true, true, false]);
    });

    it('uses the map name only for nameless frames', async () => {
      const script = join(dir, 'names.js');
      writeFileSync(script, 'f();\n');
      writeFileSync(`${script}.map`, JSON.stringify({ version: 3, sources: ['a.ts'], names: ['original'], mappings: 'AAAAA' }));
      const resolver = new SourceMapResolver({ log: quiet });
      const result = await resolver.resolveFrames([frame(script, 1, 1, '(anonymous)'), frame(script, 1, 1, 'v8Name')]);
      assert.equal(result.frames[0]!.name, 'original');
      assert.equal(result.frames[1]!.name, 'v8Name');
      assert.deepEqual(await resolver.originalPositionFor(script, 1, 1), { file: join(dir, 'a.ts'), line: 1, column: 1, name: 'original' });
    });
  });

  describe('findSourceMappingUrl', () => {
    it('finds the last comment in its current, legacy and block forms', () => {
      assert.equal(findSourceMappingUrl('f();\n//# sourceMappingURL=a.js.map\n'), 'a.js.map');
      assert.equal(findSourceMappingUrl('f();\n//@ sourceMappingURL=legacy.map'), 'legacy.map');
      assert.equal(findSourceMappingUrl('f();\n/*# sourceMappingURL=block.map */\n'), 'block.map');
      assert.equal(findSourceMappingUrl('//# sourceMappingURL=first.map\nf();\n//# sourceMappingURL=last.map\n'), 'last.map');
      assert.equal(findSourceMappingUrl('const s = "sourceMappingURL=nope";\n'), undefined);
      assert.equal(findSourceMappingUrl('f();\n'), undefined);
    });
  });
});
