import type { main as mainFunction } from './main';
import { parseRecordArgs } from './recordOptions';
import { startRecording } from './recordStart';

/**
 * The `icicle` bin (out/agent/icicle.js): small, so that `icicle record` starts its program before the rest of the
 * command line (out/agent/icicleMain.js, main.ts: the store, the agent, the query engine) is compiled and set up,
 * which then happens while the program starts. Any other command, and any mistake in record's arguments, goes to
 * main.ts as it is.
 */
async function bin(argv: string[]): Promise<number> {
  const err = (line: string): void => void process.stderr.write(`${line}\n`);
  let started: Awaited<ReturnType<typeof startRecording>> | undefined;
  if (argv[0] === 'record') {
    try {
      const options = parseRecordArgs(argv.slice(1));
      if (options !== undefined) started = await startRecording(options, err);
    } catch {
      // Nothing was started: main.ts meets the same problem (a usage error, perf missing) and says it as it does
      // for every command.
      started = undefined;
    }
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { main } = require('./icicleMain.js') as { main: typeof mainFunction };
  return main(argv, started);
}

void bin(process.argv.slice(2)).then(code => {
  process.exitCode = code;
  // The command's work is done, its store closed and its output written (pipes and files are written synchronously
  // on Linux). A handle something forgot to close must not keep a shell or a CI job waiting for ever: the process
  // exits by itself when nothing is left, else this unref'd timer ends it, naming the handles with ICICLE_DEBUG=1.
  setTimeout(() => {
    if (process.env['ICICLE_DEBUG'] === '1') {
      const handles = (process as unknown as { _getActiveHandles(): object[] })._getActiveHandles().map(handle => handle.constructor.name);
      process.stderr.write(`icicle: still open after the command ended: ${handles.join(', ')}\n`);
    }
    process.exit(code);
  }, 2000).unref();
});
