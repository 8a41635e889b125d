import { createServer, type Server, type Socket } from 'node:net';
import { SocketMessageReader, SocketMessageWriter, createMessageConnection, type MessageConnection } from 'vscode-jsonrpc/node';
import { HandshakeRequest } from '../../common/protocol/agentProtocol';
import { AGENT_PROTOCOL_VERSION } from '../../common/version';

/**
 * A stand-in for the agent on a real Unix socket, speaking JSON-RPC through vscode-jsonrpc, that answers requests with
 * whatever a test gives it: only for the malformed answers and notifications a real agent never sends. It answers the
 * handshake as the agent does unless `answers` says otherwise.
 */
export class FakeAgent {
  private readonly sockets = new Set<Socket>();
  readonly connections: MessageConnection[] = [];

  private constructor(private readonly server: Server) {}

  /** `answers`: per method, the raw answer to send back (checked by nothing). */
  static async listen(socketPath: string, answers: Record<string, unknown>): Promise<FakeAgent> {
    const fake: FakeAgent = new FakeAgent(
      createServer(socket => {
        fake.sockets.add(socket);
        const connection = createMessageConnection(new SocketMessageReader(socket), new SocketMessageWriter(socket));
        connection.onRequest((method: string) => {
          if (method in answers) return answers[method];
          if (method === HandshakeRequest.method) return { protocolVersion: AGENT_PROTOCOL_VERSION, agentVersion: 'fake', pid: process.pid };
          return null;
        });
        connection.onClose(() => fake.sockets.delete(socket));
        socket.on('error', () => undefined);
        connection.listen();
        fake.connections.push(connection);
      }),
    );
    await new Promise<void>((resolve, reject) => {
      fake.server.once('error', reject);
      fake.server.listen(socketPath, resolve);
    });
    return fake;
  }

  async close(): Promise<void> {
    for (const connection of this.connections) connection.dispose();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>(resolve => this.server.close(() => resolve()));
  }
}
