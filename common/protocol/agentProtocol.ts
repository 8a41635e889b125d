import { FILE_EXPORT_FORMAT_IDS } from '../exportFormats';
import { NotificationType, RequestType, RequestType0 } from 'vscode-jsonrpc';
import { z } from 'zod';
import { packedCallTreeSchema, type PackedCallTree } from '../callTree';
import { breakdownKeySchema, labelBreakdownQuerySchema, labelBreakdownResultSchema, type LabelBreakdownResult } from '../labelBreakdown';
import { LABEL_KEY_PATTERN, isInternalLabel, userLabelsProblem } from '../labelKeys';
import type { DisplayUnit } from '../profileTypes';
import { sourceSelectionSchema } from '../sourceSelection';
import { viewQuerySchema, viewResultSchema, type ViewResult } from '../viewQuery';
import { finiteNumbers, noAnswer, strings, type AnswerSchema } from './answerSchemas';
import { changeRowSchema, sideSchema } from './compareViewProtocol';
import { INGEST_PROFILE_METHOD, type IngestProfileParams, type IngestProfileResult, type LegacySpooledChunk, type SampleLabelSets, type SpanWallTimes, type V8CpuProfile, type V8HeapProfile } from './probeProtocol';

/**
 * The JSON-RPC protocol between the agent (server) and its clients: the extension, the language server and
 * the command line. Each request is declared once here with its parameter schema (which the agent checks) and its
 * answer's schema (which clients check, in common/agentConnection.ts), so both sides get the same types; AGENT_REQUESTS
 * at the end lists them all, and the agent's handler table (agent/rpcHandlers.ts) must answer exactly those. The
 * agent's notifications (samples stored, recording ended, store problem) carry schemas the same way.
 */

const unit = z.enum(['micros', 'bytes', 'count']) satisfies z.ZodType<DisplayUnit>;
const count = z.number().int().nonnegative();

/**
 * Labels that come from users (a launch configuration, a launcher's environment): keys the store keeps for its own
 * bookkeeping (`__...`) or that no selector could name are refused here, at the boundary, with the reason.
 */
const userLabels = z.record(z.string().min(1).max(100), z.string().max(1000)).superRefine((labels, context) => {
  const problem = userLabelsProblem(labels);
  if (problem !== undefined) context.addIssue({ code: z.ZodIssueCode.custom, message: problem });
});

export const clientKindSchema = z.enum(['extension', 'language-server', 'cli', 'probe', 'test']);

/** Sent first by every client; the agent refuses other requests until it has answered. Client → agent. */
export namespace HandshakeRequest {
  export const method = 'icicle/handshake';
  export const paramsSchema = z.object({
    protocolVersion: z.number().int(),
    client: clientKindSchema,
    clientVersion: z.string().max(100),
  });
  export type Params = z.infer<typeof paramsSchema>;
  export interface Result {
    protocolVersion: number;
    agentVersion: string;
    pid: number;
  }
  export const resultSchema = z.object({ protocolVersion: z.number().int(), agentVersion: z.string().max(100), pid: z.number().int() }) satisfies AnswerSchema<Result>;
  export const type = new RequestType<Params, Result, void>(method);
}

/** A liveness check that answers without touching the store. Client → agent. */
export namespace PingRequest {
  export const method = 'icicle/ping';
  export interface Result {
    uptimeMillis: number;
  }
  export const resultSchema = z.object({ uptimeMillis: z.number() }) satisfies AnswerSchema<Result>;
  export const type = new RequestType0<Result, void>(method);
}

/**
 * The store's size and the agent's memory, for status displays, soak tests and bug reports; answers from memory
 * without touching the disk. Client → agent.
 */
export namespace StoreStatusRequest {
  export const method = 'icicle/storeStatus';
  export interface Result {
    /** Immutable blocks on disk, their bytes and rows. */
    blocks: number;
    blockBytes: number;
    blockRows: number;
    /** Rows and bytes still in memory (and in the write-ahead log), not yet in a block. */
    activeRows: number;
    activeBytes: number;
    /** Decoded block columns kept between queries. */
    cacheBytes: number;
    /** The highest write visible to queries. */
    watermark: number;
    /** The agent process's resident memory and JavaScript heap. */
    rssBytes: number;
    heapUsedBytes: number;
    /** Why the last background flush, compaction or retention failed, until one succeeds. */
    maintenanceError: string | undefined;
  }
  export const resultSchema = z.object({
    blocks: count,
    blockBytes: count,
    blockRows: count,
    activeRows: count,
    activeBytes: count,
    cacheBytes: count,
    watermark: z.number(),
    rssBytes: count,
    heapUsedBytes: count,
    maintenanceError: z.string().optional(),
  }) satisfies AnswerSchema<Result>;
  export const type = new RequestType0<Result, void>(method);
}

