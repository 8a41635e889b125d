import * as vscode from 'vscode';
import { LANGUAGE_MODEL_TOOL_PREFIX, mcpToolName } from '../common/languageModelTools';
import { LazyMcpConnection, type McpToolProcess } from './lazyMcpConnection';

/**
 * What VS Code 1.95 finalised for extensions' language model tools; the @types/vscode this project builds against
 * (1.90, its lowest supported editor) does not declare it, so it is looked up at run time and left out where absent.
 */
interface LanguageModelToolsApi {
  lm: {
    registerTool(name: string, tool: { invoke(options: { input: unknown }, token: vscode.CancellationToken): Promise<unknown> }): vscode.Disposable;
  };
  LanguageModelToolResult: new (content: unknown[]) => unknown;
  LanguageModelTextPart: new (value: string) => unknown;
}

/**
 * In Restricted Mode VS Code does not start the MCP server an extension provides ("User interaction required:
 * workspaceTrust"), so there the extension offers the server's read-only tools itself, as language model tools
 * (package.json's `languageModelTools`, derived from the server's tools). Each call is forwarded to an `icicle mcp`
 * process that the extension starts on the agent's store at the first call (never with `--allow-record`: it only
 * reads the store and runs nothing), so every answer is the server's own. Once the user trusts the folder the editor
 * starts the MCP server and lists its tools: these are then unregistered and the process closed, so that a model is
 * never offered a tool twice (a chat also lists their declarations only while the folder is untrusted: their `when`).
 */
export function registerReadOnlyLanguageModelTools(declared: readonly { name: string }[], server: McpToolProcess): vscode.Disposable {
  const api = vscode as unknown as Partial<LanguageModelToolsApi> & { lm?: Partial<LanguageModelToolsApi['lm']> };
  const { LanguageModelToolResult: Result, LanguageModelTextPart: TextPart } = api;
  if (vscode.workspace.isTrusted || typeof api.lm?.registerTool !== 'function' || typeof Result !== 'function' || typeof TextPart !== 'function') return new vscode.Disposable(() => undefined);
  const connection = new LazyMcpConnection(server);
  const registrations = declared
    .filter(tool => tool.name.startsWith(LANGUAGE_MODEL_TOOL_PREFIX))
    .map(tool =>
      api.lm!.registerTool!(tool.name, {
        invoke: async (options, token) => {
          const parts = await connection.call(mcpToolName(tool.name)!, (options.input ?? {}) as Record<string, unknown>, token);
          return new Result(parts.map(part => new TextPart(part)));
        },
      }),
    );
  let disposed = false;
  const dispose = () => {
    if (disposed) return;
    disposed = true;
    registrations.forEach(registration => registration.dispose());
    trustGranted.dispose();
    void connection.close();
  };
  const trustGranted = vscode.workspace.onDidGrantWorkspaceTrust(dispose);
  return new vscode.Disposable(dispose);
}
