import {
  createConnection,
  ProposedFeatures,
  ResponseError,
  TextDocumentSyncKind,
  type InitializeParams,
} from 'vscode-languageserver/node';
import { IcicleErrorCode, describeError } from '../common/errors';
import { SourceCostsRequest } from '../common/protocol/agentProtocol';
import {
  CostsChangedNotification,
  DocumentFunctionsRequest,
  initializationOptionsSchema,
  LanguageServerHandshakeRequest,
  LineCostsRequest,
  SetSelectionNotification,
  SetSettingsNotification,
  type LanguageServerSettings,
} from '../common/protocol/languageServerProtocol';
import type { SourceSelection } from '../common/sourceSelection';
import { LANGUAGE_SERVER_PROTOCOL_VERSION } from '../common/version';
import { AgentLink } from './agentLink';
import { CostCache } from './costCache';
import { HOVER_SPLIT } from './functionSplit';
import type { FunctionAnnotation } from './annotations';
import { baselineDeltas } from './baselineDelta';
import type { BaselineDelta } from './costText';
import { codeLenses, hoverAt, inlayHints } from './languageFeatures';
import { OpenDocuments } from './openDocuments';

/**
 * The language server process, started by the extension over Node IPC (tests use stdio). It connects to the agent,
 * keeps the source costs of the chosen selection in memory (refreshed when the agent says samples landed), and
 * answers hovers, code lenses, inlay hints and the line heat request from that memory and the open documents.
 */
const VERSION = process.env.ICICLE_VERSION ?? '0.0.0-dev';
const connection = createConnection(ProposedFeatures.all);
const costs = new CostCache();
/** The baseline's costs (the base branch's runs), for `+12 ms (+8%) vs main` in hovers and lenses. */
const baselineCosts = new CostCache();
/** The current branch's runs, the other side of that delta (the costs shown may be one run, or another branch's). */
const headCosts = new CostCache();
const documents = new OpenDocuments(costs);

let agent: AgentLink | undefined;
let selection: SourceSelection = { kind: 'latestRun', selector: '{}' };
let settings: LanguageServerSettings = { codeLensMinPercent: 1, inlayHints: false, pathMappings: [] };
let clientRefreshes = { codeLens: false, inlayHint: false };
let clientAnswersFunctions = true;

connection.onInitialize((params: InitializeParams) => {
  const options = initializationOptionsSchema.safeParse(params.initializationOptions);
  if (options.success) {
    selection = options.data.selection;
    settings = options.data.settings;
    agent = new AgentLink(options.data.agentSocket, VERSION, {
      // New samples: refreshed after a pause at least twice as long as the last query took, so that a big
      // selection over a store that keeps growing costs the agent at most a third of its time.
      samplesStored: () => scheduleRefresh(Math.max(1000, 2 * lastQueryMillis)),
      reconnected: () => scheduleRefresh(0),
      log: message => connection.console.info(message),
    });
  } else if (params.initializationOptions !== undefined) {
    connection.console.warn(`ignored initialization options that do not read as Icicle's: ${options.error.issues[0]?.message}`);
  }
  clientRefreshes = {
    codeLens: params.capabilities.workspace?.codeLens?.refreshSupport === true,
    inlayHint: params.capabilities.workspace?.inlayHint?.refreshSupport === true,
  };
  return {
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
      hoverProvider: true,
      codeLensProvider: { resolveProvider: false },
      inlayHintProvider: true,
    },
    serverInfo: { name: 'icicle-language-server', version: VERSION },
  };
});

connection.onInitialized(() => scheduleRefresh(0));

