import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The demo program: `parse` and `render` cost 150 ms of their own each; `slow` costs `slowMs`. */
export function demoProgram(slowMs: number): string {
  const busy = (ms: number) => `const end = Date.now() + ${ms}; let x = 0; while (Date.now() < end) for (let i = 0; i < 1000; i++) x += Math.sqrt(i); return x;`;
  return `'use strict';\nfunction parse() { ${busy(150)} }\nfunction render() { ${busy(150)} }\nfunction slow() { ${busy(slowMs)} }\nconsole.log(parse() + render() + slow());\n`;
}

/**
 * A git repository in `directory` with two branches: `main`, and `feature`, where `slow` is twice as slow. `main` is
 * checked out; the program is `app.js`. For the branch comparison's tests.
 */
export function createTwoBranchRepository(directory: string): (...args: string[]) => string {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: directory, encoding: 'utf8' });
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'test@example.com');
  git('config', 'user.name', 'Test');
  writeFileSync(join(directory, 'app.js'), demoProgram(150));
  git('add', 'app.js');
  git('commit', '-q', '-m', 'base');
  git('checkout', '-q', '-b', 'feature');
  writeFileSync(join(directory, 'app.js'), demoProgram(300));
  git('commit', '-q', '-am', 'slow is twice as slow');
  git('checkout', '-q', 'main');
  return git;
}