/**
 * Reads a profile file and answers with its merged call tree. The agent reads the file itself when given a
 * path (the common case, no copy through the extension host); `content` carries the text for documents that
 * are not on the agent's disk. Client → agent.
 */
export namespace OpenProfileRequest {
  export const method = 'icicle/openProfile';
  export const paramsSchema = z
    .object({
      /** Absolute path on the agent's machine. */
      path: z.string().min(1).max(4096).optional(),
      /** The profile text, when there is no path. */
      content: z.string().optional(),
      /** A display name for messages, usually the file's base name. */
      displayName: z.string().min(1).max(1024),
      /** Nodes below this share of the total are merged into `…` nodes (common/pruneCallTree.ts); 0 keeps all. */
      minShare: z.number().min(0).max(0.5).optional(),
      /** The view's type and time range, when it was open before (a reload keeps them). */
      profileType: viewQuerySchema.shape.profileType,
      timeRange: viewQuerySchema.shape.timeRange,
    })
    .refine(p => (p.path === undefined) !== (p.content === undefined), { message: 'give exactly one of path and content' });
  export type Params = z.infer<typeof paramsSchema>;
  /**
   * The file's view, as QuerySelectionRequest answers for `{profile_id="…"}` (the file's samples in the store):
   * later queries of the view (another type, a time range, a filter) go through QuerySelectionRequest. The extension
   * forwards it to the webview, which validates it before drawing.
   */
  export type Result = ViewResult;
  export const resultSchema = viewResultSchema satisfies AnswerSchema<Result>;
  export const type = new RequestType<Params, Result, void>(method);
}

/**
 * Asks the agent to finish its work, flush and exit. The client should close its connection once it has the
 * reply; the agent waits up to a second for that before it exits. Client → agent.
 */
export namespace ShutdownRequest {
  export const method = 'icicle/shutdown';
  export const resultSchema = noAnswer;
  export const type = new RequestType0<void, void>(method);
}

/**
 * One recorded profile to be stored with its labels: a probe's chunk (probeProtocol.ts), or a perf window. The
 * parameters are a union discriminated by `format`, so the agent reads each with its format's reader. The probe writes
 * the same parameters to the spool directory when it cannot send them, and the agent checks both with this schema
 * (and older spooled chunks with `legacySpooledChunkSchema`). Probe → agent.
 */
