import { NotificationType, RequestType } from 'vscode-jsonrpc';
import { z } from 'zod';
import { sourceSelectionSchema } from '../sourceSelection';
import type { AnswerSchema } from './answerSchemas';

/**
 * Icicle's custom requests on the LSP connection between the extension (client) and the language server,
 * beyond the standard LSP methods. Each carries the schema its receiver checks: parameters for the side that
 * answers or is notified, the answer for the side that asked. TO_LANGUAGE_SERVER and TO_EXTENSION at the end list
 * each direction's messages.
 */

/**
 * The extension's commands that the server's hovers and lenses link to; the client trusts command links to these
 * and no others.
 */
export const SHOW_FUNCTION_COMMAND = 'icicle.showFunction';
export const CHOOSE_COST_SELECTION_COMMAND = 'icicle.chooseCostSelection';

/** Sent by the extension right after LSP initialisation to check that both speak the same version. Client → server. */
export namespace LanguageServerHandshakeRequest {
  export const method = 'icicle/languageServerHandshake';
  export const paramsSchema = z.object({ protocolVersion: z.number().int(), clientVersion: z.string().max(100) });
  export type Params = z.infer<typeof paramsSchema>;
  export interface Result {
    protocolVersion: number;
    serverVersion: string;
    pid: number;
  }
  export const resultSchema = z.object({ protocolVersion: z.number().int(), serverVersion: z.string().max(100), pid: z.number().int() }) satisfies AnswerSchema<Result>;
  export const type = new RequestType<Params, Result, void>(method);
}

/** How the server maps profile paths to workspace files: `from` prefixes of a profile's paths become `to`. */
export const pathMappingSchema = z.object({ from: z.string().min(1).max(4096), to: z.string().min(1).max(4096) });
export type PathMapping = z.infer<typeof pathMappingSchema>;

/** The settings the server follows (`icicle.*`), sent at start and on every change. */
export const languageServerSettingsSchema = z.object({
  /** Code lenses go above functions whose total is at least this percent of the selection. */
  codeLensMinPercent: z.number().min(0).max(100),
  /** Whether line costs are also shown as inlay hints at line ends. */
  inlayHints: z.boolean(),
  pathMappings: z.array(pathMappingSchema).max(100),
  /**
   * What hovers and lenses compare (`self per run +12 ms (+8%) vs main`): the base branch's runs (`selection`, named
   * `label`) against the current branch's (`head`), each a function's mean self cost over the runs that ran its file,
   * as the compare panel does; when `icicle.compare.deltaInSource` is on and the current branch is another one.
   * Without `head`, or when the current branch's runs never ran the file, the samples shown are the head side.
   */
  baseline: z
    .object({
      selection: sourceSelectionSchema,
      label: z.string().max(200),
      head: z.object({ selection: sourceSelectionSchema, label: z.string().max(200) }).optional(),
    })
    .optional(),
});
export type LanguageServerSettings = z.infer<typeof languageServerSettingsSchema>;

/** The LSP initializationOptions the extension starts the server with. */
export const initializationOptionsSchema = z.object({
  /** The agent's socket; the server connects to it for costs, and reconnects after the agent restarts. */
  agentSocket: z.string().min(1).max(4096),
  selection: sourceSelectionSchema,
  settings: languageServerSettingsSchema,
});
export type InitializationOptions = z.infer<typeof initializationOptionsSchema>;

/** Which samples the costs come from, chosen in the status bar picker. Client → server. */
export namespace SetSelectionNotification {
  export const method = 'icicle/setSelection';
  export const paramsSchema = z.object({ selection: sourceSelectionSchema });
  export type Params = z.infer<typeof paramsSchema>;
  export const type = new NotificationType<Params>(method);
}

/** The settings changed. Client → server. */
export namespace SetSettingsNotification {
  export const method = 'icicle/setSettings';
  export const paramsSchema = z.object({ settings: languageServerSettingsSchema });
  export type Params = z.infer<typeof paramsSchema>;
  export const type = new NotificationType<Params>(method);
}

