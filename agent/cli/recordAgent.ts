import { join } from 'node:path';
import { describeError } from '../../common/errors';
import type { IngestProfileParams } from '../../common/protocol/probeProtocol';
import type { Store } from '../../storage/store';
import { AgentServer } from '../agentServer';
import { ScrapeManager } from '../collectors/scrapeManager';
import { RecordingHub } from '../recording/recordingHub';
import { SpoolIngester } from '../recording/spoolIngester';
import { DatasetSources } from '../dataset/datasetSources';

/**
 * The agent `icicle record` runs inside itself: its socket for the probes (`agent.sock`) and their spool folder
 * (`spool/`) in the run's private folder. recordCommand.ts imports it once the program has started, so that loading
 * the agent's modules overlaps the program's start; a probe that finds no socket yet sends its chunks later or
 * spools them at exit, and both reach the store.
 */
export class RecordAgent {
  private constructor(
    private readonly recordings: RecordingHub,
    private readonly spool: SpoolIngester,
    private readonly server: AgentServer | undefined,
  ) {}

  /** Listens and watches the spool; a socket that cannot be made is said, and the spool still takes the chunks. */
  static async start(store: Store, directory: string, gitLabels: Record<string, string>, err: (line: string) => void): Promise<RecordAgent> {
    const recordings = new LabellingRecordingHub(store, gitLabels);
    const spool = new SpoolIngester(join(directory, 'spool'), params => recordings.ingest(params));
    let server: AgentServer | undefined = new AgentServer(join(directory, 'agent.sock'), {
      version: process.env.ICICLE_VERSION ?? '0.0.0-dev',
      startedAt: Date.now(),
      store,
      storeProblem: undefined,
      recordings,
      spool,
      scrapers: new ScrapeManager(recorded => recordings.ingestRecorded(recorded), message => err(`icicle: ${message}`)),
      sources: new DatasetSources(),
      shutdown: () => undefined,
    });
    try {
      await server.listen();
    } catch (error) {
      err(`icicle: the probe's socket could not be opened (${describeError(error)}); the samples are taken when the program exits`);
      server = undefined;
    }
    try {
      await spool.start();
    } catch (error) {
      await server?.close(0);
      throw error;
    }
    return new RecordAgent(recordings, spool, server);
  }

  /** Stores a recorded profile (perf's, of a native program) as the probes' chunks are stored. */
  ingest(params: IngestProfileParams): Promise<unknown> {
    return this.recordings.ingest(params);
  }

  /** Takes in what the probes spooled as their processes exited, then stops listening. */
  async finish(): Promise<void> {
    try {
      await this.spool.scan();
    } finally {
      this.spool.stop();
      await this.server?.close(0);
    }
  }
}

/**
 * Adds the run's git labels to every chunk: the program was started before git had answered, so its probes do not
 * carry them. A label the chunk has (the caller's `--label branch=...`) wins.
 */
class LabellingRecordingHub extends RecordingHub {
  constructor(
    store: Store,
    private readonly labels: Record<string, string>,
  ) {
    super(store);
  }

  override ingest(params: IngestProfileParams): ReturnType<RecordingHub['ingest']> {
    return super.ingest({ ...params, labels: { ...this.labels, ...params.labels } });
  }
}
