import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { parsePerfScript } from '../../agent/import/formats/perf/perfScript';
import { parseProfileBytes } from '../../agent/import/detectFormat';
import { parseStreamedFile } from '../../agent/import/streamImport';
import { fileAnchor } from '../../agent/import/timeAnchor';
import { MAX_PROFILE_BYTES, readProfileBytes, gunzipIfCompressed } from '../../agent/readProfileFile';
import { corpusDir } from '../support/corpus';

/**
 * A 1 GB profile file (sparse, so the test costs no disk) and a small gzip that inflates past the limit: both refused
 * with their size before anything is parsed, and the agent's memory does not grow by the file's size.
 */
describe('a profile too large to read', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'icicle-huge-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is refused by its size at once, without being read', async () => {
    const path = join(dir, 'huge.cpuprofile');
    writeFileSync(path, '');
    truncateSync(path, 1024 * 1024 * 1024);
    const before = process.memoryUsage().rss;
    const started = performance.now();
    await assert.rejects(readProfileBytes(path, 'huge.cpuprofile'), /huge\.cpuprofile .*1024 MiB/);
    assert.ok(performance.now() - started < 1000, 'refused without reading');
    assert.ok(process.memoryUsage().rss - before < 64 * 1024 * 1024, 'the file was not loaded into memory');
  });

  it('reads a perf script text bigger than the limit as a stream, never holding the file', async () => {
    // The corpus' real xz recording, again and again: 420 MiB, over the 400 MiB a file read whole may have.
    const xz = gunzipSync(readFileSync(join(corpusDir(), 'generated', 'xz.perf.txt.gz')));
    const copies = Math.ceil((420 * 2 ** 20) / xz.length);
    const path = join(dir, 'long.perf.txt');
    const fd = openSync(path, 'w');
    for (let i = 0; i < copies; i++) writeSync(fd, xz);
    closeSync(fd);
    assert.ok(copies * xz.length > MAX_PROFILE_BYTES);
    const perCopy = parsePerfScript(xz.toString('utf8'), 'xz')[0]!.sampleStacks.length;
    const before = process.memoryUsage().rss;
    let peak = before;
    const watch = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    try {
      const streamed = await parseStreamedFile(path, 'long.perf.txt');
      assert.ok(streamed, 'streamed');
      assert.equal(streamed.parsed.format, 'perf-script');
      assert.equal(streamed.parsed.profiles[0]!.sampleStacks.length, copies * perCopy);
    } finally {
      clearInterval(watch);
      rmSync(path, { force: true });
    }
    // What is held is the profile, never the file or a string of it: about 200 bytes a sample today (2.9 million
    // samples: 600 MB, the per-sample columns as arrays of numbers), under the 1 GB the import may take. Read whole,
    // the file alone would take 420 MB as bytes and as much again as text.
    const grewMb = (peak - before) / 2 ** 20;
    assert.ok(grewMb < 1024, `memory grew by ${Math.round(grewMb)} MB reading a 420 MiB file`);
  });

  it('reads a V8 profile bigger than the limit as a stream, never holding the file', async () => {
    // The corpus' real sucrase profile, its tree copied again and again under one root (ids moved by 10,000 a
    // copy) to 420 MiB, with its samples on the last copy, so that a reader that stopped early would not find them.
    const sucrase = readFileSync(join(corpusDir(), 'cpuprofile', 'sucrase.cpuprofile'));
    const profile = JSON.parse(sucrase.toString('utf8')) as { nodes: { id: number; callFrame: { functionName: string }; children?: number[] }[]; samples: number[] };
    const root = profile.nodes[0]!;
    assert.equal(root.callFrame.functionName, '(root)');
    const STEP = 10_000;
    assert.ok(profile.nodes.every(node => node.id < STEP));
    // The other nodes' JSON with each id marked, cut at the marks: a copy is the parts joined with its ids.
    const marked = JSON.stringify(profile.nodes.slice(1).map(node => ({ ...node, id: `@${node.id}`, ...(node.children ? { children: node.children.map(id => `@${id}`) } : {}) })));
    const parts = marked.slice(1, -1).split(/"@(\d+)"/);
    const copies = Math.ceil((420 * 2 ** 20) / marked.length);
    const moved = (id: number, copy: number): number => (id === root.id ? id : id + copy * STEP);
    const path = join(dir, 'long.cpuprofile');
    const fd = openSync(path, 'w');
    const rootChildren = Array.from({ length: copies }, (_, copy) => (root.children ?? []).map(id => moved(id, copy))).flat();
    writeSync(fd, `{"nodes":[${JSON.stringify({ ...root, children: rootChildren })}`);
    for (let copy = 0; copy < copies; copy++) writeSync(fd, `,${parts.map((part, i) => (i % 2 ? String(moved(Number(part), copy)) : part)).join('')}`);
    const { nodes: _nodes, samples, ...rest } = JSON.parse(sucrase.toString('utf8')) as { nodes: unknown; samples: number[] };
    writeSync(fd, `],${JSON.stringify({ ...rest, samples: samples.map(id => moved(id, copies - 1)) }).slice(1)}`);
    closeSync(fd);
    assert.ok(statSync(path).size > MAX_PROFILE_BYTES);
    const before = process.memoryUsage().rss;
    let peak = before;
    const watch = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    try {
      const streamed = await parseStreamedFile(path, 'long.cpuprofile');
      assert.ok(streamed, 'streamed');
      // The samples are sucrase's own on the same frames and stacks: the import is sucrase's.
      assert.deepEqual(streamed.parsed, parseProfileBytes(sucrase, 'long.cpuprofile', fileAnchor(statSync(path).mtimeMs)));
    } finally {
      clearInterval(watch);
      rmSync(path, { force: true });
    }
    // What is held is the nodes' columns (1.5 million nodes), never the file or a string of it.
    const grewMb = (peak - before) / 2 ** 20;
    assert.ok(grewMb < 1024, `memory grew by ${Math.round(grewMb)} MB reading a 420 MiB V8 profile`);
  });

  it('reads a Chrome trace bigger than the limit as a stream, never holding the file', async () => {
    // The corpus' real DevTools trace (V8 samples in Profile and ProfileChunk events, metadata, duration events),
    // with its events that no profile reads (async, flow, instant, mark...) written again and again first, to 420
    // MiB, as a long recording's trace is mostly such events: a reader that held them would show in memory.
    const trace = readFileSync(join(corpusDir(), 'chrome-trace', 'Trace-20230603T221323.json'));
    const { traceEvents, ...rest } = JSON.parse(trace.toString('utf8')) as { traceEvents: { ph: string; name: string }[] };
    const filler = traceEvents.filter(event => !['B', 'E', 'X', 'M'].includes(event.ph) && !['Profile', 'ProfileChunk', 'CpuProfile'].includes(event.name));
    const fillerText = `${filler.map(event => JSON.stringify(event)).join(',\n')},\n`;
    const path = join(dir, 'long-trace.json');
    const fd = openSync(path, 'w');
    writeSync(fd, '{"traceEvents":[\n');
    for (let written = 0; written < 420 * 2 ** 20; written += fillerText.length) writeSync(fd, fillerText);
    writeSync(fd, `${traceEvents.map(event => JSON.stringify(event)).join(',\n')}],\n${JSON.stringify(rest).slice(1)}`);
    closeSync(fd);
    assert.ok(statSync(path).size > MAX_PROFILE_BYTES);
    const before = process.memoryUsage().rss;
    let peak = before;
    const watch = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    try {
      const streamed = await parseStreamedFile(path, 'long-trace.json');
      assert.ok(streamed, 'streamed');
      // The events read are the trace's own, in the same order: the import is the trace's, its notes included.
      assert.deepEqual(streamed.parsed, parseProfileBytes(trace, 'long-trace.json', fileAnchor(statSync(path).mtimeMs)));
    } finally {
      clearInterval(watch);
      rmSync(path, { force: true });
    }
    const grewMb = (peak - before) / 2 ** 20;
    assert.ok(grewMb < 512, `memory grew by ${Math.round(grewMb)} MB reading a 420 MiB Chrome trace`);
  });

  it('refuses a gzip that inflates past the limit, saying so', () => {
    // 600 MiB of zeros compress to under a megabyte.
    const bomb = gzipSync(Buffer.alloc(600 * 1024 * 1024));
    assert.ok(bomb.length < 2 * 1024 * 1024);
    assert.throws(() => gunzipIfCompressed(bomb, 'bomb.cpuprofile.gz'), /bomb\.cpuprofile\.gz/);
  });

  it('refuses a pipe or a device chosen as a profile at once, with what it is', async () => {
    const fifo = join(dir, 'pipe.cpuprofile');
    execFileSync('mkfifo', [fifo]);
    const started = performance.now();
    // Opening a FIFO would wait for a writer for ever; it is refused before it is opened.
    await assert.rejects(readProfileBytes(fifo, 'pipe.cpuprofile'), /Cannot open pipe\.cpuprofile: it is not a regular file/);
    await assert.rejects(readProfileBytes('/dev/zero', 'zero'), /Cannot open zero: it is not a regular file/);
    assert.ok(performance.now() - started < 1000, 'refused at once');
  });
});