export namespace IngestProfileRequest {
  export const method = INGEST_PROFILE_METHOD;
  const info = {
    startMs: z.number().finite().nonnegative(),
    labels: userLabels.refine(labels => Object.keys(labels).length <= 64, { message: 'at most 64 labels' }),
    droppedChunks: z.number().int().nonnegative(),
    chunkKey: z.string().regex(/^[A-Za-z0-9_.:-]{1,200}$/).optional(),
  };
  /**
   * Only the profile's top level is checked here, without copying it (a busy chunk has tens of thousands of nodes):
   * the V8 reader checks every node as it reads them, and says precisely what is wrong.
   */
  const v8Profile = z.custom<V8CpuProfile>(
    value => typeof value === 'object' && value !== null && !Array.isArray(value) && Array.isArray((value as { nodes?: unknown }).nodes),
    { message: 'the profile is not a V8 CPU profile (an object with a nodes array)' },
  );
  /** As the CPU profile: only its top level here; the heap profile reader checks every node. */
  const v8HeapProfile = z.custom<V8HeapProfile>(
    value => typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as { head?: unknown }).head === 'object' && (value as { head?: unknown }).head !== null,
    { message: 'the heap profile is not a V8 sampling heap profile (an object with a head node)' },
  );
  /** A span's labels (SPAN_LABEL_KEYS): keys as labels' rules have them, never the store's own `__` keys. */
  const spanLabels = z.record(z.string().regex(LABEL_KEY_PATTERN).max(100).refine(key => !isInternalLabel(key), 'a label key starting with two underscores is the store\'s own'), z.string().max(1000));
  /** Per-sample labels (the probe's OpenTelemetry spans): label sets whose keys are labels', and an index per sample. */
  const sampleLabelSets = z.object({
    sets: z.array(spanLabels).max(1_000_000),
    ofSample: z.array(z.number().int().min(-1)).max(100_000_000),
  }) satisfies z.ZodType<SampleLabelSets>;
  /** The wall time of the spans that ended during the chunk: labels as the samples', a start, a non-negative length. */
  const spanWallTimes = z.object({
    spans: z
      .array(
        z.object({
          labels: spanLabels,
          startMs: z.number().finite().nonnegative(),
          wallNs: z.number().finite().nonnegative(),
        }),
      )
      .max(1_000_000),
    dropped: z.number().int().nonnegative(),
  }) satisfies z.ZodType<SpanWallTimes>;
  export const paramsSchema = z.discriminatedUnion('format', [
    z.object({ format: z.literal('v8'), profile: v8Profile, heapProfile: v8HeapProfile.optional(), sampleLabels: sampleLabelSets.optional(), spanWalls: spanWallTimes.optional(), ...info }),
    // A window of a few seconds is well under a megabyte; a quarter of a gigabyte is far beyond any real one.
    z.object({ format: z.literal('perf'), text: z.string().min(1).max(256 * 1024 * 1024), ...info }),
  ]) satisfies z.ZodType<IngestProfileParams>;
  /** A chunk spooled by a probe from before the format tag: always V8's profile, as JSON text. */
  export const legacySpooledChunkSchema = z.object({
    profile: z.string().min(2).max(256 * 1024 * 1024),
    ...info,
  }) satisfies z.ZodType<LegacySpooledChunk>;
  export type Params = IngestProfileParams;
  export type Result = IngestProfileResult;
  export const resultSchema = z.object({ rows: count, profileId: z.string(), alreadyStored: z.boolean(), stop: z.boolean() }) satisfies AnswerSchema<Result>;
  export const type = new RequestType<Params, Result, void>(method);
}

/**
 * A view of a selection of the store's samples, e.g. one recorded run (`{session_id="1a2b3c4d"}`), of one profile
 * type, in a time range: its call tree, the types it offers and its timeline (common/viewQuery.ts). With `source`
 * (ViewQuery's), the samples are a dataset's, one of the folders SetSourcesRequest named; another folder is refused
 * with a sentence, as CompareSelectionsRequest's baseSource. Client → agent.
 */
export namespace QuerySelectionRequest {
  export const method = 'icicle/querySelection';
  export const paramsSchema = viewQuerySchema.extend({
    /** As in OpenProfileRequest. */
    minShare: z.number().min(0).max(0.5).optional(),
  });
  export type Params = z.infer<typeof paramsSchema>;
  export type Result = ViewResult;
  export const resultSchema = viewResultSchema satisfies AnswerSchema<Result>;
  export const type = new RequestType<Params, Result, void>(method);
}

/** The label keys among a selection's samples, for completing a selector. Client → agent. */
export namespace LabelNamesRequest {
  export const method = 'icicle/labelNames';
  export const paramsSchema = z.object({ selector: z.string().max(10_000) });
  export type Params = z.infer<typeof paramsSchema>;
  export interface Result {
    names: string[];
  }
  export const resultSchema = z.object({ names: z.array(z.string()) }) satisfies AnswerSchema<Result>;
  export const type = new RequestType<Params, Result, void>(method);
}

/**
 * The values one label takes among a selection's samples, sorted, at most `limit`: the first ones, or the first
 * starting with `prefix` (case-sensitive; what a user typed into completion, so a label with a million values still
 * completes). Client → agent.
 */
export namespace LabelValuesRequest {
  export const method = 'icicle/labelValues';
  export const paramsSchema = z.object({
    key: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).max(100),
    selector: z.string().max(10_000),
    limit: z.number().int().min(1).max(10_000),
    prefix: z.string().max(10_000).optional(),
  });
  export type Params = z.infer<typeof paramsSchema>;
  export interface Result {
    values: string[];
    /** Whether there were more than `limit`. */
    truncated: boolean;
  }
  export const resultSchema = z.object({ values: z.array(z.string()), truncated: z.boolean() }) satisfies AnswerSchema<Result>;
  export const type = new RequestType<Params, Result, void>(method);
}

