import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import * as vscode from 'vscode';
import { connectToAgent, type AgentConnection } from '../common/agentConnection';
import { describeError } from '../common/errors';
import { RecordingEndedNotification, SamplesStoredNotification, ShutdownRequest, StoreProblemNotification } from '../common/protocol/agentProtocol';
import type { Log } from './log';
import { RestartPolicy } from './restartPolicy';
import { showWarning } from './userMessages';

const READY_TIMEOUT_MILLIS = 15_000;

/**
 * Starts the agent process, connects to it over its private socket, and keeps it alive: when it dies
 * unexpectedly the supervisor restarts it with backoff, tells the user once, and callers waiting for a
 * connection get the new one. The extension host never waits on the agent except through `connection()`.
 */
export class AgentSupervisor implements vscode.Disposable {
  private child: ChildProcess | undefined;
  private current: Promise<AgentConnection> | undefined;
  private readonly policy = new RestartPolicy();
  private restartTimer: NodeJS.Timeout | undefined;
  private disposed = false;
  private readonly socketDir = mkdtempSync(join(tmpdir(), 'icicle-')); // mode 0700: only this user enters.
  private readonly onDidRestartEmitter = new vscode.EventEmitter<void>();
  /** Fires after the agent has been restarted, so views can reload what they show. */
  readonly onDidRestart = this.onDidRestartEmitter.event;
  private readonly onDidStoreSamplesEmitter = new vscode.EventEmitter<SamplesStoredNotification.Params>();
  /** Fires when the agent has stored samples a probe recorded, whichever agent process it is. */
  readonly onDidStoreSamples = this.onDidStoreSamplesEmitter.event;
  private readonly onDidEndRecordingEmitter = new vscode.EventEmitter<RecordingEndedNotification.Params>();
  /** Fires when a recording the agent ran itself (perf on a process) has ended. */
  readonly onDidEndRecording = this.onDidEndRecordingEmitter.event;
  private readonly onDidChangeStoreProblemEmitter = new vscode.EventEmitter<string | undefined>();
  /** The store started refusing writes (the reason in words) or writes again (undefined). */
  readonly onDidChangeStoreProblem = this.onDidChangeStoreProblemEmitter.event;
  /**
   * Where profiled programs find the agent: the socket (the same path across restarts, so a program started
   * before a restart reaches the new agent) and the spool directory beside it, which the agent imports.
   */
  readonly socketPath = process.platform === 'win32' ? `\\\\.\\pipe\\icicle-${process.pid}-${Date.now()}` : join(this.socketDir, 'agent.sock');
  readonly spoolDirectory = join(this.socketDir, 'spool');
  /** The store the current (or last) agent was started with. */
  storeDirectory = '';

  constructor(
    private readonly agentModule: string,
    private readonly version: string,
    private readonly log: Log,
    /** The store directory VS Code gives this workspace, used unless the icicle.store.directory setting names another. */
    private readonly defaultStoreDirectory: string,
  ) {}

