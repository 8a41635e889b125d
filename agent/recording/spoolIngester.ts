import { watch, type FSWatcher } from 'node:fs';
import { mkdir, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describeError } from '../../common/errors';
import { IngestProfileRequest } from '../../common/protocol/agentProtocol';
import { SPOOL_SUFFIX, type IngestProfileParams } from '../../common/protocol/probeProtocol';
import { ProfileImportError } from '../import/importedProfile';
import { log } from '../log';

/**
 * Imports the chunks probes wrote to the spool directory (at their program's exit, or when the agent was away),
 * and deletes each once it is stored. Runs at start (chunks left while no agent ran), when the directory
 * changes, and every few seconds in case a change was missed. A file that is not a valid chunk is renamed to
 * `.bad` and logged, never retried forever and never deleted unread.
 */
export class SpoolIngester {
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private next: Promise<number> | undefined;

  constructor(
    private readonly directory: string,
    /** Stores one chunk (RecordingHub.ingest). */
    private readonly ingest: (params: IngestProfileParams) => Promise<unknown>,
  ) {}

  async start(pollMillis = 3000): Promise<void> {
    await mkdir(this.directory, { recursive: true, mode: 0o700 });
    try {
      this.watcher = watch(this.directory, () => void this.scan());
      this.watcher.on('error', () => undefined);
    } catch {
      // Some file systems cannot be watched; the timer still finds the chunks.
    }
    this.timer = setInterval(() => void this.scan(), pollMillis);
    this.timer.unref();
    await this.scan();
  }

  /**
   * Imports every spooled chunk; resolves with how many were imported. A call while a pass runs gets the pass
   * after it (shared by every such call): the running pass may have listed the directory before the caller's
   * chunks arrived, and `icicle record` closes the store once the scan after its program's exit resolves.
   */
  scan(): Promise<number> {
    if (this.running === undefined) {
      this.running = this.scanOnce().finally(() => {
        this.running = undefined;
      });
      return this.running;
    }
    this.next ??= this.running.then(() => {
      this.next = undefined;
      return this.scan();
    });
    return this.next;
  }

  stop(): void {
    this.watcher?.close();
    if (this.timer) clearInterval(this.timer);
  }

  private async scanOnce(): Promise<number> {
    let names: string[];
    try {
      names = (await readdir(this.directory)).filter(name => name.endsWith(SPOOL_SUFFIX)).sort();
    } catch {
      return 0;
    }
    let imported = 0;
    for (const name of names) {
      const path = join(this.directory, name);
      let params: IngestProfileRequest.Params;
      try {
        params = spooledChunk(JSON.parse(await readFile(path, 'utf8')));
      } catch (error) {
        // Gone already (another pass took it) or unreadable: set aside, say so once.
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        log('warn', `the spooled chunk ${name} is not readable (${describeError(error)}); it is kept as ${name}.bad`);
        await rename(path, `${path}.bad`).catch(() => undefined);
        continue;
      }
      try {
        await this.ingest(params);
        await unlink(path).catch(() => undefined);
        imported++;
      } catch (error) {
        if (error instanceof ProfileImportError) {
          log('warn', `the spooled chunk ${name} is not a profile Icicle reads (${error.message}); it is kept as ${name}.bad`);
          await rename(path, `${path}.bad`).catch(() => undefined);
          continue;
        }
        // Kept for the next pass: a full disk or a store problem may pass.
        log('warn', `the spooled chunk ${name} could not be stored (${describeError(error)}); it will be retried`);
      }
    }
    return imported;
  }
}

/**
 * A spooled chunk's parameters: as probes write them now (tagged with their format), or as probes wrote them before
 * the tag (LegacySpooledChunk: always V8's profile, as JSON text), so that chunks spooled before an upgrade are
 * still stored. Throws when the file is neither.
 */
export function spooledChunk(json: unknown): IngestProfileParams {
  const current = IngestProfileRequest.paramsSchema.safeParse(json);
  if (current.success) return current.data;
  const legacy = IngestProfileRequest.legacySpooledChunkSchema.safeParse(json);
  if (!legacy.success) throw new Error(current.error.issues[0]?.message ?? 'not a chunk');
  const { profile, ...info } = legacy.data;
  const converted = IngestProfileRequest.paramsSchema.safeParse({ format: 'v8', profile: JSON.parse(profile), ...info });
  if (!converted.success) throw new Error(converted.error.issues[0]?.message ?? 'not a chunk');
  return converted.data;
}
