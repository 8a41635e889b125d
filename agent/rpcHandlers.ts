import { randomUUID } from 'node:crypto';
import { ResponseError, type MessageConnection } from 'vscode-jsonrpc';
import type { z } from 'zod';
import { IcicleErrorCode, UserFacingError, describeError, storageProblem } from '../common/errors';
import {
  CompareSelectionsRequest,
  DeleteRunRequest,
  DrainSpoolRequest,
  ExportSelectionRequest,
  ListRunsRequest,
  HandshakeRequest,
  IngestProfileRequest,
  LabelNamesRequest,
  LabelValuesRequest,
  OpenProfileRequest,
  PingRequest,
  ProfileProcessRequest,
  QuerySelectionRequest,
  RecordingEndedNotification,
  SetScrapeTargetsRequest,
  SamplesStoredNotification,
  ShutdownRequest,
  SourceCostsRequest,
  StopSessionRequest,
  StoreProblemNotification,
  StoreStatusRequest,
} from '../common/protocol/agentProtocol';
import { AGENT_PROTOCOL_VERSION } from '../common/version';
import type { Store } from '../storage/store';
import { log } from './log';
import { exportSelection, listRuns, openProfileThroughStore } from './profileLibrary';
import { queryLabelNames, queryLabelValues, queryView } from './queries/view/viewQueries';
import { querySourceCosts } from './queries/source/sourceCostQueries';
import { compareSelections } from './compare/compareSelections';
import { readProfileFile } from './readProfileFile';
import { fileAnchor } from './import/timeAnchor';
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
  /** Ends the agent after the current replies are sent. */
  shutdown(): void;
}

/**
 * Registers the agent's request handlers on one client connection. Every parameter is validated against
 * its schema before use, and no other request is served before a successful handshake. Errors reach the
 * client as JSON-RPC errors whose messages are meant for the user; unexpected ones are logged here with
 * their stack and reach the client without it. Returns what to call when the connection closes.
 */