connection.onRequest(LanguageServerHandshakeRequest.type, raw => {
  const parsed = LanguageServerHandshakeRequest.paramsSchema.safeParse(raw);
  if (!parsed.success) throw new ResponseError(IcicleErrorCode.InvalidParams, 'Invalid parameters for the language server handshake.');
  if (parsed.data.protocolVersion !== LANGUAGE_SERVER_PROTOCOL_VERSION) {
    throw new ResponseError(
      IcicleErrorCode.ProtocolMismatch,
      `Icicle's language server speaks protocol ${LANGUAGE_SERVER_PROTOCOL_VERSION} but the extension speaks ${parsed.data.protocolVersion}; reload the window.`,
    );
  }
  connection.console.info(`handshake with extension ${parsed.data.clientVersion}`);
  return { protocolVersion: LANGUAGE_SERVER_PROTOCOL_VERSION, serverVersion: VERSION, pid: process.pid };
});

connection.onNotification(SetSelectionNotification.type, raw => {
  const parsed = SetSelectionNotification.paramsSchema.safeParse(raw);
  if (!parsed.success) return connection.console.warn('ignored a selection that does not read as one');
  selection = parsed.data.selection;
  scheduleRefresh(0);
});

connection.onNotification(SetSettingsNotification.type, raw => {
  const parsed = SetSettingsNotification.paramsSchema.safeParse(raw);
  if (!parsed.success) return connection.console.warn('ignored settings that do not read as Icicle’s');
  const remap = JSON.stringify(parsed.data.settings.pathMappings) !== JSON.stringify(settings.pathMappings);
  const rebase = JSON.stringify(parsed.data.settings.baseline) !== JSON.stringify(settings.baseline);
  settings = parsed.data.settings;
  if (remap) {
    costs.remap(settings.pathMappings);
    baselineCosts.remap(settings.pathMappings);
    headCosts.remap(settings.pathMappings);
  }
  if (rebase) scheduleRefresh(0);
  else refreshClient();
});

connection.onDidOpenTextDocument(({ textDocument }) => {
  documents.open(textDocument.uri, textDocument.languageId, textDocument.version, textDocument.text);
  scheduleFunctions(textDocument.uri, 0);
});
connection.onDidChangeTextDocument(({ textDocument, contentChanges }) => {
  documents.change(textDocument.uri, textDocument.version, contentChanges);
  scheduleFunctions(textDocument.uri, 400);
});
connection.onDidCloseTextDocument(({ textDocument }) => documents.close(textDocument.uri));

connection.onHover(({ textDocument, position }) =>
  hoverAt(position.line, documents.annotations(textDocument.uri), documents.functions(textDocument.uri), costs.context, deltaFor(textDocument.uri)),
);

connection.onCodeLens(({ textDocument }) => codeLenses(documents.annotations(textDocument.uri), settings.codeLensMinPercent, deltaFor(textDocument.uri)));

/** A function's self cost per run against the baseline's, in one document; nothing without a baseline. */
function deltaFor(uri: string): (fn: FunctionAnnotation) => BaselineDelta | undefined {
  const baseline = settings.baseline;
  const path = documents.path(uri);
  if (!baseline || !path) return () => undefined;
  return baselineDeltas(
    costs.context,
    costs.forDocument(path)?.table.functions ?? [],
    { costs: baselineCosts.forDocument(path), label: baseline.label },
    baseline.head && { costs: headCosts.forDocument(path), label: baseline.head.label },
  );
}

connection.languages.inlayHint.on(({ textDocument }) => {
  if (!settings.inlayHints) return [];
  const document = documents.get(textDocument.uri);
  if (!document) return [];
  return inlayHints(documents.annotations(textDocument.uri), line => document.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } }).replace(/\r?\n$/, '').length);
});

connection.onRequest(LineCostsRequest.type, raw => {
  const parsed = LineCostsRequest.paramsSchema.safeParse(raw);
  if (!parsed.success) throw new ResponseError(IcicleErrorCode.InvalidParams, 'Invalid parameters for icicle/lineCosts.');
  const placed = documents.annotations(parsed.data.uri);
  const lines = placed?.annotations.lines ?? [];
  return { lines, maxShare: lines.reduce((max, l) => Math.max(max, l.share), 0) };
});

/**
 * The editor's functions of a document, asked for a little after the typing stops. A language service that is still
 * starting answers with none, so an empty answer is asked again a few times, further apart each time.
 */
