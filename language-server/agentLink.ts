import { connectToAgent, type AgentConnection } from '../common/agentConnection';
import { SamplesStoredNotification } from '../common/protocol/agentProtocol';

/**
 * The language server's connection to the agent, made when first needed and made again after the agent restarts
 * (its socket path stays the same). While the agent is away, a timer keeps trying, so costs come back on their own.
 */
export class AgentLink {
  private current: Promise<AgentConnection> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(
    private readonly socketPath: string,
    private readonly version: string,
    private readonly events: { samplesStored(): void; reconnected(): void; log(message: string): void },
  ) {}

  /** The connection, connecting if there is none; rejects when the agent cannot be reached now. */
  connection(): Promise<AgentConnection> {
    if (this.disposed) return Promise.reject(new Error('the language server is stopping'));
    this.current ??= this.connect();
    return this.current;
  }

  private async connect(): Promise<AgentConnection> {
    try {
      const agent = await connectToAgent(this.socketPath, 'language-server', this.version, this.events.log);
      agent.onNotification(SamplesStoredNotification, () => this.events.samplesStored());
      agent.connection.onClose(() => this.lost());
      return agent;
    } catch (error) {
      this.lost();
      throw error;
    }
  }

  private lost(): void {
    this.current = undefined;
    if (this.disposed || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.connection().then(
        () => this.events.reconnected(),
        () => undefined,
      );
    }, 2000);
    this.retryTimer.unref();
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.retryTimer);
    void this.current?.then(agent => agent.dispose(), () => undefined);
    this.current = undefined;
  }
}
