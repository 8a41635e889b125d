import * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import type { z } from 'zod';
import { describeError } from '../common/errors';
import { describeIssue } from '../common/protocol/answerSchemas';
import {
  CHOOSE_COST_SELECTION_COMMAND,
  CostsChangedNotification,
  DocumentFunctionsRequest,
  LanguageServerHandshakeRequest,
  LineCostsRequest,
  SetSelectionNotification,
  SetSettingsNotification,
  SHOW_FUNCTION_COMMAND,
  type DocumentFunction,
  type InitializationOptions,
  type LanguageServerSettings,
} from '../common/protocol/languageServerProtocol';
import type { SourceSelection } from '../common/sourceSelection';
import { LANGUAGE_SERVER_PROTOCOL_VERSION } from '../common/version';
import type { Log } from './log';
import { RestartPolicy } from './restartPolicy';
import { showWarning } from './userMessages';

/** What the supervisor needs from the rest of the extension. */
export interface LanguageServerHooks {
  /** Read at every (re)start, so a restarted server gets the current selection and settings. */
  initializationOptions(): Promise<InitializationOptions>;
  documentFunctions(uri: string): Promise<DocumentFunction[]>;
  costsChanged(params: CostsChangedNotification.Params): void;
}

/**
 * Starts Icicle's language server over Node IPC with vscode-languageclient and keeps it alive. The client
 * library's own restart (immediate, then a generic error) is replaced by the same backoff policy and the
 * same single, worded notification as the agent's.
 */
export class LanguageServerSupervisor implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private readonly policy = new RestartPolicy();
  private startedAt = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private disposed = false;
  private serverPid: number | undefined;
  /** The selection set last, which a (re)started server begins with. */
  private selection: SourceSelection | undefined;

  constructor(
    private readonly serverModule: string,
    private readonly version: string,
    private readonly log: Log,
    private readonly hooks: LanguageServerHooks,
  ) {}

  get pid(): number | undefined {
    return this.serverPid;
  }

  async start(): Promise<void> {
    const serverOptions: ServerOptions = {
      run: { module: this.serverModule, transport: TransportKind.ipc },
      debug: { module: this.serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
    };
    const clientOptions: LanguageClientOptions = {
      // Every file: costs are for any language whose profiles name files and lines.
      documentSelector: [{ scheme: 'file' }],
      initializationOptions: await this.initializationOptions(),
      // Hovers link to "Show in flame graph" and to the picker of samples, and to no other command.
      markdown: { isTrusted: { enabledCommands: [SHOW_FUNCTION_COMMAND, CHOOSE_COST_SELECTION_COMMAND] } },
      outputChannel: this.log,
      errorHandler: {
        error: () => ({ action: ErrorAction.Continue, handled: true }),
        closed: () => {
          this.onUnexpectedClose();
          return { action: CloseAction.DoNotRestart, handled: true };
        },
      },
    };
    const client = new LanguageClient('icicle', 'Icicle Language Server', serverOptions, clientOptions);
    this.client = client;
    client.onRequest(DocumentFunctionsRequest.type, async raw => {
      const params = this.checked(DocumentFunctionsRequest.method, DocumentFunctionsRequest.paramsSchema, raw);
      return { functions: params ? await this.hooks.documentFunctions(params.uri).catch(() => []) : [] };
    });
    client.onNotification(CostsChangedNotification.type, raw => {
      const params = this.checked(CostsChangedNotification.method, CostsChangedNotification.paramsSchema, raw);
      if (params) this.hooks.costsChanged(params);
    });
    this.startedAt = Date.now();
    await client.start();
    const answer = await client.sendRequest(LanguageServerHandshakeRequest.type, {
      protocolVersion: LANGUAGE_SERVER_PROTOCOL_VERSION,
      clientVersion: this.version,
    });
    const handshake = this.checked(LanguageServerHandshakeRequest.method, LanguageServerHandshakeRequest.resultSchema, answer);
    if (!handshake) throw new Error("Icicle's language server answered its handshake with something malformed; see the Icicle output.");
    this.serverPid = handshake.pid;
    this.log.info(`language server ${handshake.serverVersion} ready (pid ${handshake.pid})`);
  }

  /** Which samples the source shows; the server fetches them and refreshes what it shows. */
  setSelection(selection: SourceSelection): void {
    this.selection = selection;
    void this.client?.sendNotification(SetSelectionNotification.type, { selection }).catch(() => undefined);
  }

  /** The hooks' options, with a selection set while they were read (before the client exists to be told). */
  private async initializationOptions(): Promise<InitializationOptions> {
    const options = await this.hooks.initializationOptions();
    return this.selection ? { ...options, selection: this.selection } : options;
  }

  setSettings(settings: LanguageServerSettings): void {
    void this.client?.sendNotification(SetSettingsNotification.type, { settings }).catch(() => undefined);
  }

  /** The line costs of an open document, or undefined while the server is not running. */
  async lineCosts(uri: string): Promise<LineCostsRequest.Result | undefined> {
    if (!this.client?.isRunning()) return undefined;
    return this.checked(LineCostsRequest.method, LineCostsRequest.resultSchema, await this.client.sendRequest(LineCostsRequest.type, { uri }));
  }

  /**
   * What the language server sent (a request's parameters, a notification, an answer), checked against its schema in
   * languageServerProtocol.ts; a malformed one is logged in words and read as nothing.
   */
  private checked<T>(method: string, schema: z.ZodType<T, z.ZodTypeDef, unknown>, raw: unknown): T | undefined {
    const parsed = schema.safeParse(raw);
    if (parsed.success) return parsed.data;
    this.log.warn(`Icicle's language server sent a malformed ${method} (${describeIssue(parsed.error)}); it was ignored.`);
    return undefined;
  }

  async restart(): Promise<void> {
    this.policy.reset();
    clearTimeout(this.restartTimer);
    const old = this.client;
    this.client = undefined;
    await old?.dispose().catch(() => undefined);
    await this.start();
  }

  private onUnexpectedClose(): void {
    if (this.disposed || !this.client) return;
    const uptime = Date.now() - this.startedAt;
    const decision = this.policy.onUnexpectedExit(uptime);
    this.log.warn(`the language server stopped after ${Math.round(uptime / 1000)} s`);
    const old = this.client;
    this.client = undefined;
    this.serverPid = undefined;
    void old.dispose().catch(() => undefined);
    if (decision.delayMillis === undefined) {
      void showWarning("Icicle's language server keeps stopping, so Icicle has stopped restarting it.", 'Restart').then(choice => {
        if (choice === 'Restart') void this.restart();
      });
      return;
    }
    if (decision.tellUser) {
      void showWarning("Icicle's language server stopped unexpectedly; restarting it. Details are in the Icicle output.");
    }
    this.restartTimer = setTimeout(() => {
      if (this.disposed) return;
      this.start().catch(error => this.log.error(`the language server did not restart: ${describeError(error)}`));
    }, decision.delayMillis);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    clearTimeout(this.restartTimer);
    const client = this.client;
    this.client = undefined;
    await client?.dispose().catch(() => undefined);
  }
}