export function registerHandlers(connection: MessageConnection, context: AgentContext, clientId: string): () => void {
  let client: string | undefined;
  let unsubscribe = (): void => undefined;

  const requireHandshake = () => {
    if (client === undefined) throw new ResponseError(IcicleErrorCode.ProtocolMismatch, 'Send icicle/handshake first.');
  };

  connection.onRequest(HandshakeRequest.type, raw => {
    const params = validate(HandshakeRequest.paramsSchema, raw, HandshakeRequest.method);
    if (params.protocolVersion !== AGENT_PROTOCOL_VERSION) {
      throw new ResponseError(
        IcicleErrorCode.ProtocolMismatch,
        `Icicle's agent speaks protocol ${AGENT_PROTOCOL_VERSION} but the ${params.client} speaks ${params.protocolVersion}; reload the window to restart both.`,
      );
    }
    client = `${params.client} ${params.clientVersion}`;
    log(params.client === 'probe' ? 'debug' : 'info', `client ${clientId} is ${client}`);
    // The extension counts samples and follows runs; the language server refreshes the costs it shows.
    if (params.client === 'extension' || params.client === 'language-server') {
      unsubscribe();
      const stored = context.recordings.onStored((sessionId, rows) => void connection.sendNotification(SamplesStoredNotification.type, { sessionId, rows }).catch(() => undefined));
      const ended = context.recordings.onEnded(sessionId => void connection.sendNotification(RecordingEndedNotification.type, { sessionId }).catch(() => undefined));
      const problem =
        params.client === 'extension'
          ? context.recordings.onStoreProblem(text => void connection.sendNotification(StoreProblemNotification.type, { problem: text }).catch(() => undefined))
          : () => undefined;
      unsubscribe = () => {
        stored();
        ended();
        problem();
      };
    }
    return { protocolVersion: AGENT_PROTOCOL_VERSION, agentVersion: context.version, pid: process.pid };
  });

  connection.onRequest(PingRequest.type, () => {
    requireHandshake();
    return { uptimeMillis: Date.now() - context.startedAt };
  });

  connection.onRequest(StoreStatusRequest.type, () => {
    requireHandshake();
    const memory = process.memoryUsage();
    return {
      ...context.store.stats(),
      watermark: context.store.watermark,
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      maintenanceError: context.store.lastMaintenanceError?.message,
    };
  });

  connection.onRequest(OpenProfileRequest.type, async raw =>
    guard(OpenProfileRequest.method, async () => {
      requireHandshake();
      const params = validate(OpenProfileRequest.paramsSchema, raw, OpenProfileRequest.method);
      const started = performance.now();
      // A file's profile ends when the file was last written; text the editor sends, now (timeAnchor.ts).
      const file = params.path !== undefined ? await readProfileFile(params.path, params.displayName) : undefined;
      const content = file ? file.bytes : params.content!;
      const { imported, format: _format, ...view } = await openProfileThroughStore(
        context.store,
        content,
        params.displayName,
        params.minShare,
        {
          ...(params.profileType !== undefined ? { profileType: params.profileType } : {}),
          ...(params.timeRange !== undefined ? { timeRange: params.timeRange } : {}),
        },
        file ? fileAnchor(file.modifiedMs) : undefined,
      );
      const ms = (performance.now() - started).toFixed(0);
      if (imported) context.recordings.announceStored(undefined, view.summary.sampleCount);
      const how = imported ? 'imported into the store' : 'already in the store';
      log('info', `opened ${params.displayName} (${how}): ${view.summary.sampleCount} samples, ${view.summary.nodeCount} nodes in ${ms} ms`);
      return view;
    }),
  );

  connection.onRequest(IngestProfileRequest.type, async raw =>
    guard(IngestProfileRequest.method, async () => {
      requireHandshake();
      const params = validate(IngestProfileRequest.paramsSchema, raw, IngestProfileRequest.method);
      const result = await context.recordings.ingest(params);
      log('debug', `stored a chunk from ${client}: ${result.rows} samples${result.alreadyStored ? ' (already stored)' : ''}`);
      return result;
    }),
  );

  connection.onRequest(QuerySelectionRequest.type, async raw =>
    guard(QuerySelectionRequest.method, async () => {
      requireHandshake();
      const params = validate(QuerySelectionRequest.paramsSchema, raw, QuerySelectionRequest.method);
      const { minShare, ...query } = params;
      return queryView(context.store, query, minShare);
    }),
  );

  connection.onRequest(SourceCostsRequest.type, async raw =>
    guard(SourceCostsRequest.method, async () => {
      requireHandshake();
      const params = validate(SourceCostsRequest.paramsSchema, raw, SourceCostsRequest.method);
      const started = performance.now();
      const result = await querySourceCosts(context.store, params);
      log('debug', `source costs of ${result.selector}: ${result.files.length} files in ${(performance.now() - started).toFixed(0)} ms`);
      return result;
    }),
  );

  connection.onRequest(CompareSelectionsRequest.type, async raw =>
    guard(CompareSelectionsRequest.method, async () => {
      requireHandshake();
      const params = validate(CompareSelectionsRequest.paramsSchema, raw, CompareSelectionsRequest.method);
      return compareSelections(context.store, params.base, params.head, params.profileType, params.tree);
    }),
  );

  connection.onRequest(LabelNamesRequest.type, async raw =>
    guard(LabelNamesRequest.method, async () => {
      requireHandshake();
      const params = validate(LabelNamesRequest.paramsSchema, raw, LabelNamesRequest.method);
      return { names: await queryLabelNames(context.store, params.selector) };
    }),
  );

  connection.onRequest(LabelValuesRequest.type, async raw =>
    guard(LabelValuesRequest.method, async () => {
      requireHandshake();
      const params = validate(LabelValuesRequest.paramsSchema, raw, LabelValuesRequest.method);
      return queryLabelValues(context.store, params.key, params.selector, params.limit, params.prefix);
    }),
  );

  connection.onRequest(ListRunsRequest.type, async raw =>
    guard(ListRunsRequest.method, async () => {
      requireHandshake();
      const params = validate(ListRunsRequest.paramsSchema, raw ?? {}, ListRunsRequest.method);
      return { runs: await listRuns(context.store, params.limit) };
    }),
  );

  connection.onRequest(ExportSelectionRequest.type, async raw =>
    guard(ExportSelectionRequest.method, async () => {
      requireHandshake();
      const params = validate(ExportSelectionRequest.paramsSchema, raw, ExportSelectionRequest.method);
      const bytes = await exportSelection(context.store, params.selector, params.format, params.path);
      log('info', `exported ${params.selector} as ${params.format} to ${params.path} (${bytes} bytes)`);
      return { bytes };
    }),
  );

  connection.onRequest(DeleteRunRequest.type, async raw =>
    guard(DeleteRunRequest.method, async () => {
      requireHandshake();
      const params = validate(DeleteRunRequest.paramsSchema, raw, DeleteRunRequest.method);
      // A run still recording would keep adding samples: stop it first.
      context.recordings.stop(params.sessionId);
      const deletedSamples = await context.store.deleteWhere({ matchers: [{ key: 'session_id', op: '=', value: params.sessionId }] });
      log('info', `deleted run ${params.sessionId} (${deletedSamples} samples) for ${client}`);
      return { deletedSamples };
    }),
  );

  connection.onRequest(StopSessionRequest.type, raw => {
    requireHandshake();
    const params = validate(StopSessionRequest.paramsSchema, raw, StopSessionRequest.method);
    context.recordings.stop(params.sessionId);
    log('info', `profiling of session ${params.sessionId} stopped by ${client}`);
  });

  connection.onRequest(ProfileProcessRequest.type, async raw =>
    guard(ProfileProcessRequest.method, async () => {
      requireHandshake();
      const params = validate(ProfileProcessRequest.paramsSchema, raw, ProfileProcessRequest.method);
      const sessionId = params.labels['session_id'] ?? randomUUID().slice(0, 8);
      const labels = { ...params.labels, ...(await processLabels(params.pid)), session_id: sessionId };
      const options = { ...DEFAULT_PERF_OPTIONS, ...(params.windowSeconds ? { windowSeconds: params.windowSeconds } : {}) };
      const collector = new PerfCollector(params.pid, labels, chunk => context.recordings.ingest(chunk), options, message => log('warn', message));
      await collector.start();
      context.recordings.addCollector(sessionId, collector);
      log('info', `profiling pid ${params.pid} with perf as session_id=${sessionId} (for ${client})`);
      return { sessionId };
    }),
  );

  connection.onRequest(SetScrapeTargetsRequest.type, async raw =>
    guard(SetScrapeTargetsRequest.method, async () => {
      requireHandshake();
      const params = validate(SetScrapeTargetsRequest.paramsSchema, raw, SetScrapeTargetsRequest.method);
      const problems = await context.scrapers.set(params.targets);
      log('info', `scraping ${context.scrapers.targets().length} pprof endpoint(s)${problems.length ? `; left out: ${problems.join('; ')}` : ''}`);
      return { problems };
    }),
  );

  connection.onRequest(DrainSpoolRequest.type, async () =>
    guard(DrainSpoolRequest.method, async () => {
      requireHandshake();
      return { imported: await context.spool.scan() };
    }),
  );

  connection.onRequest(ShutdownRequest.type, () => {
    requireHandshake();
    log('info', `shutdown requested by ${client}`);
    // Reply first, then stop: the agent waits (briefly) for its clients to read the reply and disconnect.
    setImmediate(() => context.shutdown());
  });

  return () => unsubscribe();
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
async function guard<T>(method: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ResponseError) throw error;
    if (error instanceof UserFacingError) throw new ResponseError(error.code, error.message);
    const problem = storageProblem(error);
    if (problem) {
      storageRefusals.note(`${method}: ${problem} (${describeError(error)})`);
      throw new ResponseError(IcicleErrorCode.StoreUnavailable, problem);
    }
    log('error', `${method} failed: ${error instanceof Error ? error.stack : String(error)}`);
    throw new ResponseError(IcicleErrorCode.ProfileInvalid, `Icicle's agent failed on ${method}: ${describeError(error)}.`);
  }
}
