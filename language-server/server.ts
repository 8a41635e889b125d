import { ResponseError, createConnection, ProposedFeatures, TextDocumentSyncKind } from 'vscode-languageserver/node';
import { IcicleErrorCode } from '../common/errors';
import { LanguageServerHandshakeRequest } from '../common/protocol/languageServerProtocol';
import { LANGUAGE_SERVER_PROTOCOL_VERSION } from '../common/version';

/**
 * The language server process, started by the extension over Node IPC. This file is the wiring: it creates
 * the connection and answers the handshake. Cost annotations (hover, code lenses, line heat) arrive with the
 * store; until then the server advertises no language features, so it costs the editor nothing.
 */
const VERSION = process.env.ICICLE_VERSION ?? '0.0.0-dev';
const connection = createConnection(ProposedFeatures.all);

connection.onInitialize(() => ({
  capabilities: { textDocumentSync: TextDocumentSyncKind.None },
  serverInfo: { name: 'icicle-language-server', version: VERSION },
}));

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

connection.listen();
