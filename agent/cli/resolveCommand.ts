import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

/** Why a command cannot be run, in the words and with the exit code a shell uses (127 not found, 126 not runnable). */
export interface UnrunnableCommand {
  message: string;
  exitCode: 126 | 127;
}

/**
 * Finds COMMAND as a shell would, before anything is started: a name with a slash is that file, any other name is
 * looked up in PATH. Says why it cannot run (not found, a directory, not executable) or returns undefined when it
 * can, so `icicle record -- nonexistent` fails as a shell does rather than after perf or the store had started.
 */
export function unrunnableCommand(command: string, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): UnrunnableCommand | undefined {
  if (command === '') return { message: 'cannot run an empty command name', exitCode: 127 };
  if (command.includes('/') || (process.platform === 'win32' && command.includes('\\'))) {
    const problem = fileProblem(isAbsolute(command) ? command : resolve(cwd, command));
    if (problem === 'missing') return { message: `cannot run ${command}: there is no such file`, exitCode: 127 };
    return problem === undefined ? undefined : { message: `cannot run ${command}: ${problem}`, exitCode: 126 };
  }
  // Windows finds programs by their extensions too; leave it to the spawn there.
  if (process.platform === 'win32') return undefined;
  let found: string | undefined;
  for (const directory of (env['PATH'] ?? '').split(delimiter)) {
    const problem = fileProblem(join(directory === '' ? cwd : resolve(cwd, directory), command));
    if (problem === undefined) return undefined;
    // Like a shell, an executable later in PATH wins over a file that is not one; that file is the reason otherwise.
    if (problem !== 'missing' && found === undefined) found = problem;
  }
  return found === undefined ? { message: `cannot run ${command}: command not found`, exitCode: 127 } : { message: `cannot run ${command}: ${found}`, exitCode: 126 };
}

/** 'missing', a sentence saying why the file cannot be run, or undefined when it can. */
function fileProblem(path: string): string | undefined {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch {
    return 'missing';
  }
  if (isDirectory) return 'it is a directory';
  try {
    accessSync(path, constants.X_OK);
    return undefined;
  } catch {
    return 'it is not executable (permission denied)';
  }
}
