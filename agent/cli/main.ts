import { EXPORT_FORMAT_IDS, EXPORT_FORMATS } from '../../common/exportFormats';
import type { ParseArgsConfig } from 'node:util';
import { describeError } from '../../common/errors';
import { userLabelKeyProblem } from '../../common/labelKeys';
import { READABLE_SENTENCE } from '../../common/profileFormats';
import { describeFileError } from '../fileErrors';
import { describeCliError, parseLabels, UsageError } from './cliErrors';
import { parseCommandArgs } from './cliOptions';
import { defaultStoreDirectory } from './defaultStoreDirectory';
import { DEFAULT_MIN_RUNS, DIFF_EXIT } from './diffGate';
import { MAX_STRING_CHARS } from './mcp/mcpLimits';
import { parseRecordArgs } from './recordOptions';
import type { StartedRecording } from './recordStart';
import { storeWaitOf, WAIT_OPTIONS, type StoreWait } from './storeWait';
import { terminalOutput } from './terminalOutput';

/**
 * The `icicle` command line: the agent's importers, exporters and queries over a store opened in this process.
 * Exit codes: 0 success, 1 a command failed (a file could not be imported, the store could not be read),
 * 2 usage errors; `diff` has its own (1 a regression, 3 too few runs, 4 could not compare). Errors go to stderr as sentences; stack traces only with ICICLE_DEBUG=1.
 */
const VERSION = process.env.ICICLE_VERSION ?? '0.0.0-dev';

/** What --wait does, for the help of every command that writes the store. */
const WAIT_HELP = `One process writes a store at a time (the editor's agent, another import):
--wait waits until the store is free, saying for whom it waits, instead of failing at once; --wait-timeout SECONDS
gives up after that long.`;

const HELP: Record<string, string> = {
  main: `usage: icicle <command> [options]

Commands:
  import FILE...   read profiles into the store
  top              the functions with the most self cost
  export           write a selection as ${EXPORT_FORMAT_IDS.join(', ')}
  labels [KEY]     the label keys in the store, or the values of KEY
  diff             compare two selections (branches) function by function; exit 1 on a regression
  record -- CMD... run a command with profiling and store what it did
  mcp              serve the store to coding agents (Model Context Protocol, stdio)

Every command takes --store DIR (default: ${defaultStoreDirectory()}, or $ICICLE_STORE)
and --help. icicle --version prints the version.`,
  import: `usage: icicle import FILE... [--store DIR] [--label key=value]... [--wait [--wait-timeout SECONDS]]

Reads each FILE into the store (gzipped or not), labelled source=<file name>, format=<format>,
profile_id=<content hash> and every --label. ${READABLE_SENTENCE}.
A file already in the store is not imported again. Lines or samples the file holds but Icicle cannot read are
skipped, and import says how many. ${WAIT_HELP}`,
  top: `usage: icicle top [--store DIR] [--where k=v]... [--type PROFILE_TYPE] [--by LABEL] [--limit N] [--json]

Lists the functions with the most self cost among the selected samples, with self and total value and percent,
file and line. --where takes k=v, k!=v, k=~regex, k!~regex or a selector like '{branch="main", pid!="3"}'.
--by LABEL lists instead the selection's total per value of the label (e.g. --by http_route: CPU time per request
route), largest first, the samples without it as (none), beyond --limit values the rest summed.`,
  export: `usage: icicle export --format ${EXPORT_FORMAT_IDS.join('|')} --out FILE|DIR [--store DIR] [--where k=v]... [--type PROFILE_TYPE]

Writes the selected samples in one of these formats (--out a FILE, or a DIR for the formats that write a folder):
${EXPORT_FORMAT_IDS.map(id => `  ${id.padEnd(10)} ${EXPORT_FORMATS[id].label} (${EXPORT_FORMATS[id].description})${EXPORT_FORMATS[id].writes === 'folder' ? ', --out DIR' : ''}`).join('\n')}
A folder format adds to DIR when DIR already holds its dataset, and exporting again adds only samples not yet there;
without --type it holds every profile type of the selection.`,
  record: `usage: icicle record [--store DIR] [--label key=value]... [--interval MICROSECONDS] [--allocations] [--limit N] [--wait [--wait-timeout SECONDS]] -- COMMAND [ARG]...

Runs COMMAND with every Node.js process it starts profiled in-process (the probe is loaded through NODE_OPTIONS,
so child processes are profiled too; one sample per --interval microseconds, default 1000), with --allocations
also its heap allocations (V8's sampling heap profiler, one sample per 512 KiB on average; the run then has the
type memory:alloc_space:bytes:space:bytes beside CPU time, for --type of top and diff), stores the samples
labelled session_id, pid, runtime, command, the git branch, commit and dirty state, and every --label, then prints
the top functions of the run. Exits with COMMAND's exit code; 127 when COMMAND is not found and 126 when it is not
executable, as a shell does. SIGINT, SIGTERM and SIGHUP reach COMMAND as under a shell; what it recorded until it
ended is stored, and the exit code is then 128 + the signal's number. A second SIGTERM kills COMMAND. ${WAIT_HELP}`,
  diff: `usage: icicle diff --base k=v... --head k=v... [--base-dataset DIR] [--threshold 5%] [--min-runs N] [--fdr 5%] [--format text|markdown|json] [--store DIR] [--type T] [--limit N]

Compares each function's self cost per run (where the time went; with --type another measure, such as the bytes it
allocated, memory:alloc_space:bytes:space:bytes) between the base and the head selections (e.g. --base branch=main
--head branch=feature), and marks a change significant only when it stands out from the run-to-run variation
(Welch's t-test; Benjamini–Hochberg, weighted by cost, across the functions big enough to change by 0.5% of a run;
at least that change); everything else is within noise. A run is a recorded session, else an imported profile file;
runs recorded in different checkouts name their files relative to each checkout. Exit codes: 1 a significant
regression larger than --threshold (default 5%); 3 too few runs to tell, fewer than --min-runs (default ${DEFAULT_MIN_RUNS})
on a side; 4 the comparison could not be made (the store or the --base-dataset could not be read); 0 none (within noise); 2 usage errors. --fdr sets the false discovery rate (default 5%: identical code
fails about 3 runs of the gate in 100; lower is stricter and finds less). --format markdown writes a table for a pull
request comment. --base-dataset DIR reads the base selection from a Parquet dataset (icicle export --format
parquet, e.g. CI's runs of the main branch) instead of the store; the head stays the store's, and functions meet
by name, file and definition. A missing, damaged or newer dataset exits 4.`,
  labels: `usage: icicle labels [KEY] [--store DIR] [--json]

Without KEY, lists the label keys in the store; with KEY, the values of that label.`,
  mcp: `usage: icicle mcp [--store DIR] [--allow-record]

Serves the store to a coding agent as a Model Context Protocol server on stdin and stdout (configure the agent to
run \`icicle mcp --store DIR\`). Its tools: list_runs (runs and label values), top_functions (as top), hot_lines (a
file's lines by cost), callers_callees (a function's callers and callees), compare (as diff: regressions beyond
noise). It reads the store read-only; --allow-record adds a record tool, which runs commands as record does.
Names from profiled programs reach the agent as quoted data, cut to ${MAX_STRING_CHARS} characters. Logs go to stderr.`,
};

