// The one build script: one esbuild context per runtime, plus the test bundles that run inside the editor.
//   node esbuild.mjs            production bundles (minified, no source maps)
//   node esbuild.mjs --dev      development bundles with source maps, and the editor-test bundle
//   node esbuild.mjs --watch    rebuild on change (implies nothing else; combine with --dev)
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import * as esbuild from 'esbuild';

const dev = process.argv.includes('--dev');
const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  minify: !dev,
  sourcemap: dev ? 'linked' : false,
  sourcesContent: false,
  logLevel: 'warning',
  legalComments: 'none',
  define: { 'process.env.ICICLE_VERSION': JSON.stringify(version) },
};

const node = { ...common, platform: 'node', target: 'node20', format: 'cjs' };

const contexts = [
  // The extension host: `vscode` is provided by the editor at run time.
  // mcpToolClient.js is the MCP client (the SDK) that the extension loads only when a language model tool it offers in
  // Restricted Mode is called (extension/lazyMcpConnection.ts): kept out of the activation's bundle.
  { ...node, entryPoints: { extension: 'extension/extension.ts', mcpToolClient: 'extension/mcpToolClient.ts' }, outdir: 'out/extension', external: ['vscode'] },
  // The agent process and the command line that embeds it, its view query worker thread, and the store's block
  // worker thread (Parquet through parquet-wasm, whose node build loads parquet_wasm_bg.wasm from beside the bundle:
  // copied below).
  // nodeProbe.js is the probe that NODE_OPTIONS=--require loads into profiled programs (agent/probe/nodeProbe.ts).
  // icicleMain.js is the command line, which the bin below loads.
  {
    ...node,
    entryPoints: { main: 'agent/main.ts', blockWorker: 'storage/block/blockWorker.ts', viewWorker: 'agent/queries/view/viewWorker.ts', icicleMain: 'agent/cli/main.ts', parquetWorker: 'agent/dataset/parquetWorker.ts', nodeProbe: 'agent/probe/nodeProbe.ts', v8ScanWorker: 'agent/import/formats/v8/v8ScanWorker.ts' },
    outdir: 'out/agent',
  },
  // The package's `icicle` bin (the shebang): a small bundle, so that `icicle record` starts its program before
  // icicleMain.js is compiled (agent/cli/icicle.ts).
  {
    ...node,
    entryPoints: { icicle: 'agent/cli/icicle.ts' },
    outdir: 'out/agent',
    external: ['./icicleMain.js'],
    banner: { js: '#!/usr/bin/env node' },
  },
  // The language server process.
  { ...node, entryPoints: { server: 'language-server/server.ts' }, outdir: 'out/language-server' },
  // The webview page: a browser bundle; its CSS (ours and d3-flame-graph's) lands beside it as main.css.
  {
    ...common,
    platform: 'browser',
    target: 'chrome114',
    format: 'iife',
    entryPoints: { main: 'webview/main.ts', compare: 'webview/compare/compareMain.ts' },
    outdir: 'out/webview',
  },
];

if (dev) {
  // The editor-test suite runs inside the extension host; mocha stays external and loads from node_modules.
  contexts.push({
    ...node,
    entryPoints: { index: 'test/editor/suite/index.ts' },
    outdir: 'out/test/editor',
    external: ['vscode', 'mocha'],
  });
}

// A full build starts from an empty out/, so no stale bundle or source map from another mode is left behind.
if (!watch) rmSync('out', { recursive: true, force: true });

const started = Date.now();
mkdirSync('out/agent', { recursive: true });
copyFileSync('node_modules/parquet-wasm/node/parquet_wasm_bg.wasm', 'out/agent/parquet_wasm_bg.wasm');
const built = await Promise.all(contexts.map(options => esbuild.context(options)));
if (watch) {
  await Promise.all(built.map(context => context.watch()));
  console.log(`[esbuild] watching ${built.length} contexts`);
} else {
  await Promise.all(built.map(context => context.rebuild()));
  await Promise.all(built.map(context => context.dispose()));
  chmodSync('out/agent/icicle.js', 0o755);
  console.log(`[esbuild] built ${built.length} bundles (${dev ? 'development' : 'production'}) in ${Date.now() - started} ms`);
}
