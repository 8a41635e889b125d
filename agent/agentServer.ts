import { chmodSync, statSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { SocketMessageReader, SocketMessageWriter, createMessageConnection } from 'vscode-jsonrpc/node';
import { describeError } from '../common/errors';
import { log } from './log';
import { registerHandlers, type AgentContext } from './rpcHandlers';

/**
 * The agent's listening side: a Unix socket (a named pipe on Windows) that only the user can reach. Each
 * accepted client gets its own JSON-RPC connection; a client that sends garbage or disconnects loses only
 * its own connection.
 */
export class AgentServer {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private nextClient = 1;

  constructor(
    private readonly socketPath: string,
    private readonly context: AgentContext,
  ) {
    this.server = createServer(socket => this.accept(socket));
  }

  async listen(): Promise<void> {
    if (process.platform !== 'win32') {
      assertPrivateDirectory(dirname(this.socketPath));
      removeStaleSocket(this.socketPath);
    }
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.socketPath, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    // The directory is already private; the socket's own mode is a second lock on the same door.
    if (process.platform !== 'win32') chmodSync(this.socketPath, 0o600);
  }

  /**
   * Stops listening, then gives connected clients up to `graceMillis` to read their last replies and
   * disconnect (a client that asked for shutdown disconnects once it has the answer) before cutting them off.
   */
  async close(graceMillis = 1000): Promise<void> {
    const closed = new Promise<void>(resolve => this.server.close(() => resolve()));
    const cutOff = setTimeout(() => this.sockets.forEach(socket => socket.destroy()), graceMillis);
    await closed;
    clearTimeout(cutOff);
  }

  private accept(socket: Socket): void {
    const id = `#${this.nextClient++}`;
    this.sockets.add(socket);
    const reader = new SocketMessageReader(socket);
    // vscode-jsonrpc re-arms a 10 s timer for as long as a message stays partial, and nothing clears it when the
    // socket closes: a probe killed mid-chunk left one behind for ever, which kept `icicle record` from exiting and
    // would tick in the agent for every such client. Nothing here listens for partial-message notifications.
    reader.partialMessageTimeout = 0;
    const connection = createMessageConnection(reader, new SocketMessageWriter(socket));
    const closed = registerHandlers(connection, this.context, id);
    connection.onError(([error]) => {
      // A client that goes away mid-message (a profiled program exiting) is not news; garbage is.
      const code = (error as NodeJS.ErrnoException).code;
      const gone = code === 'ECONNRESET' || code === 'EPIPE';
      log(gone ? 'debug' : 'warn', gone ? `client ${id} went away` : `client ${id} sent a message that could not be read (${describeError(error)}); closing its connection`);
      socket.destroy();
    });
    connection.onClose(() => {
      closed();
      this.sockets.delete(socket);
      connection.dispose();
      log('debug', `client ${id} disconnected`);
    });
    socket.on('error', error => log('debug', `client ${id} socket error: ${describeError(error)}`));
    connection.listen();
    log('debug', `client ${id} connected`);
  }
}

/** Refuses to listen in a directory that other users can enter, where they could reach the socket. */
function assertPrivateDirectory(directory: string): void {
  const stats = statSync(directory);
  if ((stats.mode & 0o077) !== 0 || (typeof process.getuid === 'function' && stats.uid !== process.getuid())) {
    throw new Error(`the socket directory ${directory} must belong to the user and have mode 0700`);
  }
}

function removeStaleSocket(path: string): void {
  try {
    if (statSync(path).isSocket()) unlinkSync(path);
  } catch {
    // Nothing there: the usual case.
  }
}
