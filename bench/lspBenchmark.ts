import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CodeLens, Hover } from 'vscode-languageserver/node';
import { connectToAgent } from '../common/agentConnection';
import { SourceCostsRequest } from '../common/protocol/agentProtocol';
import { LspClient } from '../test/support/lspClient';
import { startBuiltAgent } from '../test/support/agentProcess';
import { pollUntil } from '../test/support/poll';
import { random } from '../test/support/random';
import { median } from './storage/benchTiming';
import { DEFAULT_GENERATOR, type GeneratorConfig } from './storage/generateSamples';
import { loadGeneratedStore } from './storage/storeLoad';
import type { Benchmark } from './benchmarkDoc';

const root = join(__dirname, '..');
/** 10M samples over 2,000 files of 50 functions each (lines 10 to 598), on 20,000 distinct stacks. */
const CONFIG: GeneratorConfig = { ...DEFAULT_GENERATOR, files: 2_000, frames: 100_000, stacks: 20_000 };
const DOCUMENT_LINES = 2_000;
const HOVERS = 2_000;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

/**
 * `npm run bench -- lsp`: hover and code lens latency of the language server, measured from a real LSP client over
 * stdio, with 10M samples over 2,000 files in the store behind a real agent. The peer, measured in the same run, is
 * what answering each request with a store query would cost: the agent's source-costs query, which the server runs
 * once per refresh instead of once per hover.
 */
export async function runLspBenchmark(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'icicle-bench-lsp-'));
  try {
    console.log(`Language server latency (${(CONFIG.samples / 1e6).toFixed(0)}M samples, ${CONFIG.files.toLocaleString('en-US')} files, ${HOVERS} hovers)`);
    const loadMs = await loadGeneratedStore(join(dir, 'store'), CONFIG);
    console.log(`  loaded in ${(loadMs / 1000).toFixed(1)} s`);

    const socket = join(dir, 'agent.sock');
    const agent = await startBuiltAgent(socket, join(dir, 'store'));
    const peer = await connectToAgent(socket, 'test', 'bench');
    const queryMs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      await peer.connection.sendRequest(SourceCostsRequest.type, { selection: { kind: 'allRuns', selector: '{}' } });
      queryMs.push(performance.now() - started);
    }
    const started = performance.now();
    const client = await LspClient.start(
      { agentSocket: socket, selection: { kind: 'allRuns', selector: '{}' }, settings: { codeLensMinPercent: 0, inlayHints: false, pathMappings: [] } },
      null,
      join(root, 'out', 'language-server', 'server.js'),
    );
    await pollUntil(() => client.costsChanged.length > 0, { timeoutMs: 300_000, what: 'the language server’s first costs' });
    const readyMs = performance.now() - started;

    // A 2,000-line document that the profile names /src/module7.ts (the generator's files), opened as an editor would.
    const uri = 'file:///src/module7.ts';
    await client.open(uri, Array.from({ length: DOCUMENT_LINES }, (_, i) => `// line ${i + 1}`).join('\n'), 'typescript');
    const lensMs: number[] = [];
    let lensCount = 0;
    for (let i = 0; i < 21; i++) {
      const t = performance.now();
      const lenses = await client.connection.sendRequest<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
      lensMs.push(performance.now() - t);
      lensCount = lenses.length;
      // Every other request follows an edit, so half of them place the annotations again.
      if (i % 2 === 0) await client.edit(uri, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, '');
    }
    const next = random(7);
    // Half the hovers on a function's first line (the generator puts them at 10 + 12k), half anywhere.
    const hoverMs: number[] = [];
    const answeredMs: number[] = [];
    for (let i = 0; i < HOVERS; i++) {
      const line = i % 2 === 0 ? 9 + 12 * Math.floor(next() * 50) : Math.floor(next() * DOCUMENT_LINES);
      const t = performance.now();
      const hover = await client.connection.sendRequest<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line, character: 3 } });
      const ms = performance.now() - t;
      hoverMs.push(ms);
      if (hover) answeredMs.push(ms);
    }
    hoverMs.sort((a, b) => a - b);
    answeredMs.sort((a, b) => a - b);
    const answered = answeredMs.length;
    const lensMedian = median(lensMs.slice(1));
    const figures = {
      lsp_samples: CONFIG.samples,
      lsp_files: CONFIG.files,
      hover_p50_ms: percentile(hoverMs, 0.5),
      hover_p99_ms: percentile(hoverMs, 0.99),
      hover_with_costs_p99_ms: percentile(answeredMs, 0.99),
      codelens_ms: lensMedian,
      codelens_first_ms: lensMs[0]!,
      lsp_ready_ms: readyMs,
      lsp_peer_query_ms: median(queryMs),
    };
    console.log(`  costs ready in the server ${(readyMs / 1000).toFixed(2)} s after it started (agent query ${median(queryMs).toFixed(0)} ms, 3 runs)`);
    console.log(`  hover   p50 ${figures.hover_p50_ms.toFixed(2)} ms   p99 ${figures.hover_p99_ms.toFixed(2)} ms   (${answered} of ${HOVERS} with costs: their p99 ${figures.hover_with_costs_p99_ms.toFixed(2)} ms)   target p99 ≤ 20 ms ${figures.hover_p99_ms <= 20 ? 'PASS' : 'MISS'}`);
    console.log(`  lenses  ${lensMedian.toFixed(2)} ms median (${lensCount} lenses; first ${lensMs[0]!.toFixed(1)} ms)   target ≤ 50 ms ${lensMedian <= 50 ? 'PASS' : 'MISS'}`);
    console.log(`  peer: a store query per request would take ${median(queryMs).toFixed(0)} ms: hover p99 is ${(figures.hover_p99_ms / median(queryMs)).toFixed(4)}× that`);
    await client.stop();
    peer.dispose();
    agent.child.kill();
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every request's latency against the store query that answering it directly would cost. */
export const lspBenchmark: Benchmark = { run: runLspBenchmark, peersOf: field => (/^(hover|codelens)_/.test(field) ? ['lsp_peer_query_ms'] : []) };
