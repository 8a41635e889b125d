import { connect } from 'node:net';
import { SocketMessageReader, SocketMessageWriter, createMessageConnection, type MessageConnection } from 'vscode-jsonrpc/node';
import { HandshakeRequest } from './protocol/agentProtocol';
import { AGENT_PROTOCOL_VERSION } from './version';

export interface AgentConnection {
  readonly connection: MessageConnection;
  readonly handshake: HandshakeRequest.Result;
  dispose(): void;
}

/**
 * Connects to a running agent's socket and performs the versioned handshake. Used by every client of the
 * agent (the extension, the language server, the command line, tests), so all of them connect the same way.
 */
export async function connectToAgent(
  socketPath: string,
  client: HandshakeRequest.Params['client'],
  clientVersion: string,
): Promise<AgentConnection> {
  const socket = connect(socketPath);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const connection = createMessageConnection(new SocketMessageReader(socket), new SocketMessageWriter(socket));
  // vscode-jsonrpc leaves requests pending when the other side goes away, until the connection is disposed; an
  // agent killed mid-request must fail them at once, so that the caller retries or reports instead of waiting.
  socket.once('close', () => connection.dispose());
  connection.listen();
  try {
    const handshake = await connection.sendRequest(HandshakeRequest.type, {
      protocolVersion: AGENT_PROTOCOL_VERSION,
      client,
      clientVersion,
    });
    return {
      connection,
      handshake,
      dispose: () => {
        connection.dispose();
        socket.destroy();
      },
    };
  } catch (error) {
    connection.dispose();
    socket.destroy();
    throw error;
  }
}