/**
 * A selection's samples grouped by one label (per `http_route`, `span_name`, `trace_id`...): each value's total,
 * largest first, at most `limit` of them and the rest summed, with the selection's label keys (common/labelBreakdown.ts).
 * Client → agent.
 */
export namespace LabelBreakdownRequest {
  export const method = 'icicle/labelBreakdown';
  export const paramsSchema = labelBreakdownQuerySchema;
  export type Params = z.infer<typeof paramsSchema>;
  export type Result = LabelBreakdownResult;
  export const resultSchema = labelBreakdownResultSchema satisfies AnswerSchema<Result>;
  export const type = new RequestType<Params, Result, void>(method);
}

/**
 * Stops profiling a recording session: the agent answers the session's next chunk with `stop`, and its probes
 * stop. Chunks already recorded are kept. Client → agent.
 */
export namespace StopSessionRequest {
  export const method = 'icicle/stopSession';
  export const paramsSchema = z.object({ sessionId: z.string().min(1).max(100) });
  export type Params = z.infer<typeof paramsSchema>;
  export const resultSchema = noAnswer;
  export const type = new RequestType<Params, void, void>(method);
}

/**
 * Imports the spool directory now (a profiled program has just ended and spooled its last chunk), resolving once
 * what was there is stored. Client → agent.
 */
export namespace DrainSpoolRequest {
  export const method = 'icicle/drainSpool';
  export interface Result {
    imported: number;
  }
  export const resultSchema = z.object({ imported: count }) satisfies AnswerSchema<Result>;
  export const type = new RequestType0<Result, void>(method);
}

/**
 * Samples were stored: a recording session's chunk (so a status bar can count them), or a profile file opened in the
 * editor (`sessionId` undefined), so that views and source costs refresh. Agent → extension and language server.
 */
export namespace SamplesStoredNotification {
  export const method = 'icicle/samplesStored';
  export interface Params {
    /** The `session_id` label of the chunk, when it has one. */
    sessionId: string | undefined;
    rows: number;
    /**
     * Labels every stored sample carries with these values (the run's, the chunk's profile_id); a sample may carry
     * others too (per-sample labels). A view whose selector a key here contradicts did not gain samples
     * (common/selectorMatch.ts), so it need not query again.
     */
    labels: Record<string, string>;
  }
  export const paramsSchema = z.object({
    sessionId: z.string().optional(),
    rows: count,
    labels: z.record(z.string().max(1000), z.string().max(10_000)).refine(labels => Object.keys(labels).length <= 1000, { message: 'at most 1000 labels' }),
  }) satisfies AnswerSchema<Params>;
  export const type = new NotificationType<Params>(method);
}

/**
 * Profiles a running native process with perf (agent/collectors/perfCollector.ts) until it exits or its session is
 * stopped; answers once recording runs, or with why it cannot (perf missing, not permitted, no such process).
 * Client → agent.
 */
export namespace ProfileProcessRequest {
  export const method = 'icicle/profileProcess';
  export const paramsSchema = z.object({
    pid: z.number().int().positive(),
    /** Labels for every window (the session id, launch configuration...); the agent adds pid, runtime, command. */
    labels: userLabels,
    windowSeconds: z.number().min(1).max(60).optional(),
  });
  export type Params = z.infer<typeof paramsSchema>;
  export interface Result {
    /** The `session_id` of the recording (the one given in the labels, or a new one). */
    sessionId: string;
  }
  export const resultSchema = z.object({ sessionId: z.string() }) satisfies AnswerSchema<Result>;
  export const type = new RequestType<Params, Result, void>(method);
}

/** A recording the agent ran (perf on a process) has ended: the process exited or it was stopped. Agent → extension. */
export namespace RecordingEndedNotification {
  export const method = 'icicle/recordingEnded';
  export interface Params {
    sessionId: string;
  }
  export const paramsSchema = z.object({ sessionId: z.string() }) satisfies AnswerSchema<Params>;
  export const type = new NotificationType<Params>(method);
}

