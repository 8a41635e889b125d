import * as path from 'node:path';
import * as vscode from 'vscode';
import { ProfileView, type ProfileSource, type ProfileViewServices } from './profileView';

/**
 * "Icicle: Open Profile…": asks for a file (or takes the one given, e.g. from the explorer's context or a
 * test) and shows its flame graph in a new panel.
 */
export async function openProfileCommand(services: ProfileViewServices, uri?: vscode.Uri): Promise<ProfileView | undefined> {
  const target = uri instanceof vscode.Uri ? uri : await pickProfile();
  if (!target) return undefined;
  return openFlameGraphPanel(services, { kind: 'file', uri: target }, path.basename(target.path));
}

/** A flame graph in a new editor panel, of a file or of a store selection (a recorded run). */
export function openFlameGraphPanel(services: ProfileViewServices, source: ProfileSource, title: string): ProfileView {
  const panel = vscode.window.createWebviewPanel('icicle.flameGraph', `Flame Graph: ${title}`, vscode.ViewColumn.Active, {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(services.extensionUri, 'out', 'webview')],
  });
  panel.iconPath = vscode.Uri.joinPath(services.extensionUri, 'media', 'icicle.svg');
  return new ProfileView(panel, source, services);
}

async function pickProfile(): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    openLabel: 'Open Profile',
    title: 'Open a profile',
    filters: { Profiles: ['cpuprofile', 'gz', 'pprof', 'prof', 'pb', 'json', 'folded', 'collapsed', 'txt', 'perf'], 'All files': ['*'] },
  });
  return picked?.[0];
}
