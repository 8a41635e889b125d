import { RequestType } from 'vscode-jsonrpc';
import { z } from 'zod';

/**
 * Icicle's custom requests on the LSP connection between the extension (client) and the language server,
 * beyond the standard LSP methods.
 */

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
  export const type = new RequestType<Params, Result, void>(method);
}