/**
 * The store has started or stopped refusing writes for a reason the user can fix (a full disk, a read-only file
 * system): `problem` says which in words, or is undefined once writes work again. Sent on each change, and at once
 * to an extension that connects while the problem lasts. Agent → extension.
 */
export namespace StoreProblemNotification {
  export const method = 'icicle/storeProblem';
  export interface Params {
    problem: string | undefined;
  }
  export const paramsSchema = z.object({ problem: z.string().optional() }) satisfies AnswerSchema<Params>;
  export const type = new NotificationType<Params>(method);
}

/**
 * The pprof endpoints to scrape (the `icicle.scrapeTargets` setting): replaces the previous list. Answers with why
 * any target cannot be scraped; the others run. Client → agent.
 */
export namespace SetScrapeTargetsRequest {
  export const method = 'icicle/setScrapeTargets';
  export const paramsSchema = z.object({
    targets: z.array(z.object({ url: z.string().max(2000), intervalSeconds: z.number() })).max(100),
  });
  export type Params = z.infer<typeof paramsSchema>;
  export interface Result {
    problems: string[];
  }
  export const resultSchema = z.object({ problems: z.array(z.string()) }) satisfies AnswerSchema<Result>;
  export const type = new RequestType<Params, Result, void>(method);
}

/**
 * The read-only Parquet datasets beside the store (the `icicle.sources` setting, absolute folders): replaces the
 * previous list. Only these can be a comparison's base (CompareSelectionsRequest's baseSource). Client → agent.
 */
export namespace SetSourcesRequest {
  export const method = 'icicle/setSources';
  export const paramsSchema = z.object({ folders: z.array(z.string().min(1).max(4096)).max(100) });
  export type Params = z.infer<typeof paramsSchema>;
  export const resultSchema = noAnswer;
  export const type = new RequestType<Params, void, void>(method);
}

/**
 * One label's values in each configured dataset (read from its samples files' label columns), sorted, at most
 * `limit` a dataset; a dataset that cannot be read says why, in a sentence, instead. Client → agent.
 */
export namespace SourceLabelValuesRequest {
  export const method = 'icicle/sourceLabelValues';
  export const paramsSchema = z.object({ key: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).max(100), limit: z.number().int().min(1).max(10_000) });
  export type Params = z.infer<typeof paramsSchema>;
  export interface SourceValues {
    folder: string;
    values: string[];
    truncated: boolean;
    /** Why the dataset could not be read; its values are then empty. */
    problem?: string;
  }
  export interface Result {
    sources: SourceValues[];
  }
  export const resultSchema = z.object({
    sources: z.array(z.object({ folder: z.string(), values: z.array(z.string()), truncated: z.boolean(), problem: z.string().optional() })),
  }) satisfies AnswerSchema<Result>;
  export const type = new RequestType<Params, Result, void>(method);
}

/**
 * Each configured dataset's labels: its label keys (its samples files' `labels.*` columns, the store's own `__` ones
 * left out), sorted, each with its values, sorted, at most `limit` a key; a dataset that cannot be read says why, in a
 * sentence, instead. What the base picker offers beside `branch`. Client → agent.
 */
export namespace SourceLabelsRequest {
  export const method = 'icicle/sourceLabels';
  export const paramsSchema = z.object({ limit: z.number().int().min(1).max(10_000) });
  export type Params = z.infer<typeof paramsSchema>;
  export interface SourceLabel {
    key: string;
    values: string[];
    truncated: boolean;
  }
  export interface SourceLabels {
    folder: string;
    labels: SourceLabel[];
    /** Why the dataset could not be read; its labels are then empty. */
    problem?: string;
  }
  export interface Result {
    sources: SourceLabels[];
  }
  export const resultSchema = z.object({
    sources: z.array(
      z.object({
        folder: z.string(),
        labels: z.array(z.object({ key: z.string(), values: z.array(z.string()), truncated: z.boolean() })),
        problem: z.string().optional(),
      }),
    ),
  }) satisfies AnswerSchema<Result>;
  export const type = new RequestType<Params, Result, void>(method);
}