  /** The live connection, starting the agent if it is not running. */
  connection(): Promise<AgentConnection> {
    this.current ??= this.start();
    return this.current;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Stops the agent (if running) and starts a fresh one, e.g. from the "Restart" command. */
  async restart(): Promise<void> {
    this.policy.reset();
    await this.stop();
    await this.connection();
  }

  private async start(): Promise<AgentConnection> {
    const socketPath = this.socketPath;
    const level = vscode.workspace.getConfiguration('icicle').get<string>('agent.logLevel', 'info');
    const settings = vscode.workspace.getConfiguration('icicle');
    const storeDirectory = settings.get<string>('store.directory', '') || this.defaultStoreDirectory;
    this.storeDirectory = storeDirectory;
    const args = [this.agentModule, '--socket', socketPath, '--store', storeDirectory, '--spool', this.spoolDirectory, '--log-level', level];
    args.push('--retention-days', String(settings.get<number>('store.retentionDays', 30)));
    args.push('--max-store-mb', String(settings.get<number>('store.maxSizeMegabytes', 2048)));
    const child = spawn(process.execPath, args, {
      // In desktop VS Code the extension host's executable is Electron; this makes it behave as Node.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    this.child = child;
    const startedAt = Date.now();
    createInterface({ input: child.stderr! }).on('line', line => this.log.info(line));
    child.on('exit', (code, signal) => this.onExit(child, code, signal, Date.now() - startedAt));

    try {
      await this.waitForReady(child);
      const agent = await connectToAgent(socketPath, 'extension', this.version, message => this.log.warn(message));
      this.log.info(`connected to agent ${agent.handshake.agentVersion} (pid ${agent.handshake.pid})`);
      agent.connection.onClose(() => this.log.debug('agent connection closed'));
      agent.onNotification(SamplesStoredNotification, params => this.onDidStoreSamplesEmitter.fire(params));
      agent.onNotification(RecordingEndedNotification, params => this.onDidEndRecordingEmitter.fire(params));
      agent.onNotification(StoreProblemNotification, params => this.onDidChangeStoreProblemEmitter.fire(params.problem));
      return agent;
    } catch (error) {
      this.log.error(`the agent did not start: ${describeError(error)}`);
      child.kill();
      this.current = undefined;
      throw new Error(`Icicle's agent did not start (${describeError(error)}). See the Icicle output for details.`, { cause: error });
    }
  }

  private waitForReady(child: ChildProcess): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer within ${READY_TIMEOUT_MILLIS / 1000} s`)), READY_TIMEOUT_MILLIS);
      createInterface({ input: child.stdout! }).once('line', line => {
        clearTimeout(timer);
        try {
          if (JSON.parse(line).ready === true) return resolve();
        } catch {
          // Fall through to the rejection below.
        }
        reject(new Error(`unexpected first line from the agent: ${line.slice(0, 200)}`));
      });
      child.once('exit', code => {
        clearTimeout(timer);
        reject(new Error(`it exited with code ${code}`));
      });
      child.once('error', error => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null, uptimeMillis: number): void {
    if (child !== this.child) return; // An old process that was replaced on purpose.
    this.child = undefined;
    const previous = this.current;
    this.current = undefined;
    void previous?.then(agent => agent.dispose(), () => undefined);
    if (this.disposed) return;
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    const decision = this.policy.onUnexpectedExit(uptimeMillis);
    this.log.warn(`the agent ${how} after ${Math.round(uptimeMillis / 1000)} s`);
    if (decision.delayMillis === undefined) {
      this.log.error('the agent keeps failing; not restarting it again');
      void showWarning("Icicle's agent keeps stopping, so Icicle has stopped restarting it. See the Icicle output for why.", 'Restart', 'Show Log').then(
        choice => {
          if (choice === 'Restart') void this.restart();
          if (choice === 'Show Log') this.log.show();
        },
      );
      return;
    }
    if (decision.tellUser) {
      void showWarning(`Icicle's agent stopped unexpectedly (it ${how}); restarting it. Details are in the Icicle output.`);
    }
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.disposed) return;
      this.connection().then(
        () => this.onDidRestartEmitter.fire(),
        error => this.log.error(describeError(error)),
      );
    }, decision.delayMillis);
  }

  private async stop(): Promise<void> {
    clearTimeout(this.restartTimer);
    const child = this.child;
    const current = this.current;
    // Forgetting the child first marks its exit as expected, so onExit does not restart it.
    this.child = undefined;
    this.current = undefined;
    if (!child) return;
    const exited = new Promise<void>(resolve => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));
    try {
      const agent = await current;
      if (agent) {
        await Promise.race([agent.request(ShutdownRequest), new Promise(r => setTimeout(r, 2000))]);
        agent.dispose();
      }
    } catch {
      // The agent is already gone or unresponsive; it is killed below.
    }
    const killTimer = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.kill('SIGTERM');
    await exited;
    clearTimeout(killTimer);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await this.stop();
    this.onDidRestartEmitter.dispose();
    this.onDidStoreSamplesEmitter.dispose();
    this.onDidEndRecordingEmitter.dispose();
    this.onDidChangeStoreProblemEmitter.dispose();
    rmSync(this.socketDir, { recursive: true, force: true });
  }
}
