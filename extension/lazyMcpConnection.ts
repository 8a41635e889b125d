import { createRequire } from 'node:module';
import * as vscode from 'vscode';
import { icicleMcpCommand } from './mcpServerDefinition';
import type { connectMcpTools, McpToolClient } from './mcpToolClient';

/** Where the read-only tools run: `icicle mcp` on the agent's store, started as the MCP server definition starts it. */
export interface McpToolProcess {
  extensionUri: vscode.Uri;
  store: () => Promise<string>;
  version: string;
}

/** The `icicle mcp` process, started at the first call, started again after it ended, closed with the tools. */
export class LazyMcpConnection {
  private client: Promise<McpToolClient> | undefined;
  private closed = false;

  constructor(private readonly server: McpToolProcess) {}

  async call(tool: string, input: Record<string, unknown>, token: vscode.CancellationToken): Promise<string[]> {
    if (this.closed) throw new Error('Icicle’s tools were closed: the workspace is trusted now, and its MCP server answers instead.');
    const client = await this.connected();
    const abort = new AbortController();
    const cancelled = token.onCancellationRequested(() => abort.abort());
    try {
      return await client.call(tool, input, abort.signal);
    } finally {
      cancelled.dispose();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = undefined;
    await client?.then(c => c.close(), () => undefined);
  }

  private connected(): Promise<McpToolClient> {
    if (this.client === undefined) {
      const started = this.start();
      this.client = started;
      // A process that ended (or never started) is forgotten, so that the next call starts another.
      const forget = () => {
        if (this.client === started) this.client = undefined;
      };
      started.then(client => client.onClose(forget), forget);
    }
    return this.client;
  }

  private async start(): Promise<McpToolClient> {
    const out = vscode.Uri.joinPath(this.server.extensionUri, 'out');
    // The SDK is in its own bundle, loaded now rather than with the extension (esbuild.mjs).
    const load = createRequire(vscode.Uri.joinPath(out, 'extension', 'extension.js').fsPath);
    const connect = (load(vscode.Uri.joinPath(out, 'extension', 'mcpToolClient.js').fsPath) as { connectMcpTools: typeof connectMcpTools }).connectMcpTools;
    const { command, args, env } = icicleMcpCommand(this.server.extensionUri, ['--store', await this.server.store()]);
    const client = await connect(command, args, env, this.server.version);
    // Closed while it started: the process must not outlive the tools.
    if (this.closed) {
      await client.close();
      throw new Error('Icicle’s tools were closed while their server started.');
    }
    return client;
  }
}
