import { randomUUID } from 'node:crypto';
import { ResponseError, type MessageConnection, type RequestType } from 'vscode-jsonrpc';
import type { z } from 'zod';
import { IcicleErrorCode, UserFacingError, describeError, storageProblem } from '../common/errors';
import {
  AGENT_REQUESTS,
  CompareSelectionsRequest,
  DeleteRunRequest,
  DrainSpoolRequest,
  ExportSelectionRequest,
  ListRunsRequest,
  HandshakeRequest,
  IngestProfileRequest,
  LabelBreakdownRequest,
  LabelNamesRequest,
  LabelValuesRequest,
  OpenProfileRequest,
  PingRequest,
  ProfileProcessRequest,
  QuerySelectionRequest,
  RecordingEndedNotification,
  SetScrapeTargetsRequest,
  SetSourcesRequest,
  SourceLabelValuesRequest,
  SourceLabelsRequest,
  SamplesStoredNotification,
  ShutdownRequest,
  SourceCostsRequest,
  StopSessionRequest,
  StoreProblemNotification,
  StoreStatusRequest,
  type AgentRequest,
  type AgentRequests,
  type ParamsOf,
  type ResultOf,
} from '../common/protocol/agentProtocol';
import { AGENT_PROTOCOL_VERSION } from '../common/version';
import type { Store } from '../storage/store';
import { log } from './log';
import { exportSelection, listRuns, openProfilePathThroughStore, openProfileThroughStore } from './profileLibrary';
import { queryLabelNames, queryLabelValues } from './queries/view/viewQueries';
import { viewWorkerOf } from './queries/view/viewWorkerClient';
import { queryLabelBreakdown } from './queries/labels/labelBreakdown';
import { querySourceCosts } from './queries/source/sourceCostQueries';
import { compareSelections } from './compare/compareSelections';
import { datasetLabelBreakdown, datasetSourceCosts, queryDatasetView } from './datasetViews';
import type { DatasetSources } from './dataset/datasetSources';
import type { Selection } from '../storage/query';
import { DEFAULT_PERF_OPTIONS, PerfCollector, processLabels } from './collectors/perfCollector';
import type { ScrapeManager } from './collectors/scrapeManager';
import type { RecordingHub } from './recording/recordingHub';
import type { SpoolIngester } from './recording/spoolIngester';

export interface AgentContext {
  readonly version: string;
  readonly startedAt: number;
  /** Where every profile the agent imports or records is kept, and queried from. */
  readonly store: Store;
  /** Why the configured store is not in use, if it is not. */
  readonly storeProblem: string | undefined;
  /** Where probes' chunks are stored, from the socket and from the spool. */
  readonly recordings: RecordingHub;
  readonly spool: SpoolIngester;
  /** The pprof endpoints being scraped. */
  readonly scrapers: ScrapeManager;
  /** The read-only datasets beside the store (`icicle.sources`), which a comparison can take its base from. */
  readonly sources: DatasetSources;
  /** Ends the agent after the current replies are sent. */
  shutdown(): void;
}

/** A client's connection as handlers see it: the agent, and who the client said it is. */
interface Session {
  readonly context: AgentContext;
  readonly connection: MessageConnection;
  /** The connection's number, for logs (`#3`). */
  readonly clientId: string;
  /** `<kind> <version>` once the handshake succeeded; no other request is served before. */
  client: string | undefined;
  /** Ends what the handshake subscribed this client to (stored samples, ended recordings, store problems). */
  unsubscribe(): void;
}

/** A request's handler: its parameters, already validated against the request's schema, and the session. */
type Handler<R extends AgentRequest> = (params: ParamsOf<R>, session: Session) => ResultOf<R> | Promise<ResultOf<R>>;

/**
 * The agent's requests, one handler per method that common/protocol/agentProtocol.ts declares in AGENT_REQUESTS (a
 * missing or extra entry does not compile). The handshake gate, parameter validation and error mapping are in
 * `serve`, once for all of them.
 */