/** A recorded run as the Profiles view lists it (agent/queries/runs/recordedRuns.ts). */
export interface RunSummary {
  sessionId: string;
  startMs: number;
  endMs: number;
  samples: number;
  /** CPU time of the run's samples, in nanoseconds. */
  valueNs: number;
  labels: Record<string, string>;
}
const runSummarySchema = z.object({
  sessionId: z.string(),
  startMs: z.number(),
  endMs: z.number(),
  samples: count,
  valueNs: z.number(),
  labels: z.record(z.string()),
}) satisfies AnswerSchema<RunSummary>;

/** The recorded runs in the store (CPU time), newest first. Client → agent. */
export namespace ListRunsRequest {
  export const method = 'icicle/listRuns';
  // No parameters (null) read as none given.
  export const paramsSchema = z.preprocess(raw => raw ?? {}, z.object({ limit: z.number().int().min(1).max(10_000).optional() }));
  export type Params = z.infer<typeof paramsSchema>;
  export interface Result {
    runs: RunSummary[];
  }
  export const resultSchema = z.object({ runs: z.array(runSummarySchema) }) satisfies AnswerSchema<Result>;
  export const type = new RequestType<Params, Result, void>(method);
}

/**
 * Writes a selection of the store to a file, in one of the export formats (common/exportFormats.ts: gzipped pprof,
 * collapsed stacks, OpenTelemetry profiles). The path is one the user chose in a save dialog. Client → agent.
 */
export namespace ExportSelectionRequest {
  export const method = 'icicle/exportSelection';
  export const paramsSchema = z.object({
    selector: z.string().max(10_000),
    format: z.enum(FILE_EXPORT_FORMAT_IDS),
    path: z.string().min(1).max(4096),
  });
  export type Params = z.infer<typeof paramsSchema>;
  export interface Result {
    bytes: number;
  }
  export const resultSchema = z.object({ bytes: count }) satisfies AnswerSchema<Result>;
  export const type = new RequestType<Params, Result, void>(method);
}

/** Deletes a recorded run's samples from the store, for good. Client → agent. */
export namespace DeleteRunRequest {
  export const method = 'icicle/deleteRun';
  export const paramsSchema = z.object({ sessionId: z.string().min(1).max(100) });
  export type Params = z.infer<typeof paramsSchema>;
  export interface Result {
    deletedSamples: number;
  }
  export const resultSchema = z.object({ deletedSamples: count }) satisfies AnswerSchema<Result>;
  export const type = new RequestType<Params, Result, void>(method);
}

/**
 * One source file's costs in the packed form that crosses to the language server: per function its name, and in
 * `functions` (stride 5) its first line, self, total, self samples, total samples; in `lines` (stride 5) line, self,
 * total, self samples, total samples. Values are in the answer's display unit.
 */
export interface PackedFileCosts {
  file: string;
  functionNames: string[];
  functions: number[];
  lines: number[];
  /** With `runsPerFile`: how many of the selection's runs ran code of this file, for a mean per run of its costs. */
  runs?: number;
  /**
   * With `splitBy`: the totals of the functions some of whose samples carry the label, split by its values, stride 5:
   * function index (into functionNames), value (an index into the answer's `split.values`; SPLIT_NONE: the samples
   * without the label; SPLIT_OTHERS: the values beyond the limit, summed), total, samples, and how many values that
   * is (1, or the others' count). A function's parts add up to its total. Absent when no function has a split.
   */
  split?: number[];
}
/** In `PackedFileCosts.split`: the part of a function's samples without the label. */
export const SPLIT_NONE = -1;
/** In `PackedFileCosts.split`: the values beyond the limit, summed. */
export const SPLIT_OTHERS = -2;
const SPLIT_STRIDE = 5;

const packedFileCostsSchema = z
  .object({ file: z.string(), functionNames: strings, functions: finiteNumbers, lines: finiteNumbers, runs: count.optional(), split: finiteNumbers.optional() })
  .refine(f => f.functions.length === 5 * f.functionNames.length && f.lines.length % 5 === 0, {
    message: 'a file holds five numbers per function and per line',
  })
  .refine(f => f.split === undefined || splitEntriesValid(f.split, f.functionNames.length), {
    message: 'a file\'s split holds five numbers per part, of a function it lists',
  }) satisfies AnswerSchema<PackedFileCosts>;

