import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

/**
 * A connection to an `icicle mcp` process, through which the extension forwards the calls of the language model tools
 * it offers itself: so each answer is the server's own. Built as its own bundle (out/extension/mcpToolClient.js,
 * esbuild.mjs) and loaded only when such a tool is first called, so that the SDK weighs nothing on the extension's
 * activation.
 */
export interface McpToolClient {
  /** The answer as VS Code hands an MCP tool's answer to a model: its structured content as JSON, else its text. */
  call(tool: string, input: Record<string, unknown>, signal: AbortSignal): Promise<string[]>;
  /** Says when the process ended or the connection broke, so that the next call starts another. */
  onClose(listener: () => void): void;
  close(): Promise<void>;
}

/** Starts `command args` (the `icicle mcp` process) and connects to it over its stdin and stdout. */
export async function connectMcpTools(command: string, args: string[], env: Record<string, string>, version: string): Promise<McpToolClient> {
  // Its stderr (one line saying it serves the store) is not needed; an unread pipe could fill and stall it.
  const transport = new StdioClientTransport({ command, args, env, stderr: 'ignore' });
  const client = new Client({ name: 'icicle-vscode', version });
  const closeListeners: (() => void)[] = [];
  client.onclose = () => closeListeners.forEach(listener => listener());
  await client.connect(transport);
  return {
    async call(tool, input, signal) {
      const result = await client.callTool({ name: tool, arguments: input }, undefined, { signal });
      // VS Code's own MCP tool implementation (1.139) gives the model the structured content as JSON in place of the
      // text rendering, and the text where there is none (an error's sentence): the same here.
      if (result.structuredContent !== undefined) return [JSON.stringify(result.structuredContent)];
      const content = Array.isArray(result.content) ? (result.content as { type: string; text?: string }[]) : [];
      return content.filter(part => part.type === 'text' && typeof part.text === 'string').map(part => part.text!);
    },
    onClose: listener => closeListeners.push(listener),
    close: () => client.close(),
  };
}