async function run(argv: string[], out: (line: string) => void, err: (line: string) => void, started: StartedRecording | number | undefined): Promise<number> {
  const [command, ...rest] = argv;
  // Each command's module is imported when the command runs, so a command evaluates only what it uses: `icicle
  // record` starts its program without the query engine's statistics or the exporters being set up first.
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    out(HELP[rest[0] ?? 'main'] ?? HELP['main']!);
    return command === undefined ? 2 : 0;
  }
  if (command === '--version') {
    out(VERSION);
    return 0;
  }
  if (!(command in HELP) || command === 'main') throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  const parse = <O extends ParseArgsConfig['options']>(options: O) => parseCommandArgs(command, rest, options);
  switch (command) {
    case 'import': {
      const { values, positionals } = parse({ label: { type: 'string', multiple: true }, ...WAIT_OPTIONS });
      if (values.help) return help(command, out);
      if (positionals.length === 0) throw new UsageError('import needs at least one FILE', command);
      const wait = waitOf(values, command);
      return (await import('./importCommand')).importCommand({ store: values.store ?? defaultStoreDirectory(), files: positionals, labels: parseLabels(values.label ?? [], command), wait }, out, err);
    }
    case 'top': {
      const { values, positionals } = parse({
        where: { type: 'string', multiple: true },
        type: { type: 'string' },
        limit: { type: 'string' },
        json: { type: 'boolean' },
        by: { type: 'string' },
      });
      if (values.help) return help(command, out);
      noPositionals(command, positionals);
      const limit = values.limit === undefined ? 20 : Number(values.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit must be a positive whole number', command);
      const byProblem = values.by === undefined ? undefined : userLabelKeyProblem(values.by);
      if (byProblem !== undefined) throw new UsageError(`--by: ${byProblem}`, command);
      const by = values.by !== undefined ? { by: values.by } : {};
      return (await import('./topCommand')).topCommand({ store: values.store ?? defaultStoreDirectory(), where: values.where ?? [], type: values.type, limit, json: values.json ?? false, ...by }, out);
    }
    case 'export': {
      const { values, positionals } = parse({ where: { type: 'string', multiple: true }, type: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' } });
      if (values.help) return help(command, out);
      noPositionals(command, positionals);
      if (!values.format || !values.out) throw new UsageError('export needs --format and --out', command);
      return (await import('./exportCommand')).exportCommand({ store: values.store ?? defaultStoreDirectory(), where: values.where ?? [], type: values.type, format: values.format, out: values.out }, err);
    }
    case 'record': {
      const options = parseRecordArgs(rest);
      if (options === undefined) return help(command, out);
      return (await import('./recordCommand')).recordCommand(options, out, err, started);
    }
    case 'diff': {
      const { values, positionals } = parse({
        base: { type: 'string', multiple: true },
        head: { type: 'string', multiple: true },
        threshold: { type: 'string' },
        format: { type: 'string' },
        type: { type: 'string' },
        limit: { type: 'string' },
        'min-runs': { type: 'string' },
        fdr: { type: 'string' },
        'base-dataset': { type: 'string' },
      });
      if (values.help) return help(command, out);
      noPositionals(command, positionals);
      const minRuns = values['min-runs'] === undefined ? DEFAULT_MIN_RUNS : Number(values['min-runs']);
      if (!Number.isInteger(minRuns) || minRuns < 2) throw new UsageError('--min-runs must be a whole number, at least 2 (one run a side has no spread to test against)', command);
      const fdr = values.fdr === undefined ? 5 : Number(values.fdr.replace(/%$/, ''));
      if (!Number.isFinite(fdr) || fdr <= 0 || fdr >= 100) throw new UsageError('--fdr must be a percentage between 0 and 100, like 5%', command);
      const threshold = values.threshold === undefined ? 5 : Number(values.threshold.replace(/%$/, ''));
      if (!Number.isFinite(threshold) || threshold < 0) throw new UsageError('--threshold must be a percentage like 5%', command);
      const format = values.format ?? 'text';
      if (format !== 'text' && format !== 'markdown' && format !== 'json') throw new UsageError('--format must be text, markdown or json', command);
      const limit = values.limit === undefined ? 20 : Number(values.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit must be a positive whole number', command);
      return (await import('./diffCommand')).diffCommand({ store: values.store ?? defaultStoreDirectory(), base: values.base ?? [], head: values.head ?? [], threshold, format, type: values.type, limit, minRuns, fdr: fdr / 100, ...(values['base-dataset'] === undefined ? {} : { baseDataset: values['base-dataset'] }) }, out);
    }
    case 'labels': {
      const { values, positionals } = parse({ json: { type: 'boolean' } });
      if (values.help) return help(command, out);
      if (positionals.length > 1) throw new UsageError('labels takes at most one KEY', command);
      return (await import('./labelsCommand')).labelsCommand({ store: values.store ?? defaultStoreDirectory(), key: positionals[0], json: values.json ?? false }, out);
    }
    case 'mcp': {
      const { values, positionals } = parse({ 'allow-record': { type: 'boolean' } });
      if (values.help) return help(command, out);
      noPositionals(command, positionals);
      return (await import('./mcp/mcpCommand')).mcpCommand({ store: values.store ?? defaultStoreDirectory(), allowRecord: values['allow-record'] ?? false, version: VERSION }, err);
    }
  }
  throw new UsageError(`unknown command ${JSON.stringify(command)}`);
}

function help(command: string, out: (line: string) => void): number {
  out(HELP[command]!);
  return 0;
}

function waitOf(values: { wait?: boolean; 'wait-timeout'?: string }, command: string): StoreWait {
  const wait = storeWaitOf(values);
  if ('problem' in wait) throw new UsageError(wait.problem, command);
  return wait;
}

function noPositionals(command: string, positionals: string[]): void {
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`, command);
}

/** Runs one command; `started` is the program `icicle record` started before this module was loaded (icicle.ts). */
export async function main(argv: string[], started?: StartedRecording | number): Promise<number> {
  let lostOutput: NodeJS.ErrnoException | undefined;
  const out = terminalOutput(process.stdout, error => (lostOutput ??= error));
  // Nothing is left to tell when stderr itself fails.
  const err = terminalOutput(process.stderr, () => undefined);
  try {
    const code = await run(argv, out, err, started);
    // Output that could not be written fails the command, once the write's error has arrived.
    await new Promise(resolve => setImmediate(resolve));
    if (lostOutput === undefined) return code;
    err(`icicle: ${describeFileError(lostOutput, 'the output') ?? `Could not write the output: ${describeError(lostOutput)}.`}`);
    return code === 0 ? 1 : code;
  } catch (error) {
    if (error instanceof UsageError) {
      err(`icicle: ${error.message}`);
      err(error.command ? `Run icicle ${error.command} --help for its usage.` : 'Run icicle --help for the commands.');
      return 2;
    }
    err(`icicle: ${describeCliError(error)}`);
    if (process.env['ICICLE_DEBUG'] === '1' && error instanceof Error) err(error.stack ?? '');
    // diff's exit 1 means a regression: a CI gate must not read an unreadable store as one.
    return argv[0] === 'diff' ? DIFF_EXIT.couldNotCompare : 1;
  }
}

// Run as a program (from the sources, through tsx); the bin (icicle.ts) calls main itself.
if (require.main === module) {
  void main(process.argv.slice(2)).then(code => {
    process.exitCode = code;
  });
}