/** Each split part names a listed function and a value index (or SPLIT_NONE / SPLIT_OTHERS), with a whole count. */
function splitEntriesValid(split: readonly number[], functions: number): boolean {
  if (split.length % SPLIT_STRIDE !== 0) return false;
  for (let i = 0; i < split.length; i += SPLIT_STRIDE) {
    const [fn, value, , samples, values] = split.slice(i, i + SPLIT_STRIDE) as [number, number, number, number, number];
    if (!Number.isInteger(fn) || fn < 0 || fn >= functions) return false;
    if (!Number.isInteger(value) || value < SPLIT_OTHERS) return false;
    if (!Number.isInteger(samples) || samples < 0 || !Number.isInteger(values) || values < 0) return false;
  }
  return true;
}

/** The largest value index the files' splits name, so the answer can check each names one of `split.values`. */
function largestSplitValue(files: readonly { split?: readonly number[] | undefined }[]): number {
  let largest = -1;
  for (const f of files) for (let i = 1; f.split && i < f.split.length; i += SPLIT_STRIDE) largest = Math.max(largest, f.split[i]!);
  return largest;
}

/**
 * Everything the source costs of a selection (common/sourceSelection.ts): per-function and per-line cost of every
 * source file, for the language server to keep in memory. Client → agent.
 */
export namespace SourceCostsRequest {
  export const method = 'icicle/sourceCosts';
  export const paramsSchema = z.object({
    selection: sourceSelectionSchema,
    profileType: z.string().min(1).max(500).optional(),
    /** Also count, per file, the runs that ran it (`PackedFileCosts.runs`): the deltas against a baseline want it. */
    runsPerFile: z.boolean().optional(),
    /** Also split each function's total by this label's values, the largest `limit` (`PackedFileCosts.split`). */
    splitBy: z.object({ key: breakdownKeySchema, limit: z.number().int().min(1).max(20) }).optional(),
  });
  export type Params = z.infer<typeof paramsSchema>;
  export interface Result {
    /** The selection in words, for hovers: `branch="main", latest run (1a2b3c4d, 2026-11-24 12:03)`. */
    description: string;
    /** The selector the costs were read with, once resolved (the latest run's own `session_id`, say). */
    selector: string;
    profileType: string | undefined;
    /** Every type the selection's samples hold (the status bar picker offers them). */
    profileTypes: string[];
    unit: DisplayUnit;
    /** How many runs (sessions, or profile files) the samples came from. */
    runs: number;
    total: number;
    totalSamples: number;
    files: PackedFileCosts[];
    /** With `splitBy`, when some function has a split: the label, and the values the files' splits index. */
    split?: { key: string; values: string[] };
  }
  export const resultSchema = z
    .object({
      description: z.string(),
      selector: z.string(),
      profileType: z.string().optional(),
      profileTypes: z.array(z.string()),
      unit,
      runs: count,
      total: z.number(),
      totalSamples: z.number(),
      files: z.array(packedFileCostsSchema),
      split: z.object({ key: z.string().max(100), values: z.array(z.string().max(100_000)).max(100_000) }).optional(),
    })
    .refine(r => largestSplitValue(r.files) < (r.split?.values.length ?? 0), { message: 'a split names a value the answer does not list' }) satisfies AnswerSchema<Result>;
  export const type = new RequestType<Params, Result, void>(method);
}

/** A function's change between two selections, as the compare panel and `icicle diff` show it. */
export interface FunctionChangeRow {
  name: string;
  file: string;
  /** Where the function is defined (common/functionIdentity.ts); 0 when unknown. */
  line: number;
  column: number;
  a: { mean: number; sd: number; runs: number };
  b: { mean: number; sd: number; runs: number };
  delta: number;
  /** delta / a.mean × 100; null for a function that is new in B (JSON has no Infinity). */
  deltaPercent: number | null;
  p: number | undefined;
  verdict: 'regression' | 'improvement' | 'unchanged' | 'unknown';
}
const functionChangeRowSchema = changeRowSchema.extend({ line: count, column: count }) satisfies AnswerSchema<FunctionChangeRow>;