/** One line's cost for the heat in the gutter: 0-based line in the document as it is now. */
export interface LineHeat {
  line: number;
  self: number;
  total: number;
  /** total / the selection's total, 0..1. */
  share: number;
  /** The line was edited since it was profiled. */
  stale: boolean;
}

/** The line costs of one open document, for the gutter and line heat. Client → server. */
export namespace LineCostsRequest {
  export const method = 'icicle/lineCosts';
  export const paramsSchema = z.object({ uri: z.string().max(8192) });
  export type Params = z.infer<typeof paramsSchema>;
  export interface Result {
    lines: LineHeat[];
    /** The hottest line's share, so heat can be scaled to the file. */
    maxShare: number;
  }
  export const resultSchema = z.object({
    lines: z.array(z.object({ line: z.number().int().nonnegative(), self: z.number(), total: z.number(), share: z.number(), stale: z.boolean() })),
    maxShare: z.number(),
  }) satisfies AnswerSchema<Result>;
  export const type = new RequestType<Params, Result, void>(method);
}

/** What the costs shown now come from; sent whenever they change (new samples, another selection). Server → client. */
export namespace CostsChangedNotification {
  export const method = 'icicle/costsChanged';
  export interface Params {
    /** `branch="main", latest run (…)`, or why there are no costs (no agent, no samples). */
    description: string;
    /** The selector the costs were read with, once resolved (a run's own `session_id`, say); empty without costs. */
    selector: string;
    runs: number;
    files: number;
    /** The profile type the costs are of (absent without costs). */
    profileType?: string;
    /** Every type the samples hold, for the picker to offer ("CPU time", "Allocated bytes"). */
    profileTypes?: string[];
  }
  export const paramsSchema = z.object({
    description: z.string().max(10_000),
    selector: z.string().max(10_000),
    runs: z.number().int().nonnegative(),
    files: z.number().int().nonnegative(),
    profileType: z.string().max(500).optional(),
    profileTypes: z.array(z.string().max(500)).max(1000).optional(),
  }) satisfies AnswerSchema<Params>;
  export const type = new NotificationType<Params>(method);
}

/** A function-like symbol of a document, flattened, with 0-based lines. */
export const documentFunctionSchema = z.object({
  name: z.string().max(10_000),
  /** The whole function. */
  startLine: z.number().int().nonnegative(),
  endLine: z.number().int().nonnegative(),
  /** Where its name is: the code lens goes on this line. */
  nameLine: z.number().int().nonnegative(),
});
export type DocumentFunction = z.infer<typeof documentFunctionSchema>;

/**
 * The functions (and methods, constructors...) the editor's language support finds in a document, for function
 * ranges the profile does not give. The server asks once per document version. Server → client.
 */
export namespace DocumentFunctionsRequest {
  export const method = 'icicle/documentFunctions';
  export const paramsSchema = z.object({ uri: z.string().max(8192) });
  export type Params = z.infer<typeof paramsSchema>;
  export const resultSchema = z.object({ functions: z.array(documentFunctionSchema).max(100_000) });
  export type Result = z.infer<typeof resultSchema>;
  export const type = new RequestType<Params, Result, void>(method);
}

/** A message as the rule wants it: parameters checked by the receiver, and a request's answer by the sender. */
type CheckedMessage = { method: string; paramsSchema: z.ZodTypeAny } & (
  | { type: { readonly _: [params: unknown, unused: unknown] | undefined } } // a notification
  | { type: { readonly _: [params: unknown, result: unknown, error: unknown, unused: unknown] | undefined }; resultSchema: z.ZodTypeAny } // a request
);

/** Every Icicle message the extension sends the language server; the server checks each one's `paramsSchema`. */
export const TO_LANGUAGE_SERVER = [LanguageServerHandshakeRequest, SetSelectionNotification, SetSettingsNotification, LineCostsRequest] as const satisfies readonly CheckedMessage[];
/** Every Icicle message the language server sends the extension; the extension checks each one's `paramsSchema`. */
export const TO_EXTENSION = [CostsChangedNotification, DocumentFunctionsRequest] as const satisfies readonly CheckedMessage[];
