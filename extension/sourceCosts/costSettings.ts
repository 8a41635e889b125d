import * as vscode from 'vscode';
import { languageServerSettingsSchema, type LanguageServerSettings } from '../../common/protocol/languageServerProtocol';

/** The language server's settings from `icicle.codeLens.minPercent`, `icicle.inlayHints.enabled` and `icicle.pathMappings`. */
export function readCostSettings(): LanguageServerSettings {
  const config = vscode.workspace.getConfiguration('icicle');
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
  const mappings = (config.get<unknown[]>('pathMappings') ?? [])
    .filter((m): m is { from: string; to: string } => typeof m === 'object' && m !== null && typeof (m as { from?: unknown }).from === 'string' && typeof (m as { to?: unknown }).to === 'string')
    .map(m => ({ from: m.from, to: m.to.replace('${workspaceFolder}', folder) }))
    .filter(m => m.from !== '' && m.to !== '');
  const parsed = languageServerSettingsSchema.safeParse({
    codeLensMinPercent: Number(config.get('codeLens.minPercent', 1)),
    inlayHints: config.get<boolean>('inlayHints.enabled', false) === true,
    pathMappings: mappings.slice(0, 100),
  });
  return parsed.success ? parsed.data : { codeLensMinPercent: 1, inlayHints: false, pathMappings: [] };
}

export function affectsCostSettings(event: vscode.ConfigurationChangeEvent): boolean {
  return ['icicle.codeLens', 'icicle.inlayHints', 'icicle.pathMappings'].some(section => event.affectsConfiguration(section));
}
