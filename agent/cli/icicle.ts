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
});