const HANDLERS: { readonly [M in keyof AgentRequests]: Handler<AgentRequests[M]> } = {
  [HandshakeRequest.method]: (params, session) => {
    if (params.protocolVersion !== AGENT_PROTOCOL_VERSION) {
      throw new ResponseError(
        IcicleErrorCode.ProtocolMismatch,
        `Icicle's agent speaks protocol ${AGENT_PROTOCOL_VERSION} but the ${params.client} speaks ${params.protocolVersion}; reload the window to restart both.`,
      );
    }
    const { context, connection } = session;
    session.client = `${params.client} ${params.clientVersion}`;
    log(params.client === 'probe' ? 'debug' : 'info', `client ${session.clientId} is ${session.client}`);
    // The extension counts samples and follows runs; the language server refreshes the costs it shows.
    if (params.client === 'extension' || params.client === 'language-server') {
      session.unsubscribe();
      const stored = context.recordings.onStored(stored => void connection.sendNotification(SamplesStoredNotification.type, stored).catch(() => undefined));
      const ended = context.recordings.onEnded(sessionId => void connection.sendNotification(RecordingEndedNotification.type, { sessionId }).catch(() => undefined));
      const problem =
        params.client === 'extension'
          ? context.recordings.onStoreProblem(text => void connection.sendNotification(StoreProblemNotification.type, { problem: text }).catch(() => undefined))
          : () => undefined;
      session.unsubscribe = () => {
        stored();
        ended();
        problem();
      };
    }
    return { protocolVersion: AGENT_PROTOCOL_VERSION, agentVersion: context.version, pid: process.pid };
  },

  [PingRequest.method]: (_, { context }) => ({ uptimeMillis: Date.now() - context.startedAt }),

  [StoreStatusRequest.method]: (_, { context }) => {
    const memory = process.memoryUsage();
    return {
      ...context.store.stats(),
      watermark: context.store.watermark,
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      maintenanceError: context.store.lastMaintenanceError?.message,
    };
  },

  [OpenProfileRequest.method]: async (params, { context }) => {
    const started = performance.now();
    // A file is imported as the command line imports it (a big one as a stream) and its profile ends when the file
    // was last written; text the editor sends ends now (timeAnchor.ts).
    const query = {
      ...(params.profileType !== undefined ? { profileType: params.profileType } : {}),
      ...(params.timeRange !== undefined ? { timeRange: params.timeRange } : {}),
    };
    const { imported, format: _format, profileId, ...view } =
      params.path !== undefined
        ? await openProfilePathThroughStore(context.store, params.path, params.displayName, params.minShare, query)
        : await openProfileThroughStore(context.store, params.content!, params.displayName, params.minShare, query);
    const ms = (performance.now() - started).toFixed(0);
    if (imported) context.recordings.announceStored({ sessionId: undefined, rows: view.summary.sampleCount, labels: { profile_id: profileId } });
    const how = imported ? 'imported into the store' : 'already in the store';
    log('info', `opened ${params.displayName} (${how}): ${view.summary.sampleCount} samples, ${view.summary.nodeCount} nodes in ${ms} ms`);
    return view;
  },

  // A probe's chunk (its parameters' schema: IngestProfileRequest.paramsSchema in agentProtocol.ts).
  [IngestProfileRequest.method]: async (params, { context, client }) => {
    const result = await context.recordings.ingest(params);
    log('debug', `stored a chunk from ${client}: ${result.rows} samples${result.alreadyStored ? ' (already stored)' : ''}`);
    return result;
  },

  // Off the request thread: a big selection's flame graph takes seconds, which hovers and pings must not wait for.
  // A dataset's selection is answered beside its kept read instead, sliced (datasetViews.ts says why).
  [QuerySelectionRequest.method]: async ({ minShare, source, ...query }, { context }) =>
    source === undefined ? viewWorkerOf(context.store).query(query, minShare) : queryDatasetView(context.sources, source, query, minShare),

  [SourceCostsRequest.method]: async (params, { context }) => {
    const started = performance.now();
    const folder = params.selection.source;
    const result = folder === undefined ? await querySourceCosts(context.store, params) : await datasetSourceCosts(context.sources, folder, params);
    log('debug', `source costs of ${result.selector}: ${result.files.length} files in ${(performance.now() - started).toFixed(0)} ms`);
    return result;
  },

  [CompareSelectionsRequest.method]: async (params, { context }) => {
    const folder = params.baseSource;
    const readBase = folder === undefined ? undefined : (selection: Selection) => context.sources.read(folder, selection);
    return compareSelections(context.store, params.base, params.head, params.profileType, params.tree, readBase);
  },

  [LabelNamesRequest.method]: async (params, { context }) => ({ names: await queryLabelNames(context.store, params.selector) }),

  [LabelValuesRequest.method]: async (params, { context }) => queryLabelValues(context.store, params.key, params.selector, params.limit, params.prefix),

  [LabelBreakdownRequest.method]: async ({ source, ...query }, { context }) =>
    source === undefined ? queryLabelBreakdown(context.store, query) : datasetLabelBreakdown(context.sources, source, query),

  [ListRunsRequest.method]: async (params, { context }) => ({ runs: await listRuns(context.store, params.limit) }),

  [ExportSelectionRequest.method]: async (params, { context }) => {
    const bytes = await exportSelection(context.store, params.selector, params.format, params.path);
    log('info', `exported ${params.selector} as ${params.format} to ${params.path} (${bytes} bytes)`);
    return { bytes };
  },

  [DeleteRunRequest.method]: async (params, { context, client }) => {
    // A run still recording would keep adding samples: stop it first.
    context.recordings.stop(params.sessionId);
    const deletedSamples = await context.store.deleteWhere({ matchers: [{ key: 'session_id', op: '=', value: params.sessionId }] });
    log('info', `deleted run ${params.sessionId} (${deletedSamples} samples) for ${client}`);
    return { deletedSamples };
  },

  [StopSessionRequest.method]: (params, { context, client }) => {
    context.recordings.stop(params.sessionId);
    log('info', `profiling of session ${params.sessionId} stopped by ${client}`);
  },

  [ProfileProcessRequest.method]: async (params, { context, client }) => {
    const sessionId = params.labels['session_id'] ?? randomUUID().slice(0, 8);
    const labels = { ...params.labels, ...(await processLabels(params.pid)), session_id: sessionId };
    const options = { ...DEFAULT_PERF_OPTIONS, ...(params.windowSeconds ? { windowSeconds: params.windowSeconds } : {}) };
    const collector = new PerfCollector(params.pid, labels, chunk => context.recordings.ingest(chunk), options, message => log('warn', message));
    await collector.start();
    context.recordings.addCollector(sessionId, collector);
    log('info', `profiling pid ${params.pid} with perf as session_id=${sessionId} (for ${client})`);
    return { sessionId };
  },

  [SetScrapeTargetsRequest.method]: async (params, { context }) => {
    const problems = await context.scrapers.set(params.targets);
    log('info', `scraping ${context.scrapers.targets().length} pprof endpoint(s)${problems.length ? `; left out: ${problems.join('; ')}` : ''}`);
    return { problems };
  },

  [SetSourcesRequest.method]: (params, { context }) => {
    context.sources.set(params.folders);
    log('info', `${params.folders.length} dataset source(s) beside the store`);
  },

  [SourceLabelValuesRequest.method]: async (params, { context }) => ({
    sources: await Promise.all(
      context.sources.list().map(async folder => {
        try {
          const values = await context.sources.labelValues(folder, params.key);
          return { folder, values: values.slice(0, params.limit), truncated: values.length > params.limit };
        } catch (error) {
          // One dataset that cannot be read leaves the others and the store usable; the user reads why.
          return { folder, values: [], truncated: false, problem: error instanceof UserFacingError ? error.message : describeError(error) };
        }
      }),
    ),
  }),

  [SourceLabelsRequest.method]: async (params, { context }) => ({
    sources: await Promise.all(
      context.sources.list().map(async folder => {
        try {
          const labels = await context.sources.labelsOf(folder);
          return { folder, labels: labels.map(({ key, values }) => ({ key, values: values.slice(0, params.limit), truncated: values.length > params.limit })) };
        } catch (error) {
          // As for one label's values: the other datasets still answer, and the user reads why this one cannot.
          return { folder, labels: [], problem: error instanceof UserFacingError ? error.message : describeError(error) };
        }
      }),
    ),
  }),

  [DrainSpoolRequest.method]: async (_, { context }) => ({ imported: await context.spool.scan() }),

  [ShutdownRequest.method]: (_, { context, client }) => {
    log('info', `shutdown requested by ${client}`);
    // Reply first, then stop: the agent waits (briefly) for its clients to read the reply and disconnect.
    setImmediate(() => context.shutdown());
  },
};

