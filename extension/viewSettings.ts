import * as vscode from 'vscode';
import type { ViewSettings } from '../common/protocol/webviewProtocol';

/** The flame graph's settings as the webview wants them, read from `icicle.flameGraph.*`. */
export function readViewSettings(): ViewSettings {
  const config = vscode.workspace.getConfiguration('icicle.flameGraph');
  const orientation = config.get<string>('orientation') === 'flame' ? 'flame' : 'icicle';
  const minFramePixels = Math.min(10, Math.max(0, Number(config.get('minFramePixels', 1)) || 0));
  return { orientation, minFramePixels };
}
