import { RequestType, RequestType0 } from 'vscode-jsonrpc';
import { z } from 'zod';
import type { PackedCallTree, ProfileSummary } from '../callTree';

/**
 * The JSON-RPC protocol between the agent (server) and its clients: the extension, the language server and
 * the command line. Each request is declared once here with its parameter schema, so the agent validates what
 * it receives and every client gets the same types. The agent sends no requests of its own yet.
 */

export const clientKindSchema = z.enum(['extension', 'language-server', 'cli', 'test']);

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
  export const type = new RequestType<Params, Result, void>(method);
}

/** A liveness check that answers without touching the store. Client → agent. */
export namespace PingRequest {
  export const method = 'icicle/ping';
  export interface Result {
    uptimeMillis: number;
  }
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
    })
    .refine(p => (p.path === undefined) !== (p.content === undefined), { message: 'give exactly one of path and content' });
  export type Params = z.infer<typeof paramsSchema>;
  /** The extension forwards this to the webview unchanged, and the webview validates it before drawing. */
  export interface Result {
    summary: ProfileSummary;
    tree: PackedCallTree;
  }
  export const type = new RequestType<Params, Result, void>(method);
}

/**
 * Asks the agent to finish its work, flush and exit. The client should close its connection once it has the
 * reply; the agent waits up to a second for that before it exits. Client → agent.
 */
export namespace ShutdownRequest {
  export const method = 'icicle/shutdown';
  export const type = new RequestType0<void, void>(method);
}