/**
 * Registers the agent's request handlers on one client connection. Returns what to call when the connection closes.
 */
export function registerHandlers(connection: MessageConnection, context: AgentContext, clientId: string): () => void {
  const session: Session = { context, connection, clientId, client: undefined, unsubscribe: () => undefined };
  for (const method of Object.keys(AGENT_REQUESTS) as (keyof AgentRequests)[]) {
    const request: AgentRequest = AGENT_REQUESTS[method];
    const handler = HANDLERS[method] as Handler<AgentRequest>;
    connection.onRequest(request.type as RequestType<unknown, unknown, void>, (raw: unknown) => serve(request, handler, raw, session));
  }
  return () => session.unsubscribe();
}

/**
 * Serves one request: no request but the handshake before a successful handshake, every parameter validated against
 * its schema before use, and errors mapped (`asResponseError`) so that the client gets a message meant for the user.
 */
async function serve(request: AgentRequest, handler: Handler<AgentRequest>, raw: unknown, session: Session): Promise<unknown> {
  try {
    if (request.method !== HandshakeRequest.method && session.client === undefined) {
      throw new ResponseError(IcicleErrorCode.ProtocolMismatch, 'Send icicle/handshake first.');
    }
    const params = 'paramsSchema' in request ? validate(request.paramsSchema, raw, request.method) : undefined;
    return await handler(params as ParamsOf<AgentRequest>, session);
  } catch (error) {
    throw asResponseError(request.method, error);
  }
}

