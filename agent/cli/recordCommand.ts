import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ALLOCATED_BYTES_PROFILE_TYPE } from '../../common/profileTypes';
import type { Store } from '../../storage/store';
import { perfScriptText } from '../collectors/perfCollector';
import { setLogLevel } from '../log';
import { RecordAgent } from './recordAgent';
import type { RecordOptions } from './recordOptions';
import { startRecording, type StartedRecording } from './recordStart';
import { profileTypes } from '../queries/selectionProfileTypes';
import { parseWhere } from './queryContext';
import { topOfSource } from './topCommand';
import { openWritableStore } from './writableStore';

/**
 * Samples stay in the store's log when `icicle record` ends unless its active part has grown past this: writing
 * a Parquet block costs more than a short run being measured (the block worker loads parquet-wasm), while the next
 * open replays the log (about 3 ms of CPU per megabyte of active part, so at most about 12 ms here).
 */
export const RECORD_FLUSH_BYTES = 4 * 1024 * 1024;

/**
 * `icicle record -- COMMAND...`: runs a Node.js command (node, npm, npx...) with the probe loaded into every Node
 * process it starts (NODE_OPTIONS, so child processes too), served by an agent inside this process on a private
 * socket; runs any other command under `perf record -g`, which follows its child processes. Stores every chunk
 * labelled with a new `session_id`, the git state and the caller's labels, and prints the top functions of the run.
 * Exits with the command's exit code (126 or 127 when it cannot be run, as a shell does).
 *
 * The program starts first (recordStart.ts; the bin starts it before loading this module), and the store and the
 * agent are opened while it starts: a probe that finds no socket yet sends its chunks later or spools them at exit.
 * SIGINT, SIGTERM and SIGHUP reach the command as they would under a shell (signalForwarding.ts); the command is
 * waited for, what it recorded up to then is stored, the temporary folder removed, and the exit code is the
 * command's, or 128 + the signal that ended it.
 */
export async function recordCommand(
  options: RecordOptions,
  out: (line: string) => void,
  err: (line: string) => void,
  alreadyStarted?: StartedRecording | number,
): Promise<number> {
  // The embedded agent speaks up only for problems; the command's own output is what the user is watching.
  setLogLevel('warn');
  const started = alreadyStarted ?? (await startRecording(options, err));
  if (typeof started === 'number') return started;
  try {
    let store: Store;
    let agent: RecordAgent;
    try {
      store = await openWritableStore(options.store, `icicle record (pid ${process.pid})`, options.wait, err);
    } catch (error) {
      // The program runs on (it is the user's); it is waited for, and then the reason it was not recorded is said.
      await started.exited;
      throw error;
    }
    try {
      try {
        agent = await RecordAgent.start(store, started.directory, await started.git, err);
      } catch (error) {
        await started.exited;
        throw error;
      }
      const exitCode = await started.exited;
      await storeRun(started, agent, options, err);
      err(`icicle: recorded session_id=${started.labels['session_id']} into ${options.store}`);
      // The top of the run from the store this process holds open: opening it again would replay its log.
      const snapshot = store.snapshot();
      try {
        const where = [`session_id=${started.labels['session_id']}`];
        await topOfSource(snapshot, { where, type: undefined, limit: options.limit, json: false }, out);
        // With --allocations, the functions that allocated most follow those that ran most (a Node.js run only). A
        // run that allocated less than the sampling interval has no sample of them.
        if (options.allocations && started.node) {
          const types = await profileTypes(snapshot, { matchers: parseWhere(where) });
          if (types.includes(ALLOCATED_BYTES_PROFILE_TYPE)) await topOfSource(snapshot, { where, type: ALLOCATED_BYTES_PROFILE_TYPE, limit: options.limit, json: false }, out);
          else err('icicle: no allocation was sampled: the run allocated less than the sampling interval (512 KiB on average)');
        }
      } finally {
        snapshot.release();
      }
      return exitCode;
    } finally {
      await store.close({ flush: store.stats().activeBytes > RECORD_FLUSH_BYTES });
    }
  } finally {
    started.signals.dispose();
    rmSync(started.directory, { recursive: true, force: true });
  }
}

/** Stores what perf recorded of a native program, and what the probes spooled as their processes exited. */
async function storeRun(started: StartedRecording, agent: RecordAgent, options: RecordOptions, err: (line: string) => void): Promise<void> {
  try {
    if (!started.node) {
      const text = await perfScriptText(join(started.directory, 'perf.data'), message => err(`icicle: ${message}`));
      // The agent adds the git labels, as it does to the probes' chunks.
      const labels = { ...started.labels, runtime: 'native', command: options.command.join(' ').slice(0, 200) };
      if (text.trim() !== '') await agent.ingest({ format: 'perf', text, startMs: started.startMs, labels, droppedChunks: 0 });
    }
  } finally {
    await agent.finish();
  }
}
