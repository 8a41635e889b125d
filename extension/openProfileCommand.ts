import * as path from 'node:path';
import * as vscode from 'vscode';
import { PROFILE_FILE_EXTENSIONS } from '../common/profileFormats';
import { restoreSchema, type ViewQuery } from '../common/viewQuery';
import { FlameGraphPanel, type ProfileSource, type FlameGraphPanelServices } from './flameGraphPanel';

/**
 * "Icicle: Open Profile…": asks for a file (or takes the one given, e.g. from the explorer's context or a
 * test) and shows its flame graph in a new panel.
 */
export async function openProfileCommand(services: FlameGraphPanelServices, uri?: vscode.Uri): Promise<FlameGraphPanel | undefined> {
  const target = uri instanceof vscode.Uri ? uri : await pickProfile();
  if (!target) return undefined;
  return openFlameGraphPanel(services, { kind: 'file', uri: target }, path.basename(target.path));
}

const PANEL_VIEW_TYPE = 'icicle.flameGraph';

/**
 * A flame graph in a new editor panel, of a file or of a store selection (a recorded run), searching for `search`,
 * showing `query` when given (the type of the source's costs, say).
 */
export function openFlameGraphPanel(services: FlameGraphPanelServices, source: ProfileSource, title: string, search?: string, query?: ViewQuery): FlameGraphPanel {
  const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, `Flame Graph: ${title}`, vscode.ViewColumn.Active, {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(services.extensionUri, 'out', 'webview')],
  });
  panel.iconPath = vscode.Uri.joinPath(services.extensionUri, 'media', 'icicle.svg');
  return new FlameGraphPanel(panel, source, services, query, search);
}

/**
 * Reopens the flame graph panels that were open when the window reloaded, from what each webview saved
 * (`restore`, see common/viewQuery.ts). A state that does not read as one (an older version's, or damaged) closes
 * the panel rather than leave an empty page.
 */
export function registerFlameGraphPanelSerializer(services: FlameGraphPanelServices): vscode.Disposable {
  return vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
    async deserializeWebviewPanel(panel, state: unknown) {
      const parsed = restoreSchema.safeParse((state as { restore?: unknown } | undefined)?.restore);
      if (!parsed.success) {
        services.log.info('closed a flame graph panel from before the reload: it saved nothing to reopen it with');
        panel.dispose();
        return;
      }
      const { source, query } = parsed.data;
      panel.iconPath = vscode.Uri.joinPath(services.extensionUri, 'media', 'icicle.svg');
      if (source.kind === 'file') new FlameGraphPanel(panel, { kind: 'file', uri: vscode.Uri.parse(source.uri, true) }, services, query);
      else new FlameGraphPanel(panel, source, services, query);
    },
  });
}

async function pickProfile(): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    openLabel: 'Open Profile',
    title: 'Open a profile',
    filters: { Profiles: [...PROFILE_FILE_EXTENSIONS], 'All files': ['*'] },
  });
  return picked?.[0];
}