function validate<T extends z.ZodTypeAny>(schema: T, raw: unknown, method: string): z.infer<T> {
  const result = schema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
    throw new ResponseError(IcicleErrorCode.InvalidParams, `Invalid parameters for ${method}${where}: ${issue?.message ?? 'malformed'}.`);
  }
  return result.data;
}

/**
 * A full disk refuses every chunk of every probe until space returns, each sent again a moment later: the log says
 * so once, then at most every ten seconds with the count, rather than once per refusal.
 */
const storageRefusals = {
  lastLoggedMs: 0,
  since: 0,
  note(text: string): void {
    this.since++;
    const now = Date.now();
    if (now - this.lastLoggedMs < 10_000) return;
    log('error', this.since > 1 ? `${text}; ${this.since} writes refused since the last report` : text);
    this.lastLoggedMs = now;
    this.since = 0;
  },
};

/**
 * Turns user-facing errors into JSON-RPC errors, a store that cannot write into StoreUnavailable (which probes retry),
 * and logs anything unexpected, keeping stacks out of replies.
 */
function asResponseError(method: string, error: unknown): ResponseError<void> {
  if (error instanceof ResponseError) return error;
  if (error instanceof UserFacingError) return new ResponseError(error.code, error.message);
  const problem = storageProblem(error);
  if (problem) {
    storageRefusals.note(`${method}: ${problem} (${describeError(error)})`);
    return new ResponseError(IcicleErrorCode.StoreUnavailable, problem);
  }
  log('error', `${method} failed: ${error instanceof Error ? error.stack : String(error)}`);
  return new ResponseError(IcicleErrorCode.ProfileInvalid, `Icicle's agent failed on ${method}: ${describeError(error)}.`);
}
