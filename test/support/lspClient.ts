import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { StreamMessageReader, StreamMessageWriter, createMessageConnection, type MessageConnection } from 'vscode-jsonrpc/node';
import { CostsChangedNotification, DocumentFunctionsRequest, type DocumentFunction, type InitializationOptions } from '../../common/protocol/languageServerProtocol';

/**
 * A real LSP client of the language server for tests: the server as its own process over stdio, the client side
 * of the protocol from vscode-jsonrpc. It answers what an editor would (lens refreshes, the document functions
 * request) and records the costs-changed notifications, so tests can wait for them instead of sleeping.
 */
export class LspClient {
  readonly costsChanged: CostsChangedNotification.Params[] = [];
  readonly codeLensRefreshes: number[] = [];
  /** The functions the "editor" reports for each document URI. */
  readonly documentFunctions = new Map<string, DocumentFunction[]>();
  private version = new Map<string, number>();

  private constructor(
    readonly server: ChildProcess,
    readonly connection: MessageConnection,
  ) {}

  /** `builtServer`: the bundled server (out/language-server/server.js) instead of the sources through tsx. */
  static async start(options: InitializationOptions | undefined, rootUri: string | null = null, builtServer?: string): Promise<LspClient> {
    const args = builtServer ? [builtServer, '--stdio'] : ['--import', 'tsx', join(__dirname, '..', '..', 'language-server', 'server.ts'), '--stdio'];
    const server = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
    const connection = createMessageConnection(new StreamMessageReader(server.stdout!), new StreamMessageWriter(server.stdin!));
    const client = new LspClient(server, connection);
    connection.onNotification(CostsChangedNotification.type, params => client.costsChanged.push(params));
    connection.onRequest('workspace/codeLens/refresh', () => {
      client.codeLensRefreshes.push(Date.now());
      return null;
    });
    connection.onRequest('workspace/inlayHint/refresh', () => null);
    connection.onRequest(DocumentFunctionsRequest.type, ({ uri }) => ({ functions: client.documentFunctions.get(uri) ?? [] }));
    connection.onNotification('window/logMessage', () => undefined);
    connection.listen();
    await connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri,
      capabilities: { workspace: { codeLens: { refreshSupport: true }, inlayHint: { refreshSupport: true } } },
      initializationOptions: options,
    });
    await connection.sendNotification('initialized', {});
    return client;
  }

  open(uri: string, text: string, languageId = 'javascript'): Promise<void> {
    this.version.set(uri, 1);
    return this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
  }

  /** Sends one incremental change. */
  edit(uri: string, range: { start: { line: number; character: number }; end: { line: number; character: number } }, text: string): Promise<void> {
    const version = (this.version.get(uri) ?? 1) + 1;
    this.version.set(uri, version);
    return this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range, text }] });
  }

  async stop(): Promise<void> {
    const exited = new Promise(resolve => this.server.once('exit', resolve));
    await this.connection.sendRequest('shutdown').catch(() => undefined);
    await this.connection.sendNotification('exit').catch(() => undefined);
    await Promise.race([exited, new Promise(resolve => setTimeout(resolve, 5000).unref())]);
    this.server.kill();
    this.connection.dispose();
  }
}