/** Compares the runs of two selections (a base and a head branch) function by function. Client → agent. */
export namespace CompareSelectionsRequest {
  export const method = 'icicle/compareSelections';
  export const paramsSchema = z.object({
    base: z.string().max(10_000),
    head: z.string().max(10_000),
    profileType: z.string().min(1).max(500).optional(),
    /** Also the differential call tree, pruned below this share (as OpenProfileRequest's minShare). */
    tree: z.object({ minShare: z.number().min(0).max(0.5) }).optional(),
    /** The base side from this dataset folder instead of the store: one of the folders SetSourcesRequest named. */
    baseSource: z.string().min(1).max(4096).optional(),
  });
  export type Params = z.infer<typeof paramsSchema>;
  export interface Result {
    base: string;
    head: string;
    profileType: string | undefined;
    /** The types both sides hold, which the compare panel offers to compare in. */
    profileTypes: string[];
    unit: DisplayUnit;
    a: { mean: number; sd: number; runs: number };
    b: { mean: number; sd: number; runs: number };
    changes: FunctionChangeRow[];
    /** The statistical test, in words. */
    method: string;
    /**
     * When asked for: the head's call tree with values as means per run, and per node the base's mean self per run
     * on the same call path (common/diffCallTree.ts); files are relative to each run's checkout.
     */
    diff?: { tree: PackedCallTree; baseSelf: number[] };
  }
  export const resultSchema = z.object({
    base: z.string(),
    head: z.string(),
    profileType: z.string().optional(),
    profileTypes: z.array(z.string()),
    unit,
    a: sideSchema,
    b: sideSchema,
    changes: z.array(functionChangeRowSchema),
    method: z.string(),
    diff: z
      .object({ tree: packedCallTreeSchema, baseSelf: finiteNumbers })
      .refine(d => d.baseSelf.length === d.tree.parent.length, { message: 'one base value per node' })
      .optional(),
  }) satisfies AnswerSchema<Result>;
  export const type = new RequestType<Params, Result, void>(method);
}

/**
 * Every request the agent answers, by method: the agent's handler table (agent/rpcHandlers.ts) is typed by this list,
 * so a request declared here without a handler, or a handler for a request not declared here, does not compile.
 */
export const AGENT_REQUESTS = {
  [HandshakeRequest.method]: HandshakeRequest,
  [PingRequest.method]: PingRequest,
  [StoreStatusRequest.method]: StoreStatusRequest,
  [OpenProfileRequest.method]: OpenProfileRequest,
  [IngestProfileRequest.method]: IngestProfileRequest,
  [QuerySelectionRequest.method]: QuerySelectionRequest,
  [SourceCostsRequest.method]: SourceCostsRequest,
  [CompareSelectionsRequest.method]: CompareSelectionsRequest,
  [LabelNamesRequest.method]: LabelNamesRequest,
  [LabelValuesRequest.method]: LabelValuesRequest,
  [LabelBreakdownRequest.method]: LabelBreakdownRequest,
  [ListRunsRequest.method]: ListRunsRequest,
  [ExportSelectionRequest.method]: ExportSelectionRequest,
  [DeleteRunRequest.method]: DeleteRunRequest,
  [StopSessionRequest.method]: StopSessionRequest,
  [ProfileProcessRequest.method]: ProfileProcessRequest,
  [SetScrapeTargetsRequest.method]: SetScrapeTargetsRequest,
  [SetSourcesRequest.method]: SetSourcesRequest,
  [SourceLabelValuesRequest.method]: SourceLabelValuesRequest,
  [SourceLabelsRequest.method]: SourceLabelsRequest,
  [DrainSpoolRequest.method]: DrainSpoolRequest,
  [ShutdownRequest.method]: ShutdownRequest,
} as const;
export type AgentRequests = typeof AGENT_REQUESTS;
/** One of the agent's requests, as declared above. */
export type AgentRequest = AgentRequests[keyof AgentRequests];
/** What a request's handler gets: its parameters as its schema gives them (nothing for a request without any). */
export type ParamsOf<R extends AgentRequest> = R extends { paramsSchema: z.ZodTypeAny } ? z.output<R['paramsSchema']> : undefined;
/** What a request answers. */
export type ResultOf<R extends AgentRequest> = R['type'] extends RequestType<unknown, infer Result, unknown> | RequestType0<infer Result, unknown> ? Result : never;

/** The agent's notifications to its clients, which each client checks with their schemas on arrival. */
export type AgentNotification = typeof SamplesStoredNotification | typeof RecordingEndedNotification | typeof StoreProblemNotification;
