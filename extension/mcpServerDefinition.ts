import * as vscode from 'vscode';

/** The provider's id, as package.json's `contributes.mcpServerDefinitionProviders` declares it. */
export const MCP_PROVIDER_ID = 'icicle.mcp';

/**
 * What VS Code 1.101 finalised for extensions to offer MCP servers; the @types/vscode this project builds against
 * (1.90, its lowest supported editor) does not declare it, so it is looked up at run time and left out where absent.
 */
interface McpApi {
  lm: {
    registerMcpServerDefinitionProvider(id: string, provider: { provideMcpServerDefinitions(): unknown[]; resolveMcpServerDefinition?(server: unknown): Promise<unknown> }): vscode.Disposable;
  };
  McpStdioServerDefinition: new (label: string, command: string, args?: string[], env?: Record<string, string | number | null>, version?: string) => unknown;
}

/**
 * Offers `icicle mcp` on the agent's store to the editor's chat and agents (Model Context Protocol): its read-only
 * tools, started by the editor when a chat or `workbench.mcp.startServer` asks for them. The store is the one the
 * agent opened (`icicle.store.directory`, the workspace's, or the temporary one it fell back to), known once the agent
 * started: the definition is completed only when the editor starts the server. Nothing happens in editors without
 * the API.
 */
export function registerMcpServer(extensionUri: vscode.Uri, store: () => Promise<string>, version: string): vscode.Disposable {
  const api = vscode as unknown as Partial<McpApi> & { lm?: Partial<McpApi['lm']> };
  const Definition = api.McpStdioServerDefinition;
  if (typeof api.lm?.registerMcpServerDefinitionProvider !== 'function' || typeof Definition !== 'function') return new vscode.Disposable(() => undefined);
  const definition = (mcpArgs: string[]) => {
    const { command, args, env } = icicleMcpCommand(extensionUri, mcpArgs);
    return new Definition('Icicle', command, args, env, version);
  };
  return api.lm.registerMcpServerDefinitionProvider(MCP_PROVIDER_ID, {
    provideMcpServerDefinitions: () => [definition([])],
    resolveMcpServerDefinition: async () => definition(['--store', await store()]),
  });
}

/**
 * How the editor runs `icicle mcp`: the MCP server it offers and the process behind its Restricted Mode tools
 * (lazyMcpConnection.ts). Never with `--allow-record`: the editor's callers pass `--store` alone. The editor's own
 * runtime runs the bin as Node.js (Electron as Node on the desktop), as the agent is run.
 */
export function icicleMcpCommand(extensionUri: vscode.Uri, mcpArgs: string[]): { command: string; args: string[]; env: Record<string, string> } {
  const bin = vscode.Uri.joinPath(extensionUri, 'out', 'agent', 'icicle.js').fsPath;
  return { command: process.execPath, args: [bin, 'mcp', ...mcpArgs], env: { ELECTRON_RUN_AS_NODE: '1' } };
}
