import { connect } from 'node:net';
import type { Disposable, NotificationType, RequestType, RequestType0 } from 'vscode-jsonrpc';
import { SocketMessageReader, SocketMessageWriter, createMessageConnection, type MessageConnection } from 'vscode-jsonrpc/node';
import { HandshakeRequest, type AgentNotification, type AgentRequest, type ResultOf } from './protocol/agentProtocol';
import { describeIssue } from './protocol/answerSchemas';
import { AGENT_PROTOCOL_VERSION } from './version';

/** The parameters a client sends with a request: none for a request declared without any. */
type SentParams<R extends AgentRequest> = R['type'] extends RequestType<infer P, unknown, unknown> ? [params: P] : [];
type NotificationParams<N extends AgentNotification> = N['type'] extends NotificationType<infer P> ? P : never;

export interface AgentConnection {
  /** The raw connection, for its events (`onClose`); requests and notifications go through the two methods below. */
  readonly connection: MessageConnection;
  readonly handshake: HandshakeRequest.Result;
  /**
   * Sends a request and checks the answer against the request's answer schema (agentProtocol.ts): a malformed answer
   * rejects with a sentence that names the request and the first problem, and is logged.
   */
  request<R extends AgentRequest>(request: R, ...params: SentParams<R>): Promise<ResultOf<R>>;
  /** Hears one of the agent's notifications; one whose parameters do not match its schema is logged and dropped. */
  onNotification<N extends AgentNotification>(notification: N, handler: (params: NotificationParams<N>) => void): Disposable;
  dispose(): void;
}

/**
 * Connects to a running agent's socket and performs the versioned handshake. Used by every client of the
 * agent (the extension, the language server, the command line, tests), so all of them connect the same way and
 * check the agent's answers in this one place. `log` hears what the agent sent malformed.
 */
export async function connectToAgent(
  socketPath: string,
  client: HandshakeRequest.Params['client'],
  clientVersion: string,
  log: (message: string) => void = () => undefined,
): Promise<AgentConnection> {
  const socket = connect(socketPath);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const reader = new SocketMessageReader(socket);
  // An agent killed mid-answer would leave vscode-jsonrpc's partial-message timer ticking for ever (agentServer.ts).
  reader.partialMessageTimeout = 0;
  const connection = createMessageConnection(reader, new SocketMessageWriter(socket));
  // vscode-jsonrpc leaves requests pending when the other side goes away, until the connection is disposed; an
  // agent killed mid-request must fail them at once, so that the caller retries or reports instead of waiting.
  socket.once('close', () => connection.dispose());
  connection.listen();
  const request = async <R extends AgentRequest>(declared: R, ...params: SentParams<R>): Promise<ResultOf<R>> => {
    const type = declared.type as RequestType<unknown, unknown, unknown>;
    const raw: unknown = params.length ? await connection.sendRequest(type, params[0]) : await connection.sendRequest(declared.type as RequestType0<unknown, unknown>);
    const answer = declared.resultSchema.safeParse(raw);
    if (answer.success) return answer.data as ResultOf<R>;
    const message = `Icicle's agent answered ${declared.method} with something malformed (${describeIssue(answer.error)}).`;
    log(message);
    throw new Error(message);
  };
  const onNotification = <N extends AgentNotification>(notification: N, handler: (params: NotificationParams<N>) => void): Disposable =>
    connection.onNotification(notification.type as NotificationType<unknown>, raw => {
      const params = notification.paramsSchema.safeParse(raw);
      if (params.success) handler(params.data as NotificationParams<N>);
      else log(`Icicle's agent sent a malformed ${notification.method} notification (${describeIssue(params.error)}); it was ignored.`);
    });
  try {
    const handshake = await request(HandshakeRequest, { protocolVersion: AGENT_PROTOCOL_VERSION, client, clientVersion });
    return {
      connection,
      handshake,
      request,
      onNotification,
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
