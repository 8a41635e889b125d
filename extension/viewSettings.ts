import * as vscode from 'vscode';
import type { ViewSettings } from '../common/protocol/webviewProtocol';
import { readSourceFolders } from './compare/datasetSourcesSetting';

/**
 * The flame graph's settings as the webview wants them, read from `icicle.flameGraph.*`, and the datasets of
 * `icicle.sources` its selection bar offers as sources.
 */
export function readViewSettings(): ViewSettings {
  const config = vscode.workspace.getConfiguration('icicle.flameGraph');
  const orientation = config.get<string>('orientation') === 'flame' ? 'flame' : 'icicle';
  const minFramePixels = Math.min(10, Math.max(0, Number(config.get('minFramePixels', 1)) || 0));
  return { orientation, minFramePixels, sources: readSourceFolders() };
}

/**
 * The share of the total below which the agent merges frames into `…` nodes (`icicle.flameGraph.pruneBelowPercent`,
 * in percent): frames narrower than a pixel cannot be seen, and every one drawn costs layout time.
 */
export function readMinShare(): number {
  const percent = Number(vscode.workspace.getConfiguration('icicle.flameGraph').get('pruneBelowPercent', 0.2));
  return Number.isFinite(percent) ? Math.min(50, Math.max(0, percent)) / 100 : 0.002;
}