const functionTimers = new Map<string, NodeJS.Timeout>();
function scheduleFunctions(uri: string, delayMillis: number, attempt = 0): void {
  if (!clientAnswersFunctions) return;
  clearTimeout(functionTimers.get(uri));
  functionTimers.set(
    uri,
    setTimeout(() => {
      functionTimers.delete(uri);
      const version = documents.get(uri)?.version;
      if (version === undefined) return;
      connection.sendRequest(DocumentFunctionsRequest.type, { uri }).then(
        raw => {
          const parsed = DocumentFunctionsRequest.resultSchema.safeParse(raw);
          if (parsed.success && documents.setFunctions(uri, version, parsed.data.functions)) refreshClient();
          if (parsed.success && parsed.data.functions.length === 0 && attempt < 4) scheduleFunctions(uri, 1000 * 2 ** attempt, attempt + 1);
        },
        error => {
          // A client without the request (a plain LSP client) is not asked again.
          if ((error as { code?: number }).code === -32601) clientAnswersFunctions = false;
        },
      );
    }, delayMillis),
  );
}

/** Fetches the costs again, at most once per `delayMillis` however many times samples land meanwhile. */
let refreshTimer: NodeJS.Timeout | undefined;
let lastQueryMillis = 0;
let refreshing = false;
let refreshAgain = false;
function scheduleRefresh(delayMillis: number): void {
  if (refreshTimer) return;
  refreshTimer = setTimeout(() => {
    refreshTimer = undefined;
    void refresh();
  }, delayMillis);
}

async function refresh(): Promise<void> {
  if (!agent) return;
  if (refreshing) {
    refreshAgain = true;
    return;
  }
  refreshing = true;
  try {
    const link = await agent.connection();
    const started = performance.now();
    // The type chosen with the selection (allocations beside CPU time); the agent falls back, and says so, without it.
    // With each function's total per route, for the hover (a second scan only when the store has routes at all).
    const answer = await link.request(SourceCostsRequest, { selection, splitBy: HOVER_SPLIT, ...(selection.profileType !== undefined ? { profileType: selection.profileType } : {}) });
    // The delta's two sides in the profile type shown, with the runs that ran each file: its means are over those.
    const side = (wanted: SourceSelection | undefined) =>
      wanted && link.request(SourceCostsRequest, { selection: wanted, runsPerFile: true, ...(answer.profileType !== undefined ? { profileType: answer.profileType } : {}) });
    const baseline = await side(settings.baseline?.selection);
    const head = await side(settings.baseline?.head?.selection);
    lastQueryMillis = performance.now() - started;
    costs.set(answer, settings.pathMappings, selection.source);
    baselineCosts.set(baseline, settings.pathMappings, settings.baseline?.selection.source);
    headCosts.set(head, settings.pathMappings, settings.baseline?.head?.selection.source);
    connection.console.info(`source costs of ${answer.description}: ${answer.files.length} files in ${lastQueryMillis.toFixed(0)} ms`);
    void connection.sendNotification(CostsChangedNotification.type, {
      description: answer.description,
      selector: answer.selector,
      runs: answer.runs,
      files: answer.files.length,
      ...(answer.profileType !== undefined ? { profileType: answer.profileType } : {}),
      profileTypes: answer.profileTypes,
    });
  } catch (error) {
    connection.console.warn(`could not read source costs: ${describeError(error)}`);
    void connection.sendNotification(CostsChangedNotification.type, { description: `no costs: ${describeError(error)}`, selector: '', runs: 0, files: 0 });
  } finally {
    refreshing = false;
  }
  refreshClient();
  if (refreshAgain) {
    refreshAgain = false;
    scheduleRefresh(0);
  }
}

/** Asks the editor to ask again for lenses and hints (hovers are always asked fresh). */
function refreshClient(): void {
  if (clientRefreshes.codeLens) void connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
  if (clientRefreshes.inlayHint) void connection.sendRequest('workspace/inlayHint/refresh').catch(() => undefined);
}

connection.onShutdown(() => agent?.dispose());
connection.listen();
