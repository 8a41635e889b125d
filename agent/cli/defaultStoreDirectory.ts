import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where the command line keeps its store when `--store` is not given: the platform's per-user data folder
 * ($XDG_DATA_HOME or ~/.local/share on Linux, ~/Library/Application Support on macOS, %LOCALAPPDATA% on Windows),
 * overridable with ICICLE_STORE.
 */
export function defaultStoreDirectory(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env['ICICLE_STORE']) return env['ICICLE_STORE'];
  if (platform === 'win32') return join(env['LOCALAPPDATA'] ?? join(homedir(), 'AppData', 'Local'), 'icicle', 'store');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'icicle', 'store');
  return join(env['XDG_DATA_HOME'] || join(homedir(), '.local', 'share'), 'icicle', 'store');
}
