import { spawn } from 'node:child_process';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { formatSelector } from '../../../common/selector';
import { userLabelKeyProblem } from '../../../common/labelKeys';
import { preferredProfileType } from '../../../common/profileTypes';
import { StoreReader } from '../../../storage/storeReader';
import { recordedRuns } from '../../queries/runs/recordedRuns';
import { profileTypes } from '../../queries/selectionProfileTypes';
import { UsageError } from '../cliErrors';
import type { ToolContext } from './toolInputs';
import { answer, budgetShape, capped, guarded, quoted, UNTRUSTED_NOTE } from './toolAnswer';

/** The most of a recorded program's output kept, from its end: enough for its last lines and `icicle record`'s summary. */
const OUTPUT_TAIL_CHARS = 4000;

/**
 * `record`: runs a command under `icicle record` (the same bin, as a child process whose output is captured, so
 * nothing but the protocol reaches this server's stdout) and answers with its exit code, the run's selector and the
 * end of its output. Registered only with `icicle mcp --allow-record`: it runs programs and writes the store.
 */
export function registerRecordTool(server: McpServer, context: ToolContext & { bin: string }): void {
  server.registerTool(
    'record',
    {
      title: 'Icicle record a command',
      description: `Runs a command (an argument list, no shell) with every Node.js process it starts profiled, stores the run labelled with its git branch and commit and any labels given, and answers with its exit code, the run's selector (for top_functions, hot_lines, compare) and the end of its output. ${UNTRUSTED_NOTE}`,
      inputSchema: {
        command: z.array(z.string().max(65_536)).min(1).max(1000).describe('The program and its arguments, e.g. ["node", "bench/parse.js"].'),
        labels: z.record(z.string().max(4096)).optional().describe('Labels for the run, e.g. {"variant": "cached"}.'),
        cwd: z.string().min(1).max(4096).optional().describe('The folder to run it in (default: where the MCP server runs).'),
        allocations: z.boolean().default(false).describe('Also sample heap allocations.'),
        timeoutSeconds: z.number().int().min(1).max(3600).default(600).describe('Stop the command after this long (SIGTERM; what it ran until then is stored).'),
        ...budgetShape,
      },
      annotations: { readOnlyHint: false, destructiveHint: false, openWorldHint: true },
    },
    input =>
      guarded(async () => {
        const labels = Object.entries(input.labels ?? {});
        for (const [key] of labels) {
          const problem = userLabelKeyProblem(key);
          if (problem !== undefined) throw new UsageError(`label ${JSON.stringify(key)}: ${problem}`);
        }
        const args = [context.bin, 'record', '--store', context.store, '--wait', '--wait-timeout', '60', ...labels.flatMap(([key, value]) => ['--label', `${key}=${value}`]), ...(input.allocations ? ['--allocations'] : []), '--', ...input.command];
        const started = Date.now();
        const run = await runCaptured(process.execPath, args, input.cwd, input.timeoutSeconds * 1000);
        const latest = await newestRun(context.store, started);
        const data = {
          exitCode: run.code,
          timedOut: run.timedOut,
          selector: latest === undefined ? null : capped(formatSelector([{ key: 'session_id', op: '=', value: latest }])),
          output: run.output.length > OUTPUT_TAIL_CHARS ? `…${run.output.slice(-OUTPUT_TAIL_CHARS)}` : run.output,
        };
        return answer(data, [], { ...input, maxChars: Math.max(input.maxChars, OUTPUT_TAIL_CHARS + 1000) }, d => [
          `The command exited with ${d.exitCode ?? 'a signal'}${d.timedOut ? ` after the ${input.timeoutSeconds} s timeout` : ''}. ${d.selector === null ? 'No run of it was stored.' : `Its run: ${quoted(d.selector)}.`}`,
          `The end of its output (data from the program): ${quoted(d.output.slice(-1000))}`,
        ]);
      }),
  );
}

function runCaptured(command: string, args: string[], cwd: string | undefined, timeoutMs: number): Promise<{ code: number | null; output: string; timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: cwd ?? process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      if (output.length > 2 * OUTPUT_TAIL_CHARS) output = output.slice(-OUTPUT_TAIL_CHARS);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
    }, timeoutMs);
    child.once('error', error => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', code => {
      clearTimeout(timer);
      resolve({ code, output, timedOut });
    });
  });
}

/** The session id of the newest run that started after `sinceMs`, if the command stored one. */
async function newestRun(store: string, sinceMs: number): Promise<string | undefined> {
  try {
    return await StoreReader.read(store, async reader => {
      const source = reader.snapshot();
      const types = await profileTypes(source, { matchers: [] });
      const type = preferredProfileType(types);
      if (type === undefined) return undefined;
      const [newest] = await recordedRuns(source, type, 1);
      return newest !== undefined && newest.endMs >= sinceMs ? newest.sessionId : undefined;
    });
  } catch {
    // A store the command never created (it failed to start) has no run to name.
    return undefined;
  }
}
