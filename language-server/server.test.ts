import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ResponseError } from 'vscode-jsonrpc';
import { StreamMessageReader, StreamMessageWriter, createMessageConnection, type MessageConnection } from 'vscode-jsonrpc/node';
import { IcicleErrorCode } from '../common/errors';
import { LanguageServerHandshakeRequest } from '../common/protocol/languageServerProtocol';
import { LANGUAGE_SERVER_PROTOCOL_VERSION } from '../common/version';

/** The language server as a real process over a real LSP connection (stdio here; the extension uses IPC). */
describe('language server', function () {
  this.timeout(30000);
  let server: ChildProcess;
  let connection: MessageConnection;

  before(async () => {
    server = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'server.ts'), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
    connection = createMessageConnection(new StreamMessageReader(server.stdout!), new StreamMessageWriter(server.stdin!));
    connection.listen();
  });
  after(() => {
    connection.dispose();
    server.kill();
  });

  it('initialises as an LSP server that names itself', async () => {
    const result = await connection.sendRequest<{ serverInfo?: { name: string } }>('initialize', {
      processId: process.pid,
      rootUri: null,
      capabilities: {},
    });
    assert.equal(result.serverInfo?.name, 'icicle-language-server');
    await connection.sendNotification('initialized', {});
  });

  it('answers the versioned handshake, and refuses another version in words', async () => {
    const ok = await connection.sendRequest(LanguageServerHandshakeRequest.type, { protocolVersion: LANGUAGE_SERVER_PROTOCOL_VERSION, clientVersion: 'test' });
    assert.equal(ok.pid, server.pid);
    await assert.rejects(
      connection.sendRequest(LanguageServerHandshakeRequest.type, { protocolVersion: LANGUAGE_SERVER_PROTOCOL_VERSION + 1, clientVersion: 'test' }),
      (error: ResponseError<unknown>) => error.code === IcicleErrorCode.ProtocolMismatch && /reload the window/.test(error.message),
    );
  });

  it('shuts down and exits on request', async () => {
    await connection.sendRequest('shutdown');
    const exited = new Promise<number | null>(resolve => server.once('exit', resolve));
    await connection.sendNotification('exit');
    assert.equal(await exited, 0);
  });
});
